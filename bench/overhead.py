"""Overhead of the Nursery Lens runtime: instrumented / plain wall time.

    npm run bench:overhead              # full run
    npm run bench:overhead -- --lean    # smaller workloads, a minute or two
    npm run bench:overhead -- --baseline DIR   # + variant "baseline": the runtime of another checkout, interleaved
    npm run bench:overhead -- --lints   # + variants "lints_off" and "lints_debug", interleaved

Workloads (each a separate subprocess per measurement, variants interleaved,
median of >= 5 runs each):

* spawn       100,000 tasks in nested nurseries (100 x 1,000), each ``await trio.sleep(0)``
* checkpoint  10 tasks x 100,000 ``await trio.sleep(0)``
* hettinger   14 concurrent HTTP fetches from a local server (127.0.0.1, started
              here) through a ``CapacityLimiter(10)``, repeated
* asyncio_spawn, asyncio_checkpoint, asyncio_hettinger: the same with asyncio
              (``asyncio.run``, TaskGroups, ``asyncio.sleep(0)``, a Semaphore)
* asyncio_locks (only with ``--only``): asyncio_checkpoint with an
              ``asyncio.Lock`` taken around every ``sleep(0)`` (lock owners' cost)
* asyncio_semaphores (only with ``--only``): the same with a ``Semaphore``
              (the cost of naming its holders)

The workloads themselves are in ``overhead_workloads.py``.

Variants (zero-code activation through ``runtime/python/bootstrap``, like the
extension does it):

* plain         no bootstrap, no NURSERY_LENS
* connected     NURSERY_LENS points at a collector in this process that reads everything
* no_collector  NURSERY_LENS points at a port nobody listens on
* unset         bootstrap on PYTHONPATH, NURSERY_LENS unset (must be ~1.00)

``connected`` runs with the lints' defaults (``block_ms`` 100, warnings on).
``--lints`` adds, side by side: ``lints_off`` (connected, ``block_ms`` 0 and
warnings off) and ``lints_debug`` (connected, ``coro_origin`` 2: what a debug
session sets so a coroutine never awaited is told where it was made).

Each measurement is the time of ``trio.run`` (``asyncio.run``) *plus* the wait until the
runtime has written everything (its flush), so deferred work is counted.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOTSTRAP = os.path.join(ROOT, "runtime", "python", "bootstrap")
#: --baseline ROOT: the bootstrap of another checkout (e.g. the previous
#: commit), measured as one more interleaved variant "baseline" (connected)
BASELINE_BOOTSTRAP = ""
#: workloads short enough that the one-off start dominates: each process
#: also runs them a second time and reports that as the steady state
STEADY = {"hettinger", "asyncio_hettinger"}
#: --lints: connected variants with these runtime options
LINT_VARIANTS: dict[str, dict[str, Any]] = {
    "lints_off": {"block_ms": 0, "warnings": False},
    "lints_debug": {"coro_origin": 2},
}


# --------------------------------------------------------------------------- workloads (subprocess side)
def workload(name: str, size: float, port: int, steady: bool = False) -> None:
    import importlib

    # by name: its asyncio workloads are type-checked as Python 3.11 (check-python.mjs)
    run = importlib.import_module("overhead_workloads").runner(name, size, port)

    def once() -> dict[str, Any]:
        start = time.perf_counter()
        cpu0 = time.process_time()
        run()
        ran = time.perf_counter() - start
        hook_drops = 0
        for em in _runtime_emitters():
            em.flush(timeout=30.0)
            hook_drops += em.hook_drops
        total = time.perf_counter() - start
        cpu = time.process_time() - cpu0  # all threads of the process, writer included
        return {"ran": ran, "total": total, "cpu": cpu, "hook_drops": hook_drops}

    result = once()  # a program's first run: pays the runtime's start (imports, thread, connect)
    if steady:
        # the same workload again in the same process: the steady state,
        # without the one-off start (what a longer program sees)
        again = once()
        result["cpu_steady"] = again["cpu"]
        result["total_steady"] = again["total"]
        result["hook_drops"] += again["hook_drops"]
    print(json.dumps(result))


def _runtime_emitters() -> list[Any]:
    """The emitters the zero-code runtime made in this process (checkouts
    from before the runtime's seam kept them in nursery_lens._emitter: so
    that --baseline can measure one)."""
    emitters = sys.modules.get("nursery_lens._core.emitters")
    if emitters is not None:
        return list(emitters.shared_emitters())
    old = sys.modules.get("nursery_lens._emitter")
    return list(old._GLOBAL.values()) if old is not None else []


# --------------------------------------------------------------------------- helpers (bench side)
class Reader:
    """A collector that reads and counts events (a batch line's tasks each) and reported drops."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.lock = threading.Lock()
        self.lines = 0
        self.dropped = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        rest = b""
        events = 0
        dropped = 0
        with conn:
            while True:
                chunk = conn.recv(1 << 20)
                if not chunk:
                    break
                events += chunk.count(b"\n")
                data = rest + chunk
                cut = data.rfind(b"\n") + 1
                whole, rest = data[:cut], data[cut:]
                # a batch line (protocol 1.3) is one event per task; a drop says how many were lost
                if b'"tasks.' in whole or b'"dropped"' in whole:
                    for line in whole.split(b"\n"):
                        if line.startswith(b'{"type":"tasks.'):
                            events += len(json.loads(line)["after_us"]) - 1
                        elif line.startswith(b'{"type":"dropped"'):
                            dropped += json.loads(line)["count"]
        with self.lock:
            self.lines += events
            self.dropped += dropped

    def take(self) -> dict[str, int]:
        with self.lock:
            out = {"lines": self.lines, "dropped": self.dropped}
            self.lines = self.dropped = 0
        return out


HTTP_SERVER = r"""
import http.server, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"x" * 2048
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True
s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"""


def measure(
    python: str,
    name: str,
    size: float,
    http_port: int,
    variant: str,
    reader: Reader,
    dead_port: int,
) -> dict[str, Any]:
    env = dict(os.environ)
    env.pop("NURSERY_LENS", None)
    env.pop("PYTHONPATH", None)
    if variant == "baseline":
        env["PYTHONPATH"] = BASELINE_BOOTSTRAP
    elif variant != "plain":
        env["PYTHONPATH"] = BOOTSTRAP
    if variant in ("connected", "baseline"):
        env["NURSERY_LENS"] = json.dumps({"v": 1, "address": f"127.0.0.1:{reader.port}", "secret": "bench"})
    elif variant in LINT_VARIANTS:
        address = f"127.0.0.1:{reader.port}"
        env["NURSERY_LENS"] = json.dumps(
            {
                "v": 1,
                "address": address,
                "secret": "bench",
                "options": LINT_VARIANTS[variant],
            }
        )
    elif variant == "no_collector":
        env["NURSERY_LENS"] = json.dumps({"v": 1, "address": f"127.0.0.1:{dead_port}", "secret": "bench"})
    reader.take()
    cmd = [
        python,
        os.path.abspath(__file__),
        "--workload",
        name,
        "--size",
        str(size),
        "--port",
        str(http_port),
    ]
    if name in STEADY:
        cmd.append("--steady")
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"{name}/{variant} failed: {out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    time.sleep(0.05)  # let the reader finish the connection
    got = reader.take()
    result.update(got)
    return result


def _steady(r: dict[str, list[dict[str, Any]]], variant: str) -> float:
    """CPU ratio of the second run in each process (start cost excluded)."""
    ratio: float = statistics.median(x["cpu_steady"] for x in r[variant]) / statistics.median(
        x["cpu_steady"] for x in r["plain"]
    )
    return ratio


def _report_line(
    name: str,
    r: dict[str, list[dict[str, Any]]],
    variants: list[str],
    lint_variants: list[str],
) -> str:
    """One workload's line: each variant's wall and CPU ratio to plain."""
    med = {v: statistics.median(x["total"] for x in r[v]) for v in variants}
    cpu = {v: statistics.median(x["cpu"] for x in r[v]) for v in variants}
    ev = statistics.median(x["lines"] / (x["total"] + x.get("total_steady", 0.0)) for x in r["connected"])
    drops = sum(x["dropped"] + x["hook_drops"] for x in r["connected"])
    return (
        f"{name:11s} plain {med['plain']:.3f}s  connected x{med['connected'] / med['plain']:.3f}  "
        f"no_collector x{med['no_collector'] / med['plain']:.3f}  unset x{med['unset'] / med['plain']:.3f}  "
        + (f"baseline x{med['baseline'] / med['plain']:.3f}  " if "baseline" in med else "")
        + f"events/s {ev:,.0f}  dropped {drops}  | cpu: connected x{cpu['connected'] / cpu['plain']:.3f} "
        f"no_collector x{cpu['no_collector'] / cpu['plain']:.3f} unset x{cpu['unset'] / cpu['plain']:.3f}"
        + (f" baseline x{cpu['baseline'] / cpu['plain']:.3f}" if "baseline" in cpu else "")
        + "".join(f" {v} x{cpu[v] / cpu['plain']:.3f} (wall x{med[v] / med['plain']:.3f})" for v in lint_variants)
        + (
            f" | steady cpu: connected x{_steady(r, 'connected'):.3f}"
            + (f" baseline x{_steady(r, 'baseline'):.3f}" if "baseline" in cpu else "")
            if name in STEADY
            else ""
        )
    )


def _summary(
    results: dict[str, dict[str, list[dict[str, Any]]]],
    names: list[str],
    runs: int,
    lean: bool,
    lint_variants: list[str],
) -> dict[str, Any]:
    """The JSON line: each workload's connected ratio, and the variants' figures."""
    summary: dict[str, Any] = {"bench": "overhead", "runs": runs, "lean": lean}
    ratios_nc: list[float] = []
    ratios_unset: list[float] = []
    dropped = 0
    events_per_s: list[float] = []
    cpu_ratios: dict[str, float] = {}
    for name in names:
        r = results[name]
        plain = statistics.median(x["total"] for x in r["plain"])
        summary[name] = round(statistics.median(x["total"] for x in r["connected"]) / plain, 3)
        ratios_nc.append(statistics.median(x["total"] for x in r["no_collector"]) / plain)
        ratios_unset.append(statistics.median(x["total"] for x in r["unset"]) / plain)
        dropped += sum(x["dropped"] + x["hook_drops"] for x in r["connected"])
        events_per_s.append(
            statistics.median(x["lines"] / (x["total"] + x.get("total_steady", 0.0)) for x in r["connected"])
        )
        summary[f"{name}_plain_s"] = round(plain, 3)
        plain_cpu = statistics.median(x["cpu"] for x in r["plain"])
        cpu_ratios[name] = round(statistics.median(x["cpu"] for x in r["connected"]) / plain_cpu, 3)
        cpu_ratios[f"{name}_unset"] = round(statistics.median(x["cpu"] for x in r["unset"]) / plain_cpu, 3)
        if "baseline" in r:
            summary[f"{name}_baseline"] = round(statistics.median(x["total"] for x in r["baseline"]) / plain, 3)
            cpu_ratios[f"{name}_baseline"] = round(statistics.median(x["cpu"] for x in r["baseline"]) / plain_cpu, 3)
        for v in lint_variants:
            summary[f"{name}_{v}"] = round(statistics.median(x["total"] for x in r[v]) / plain, 3)
            cpu_ratios[f"{name}_{v}"] = round(statistics.median(x["cpu"] for x in r[v]) / plain_cpu, 3)
        if name in STEADY:
            cpu_ratios[f"{name}_steady"] = round(_steady(r, "connected"), 3)
            if "baseline" in r:
                cpu_ratios[f"{name}_steady_baseline"] = round(_steady(r, "baseline"), 3)
    summary["no_collector"] = round(statistics.median(ratios_nc), 3)
    summary["unset"] = round(statistics.median(ratios_unset), 3)
    summary["dropped"] = dropped
    summary["events_per_s"] = round(max(events_per_s)) if events_per_s else 0
    # CPU-time ratios (whole process, writer thread included): far less
    # sensitive than wall time to other load on a shared machine.
    summary["cpu"] = cpu_ratios
    summary["load_avg"] = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    return summary


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload")
    ap.add_argument("--size", type=float, default=1.0)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--lean", action="store_true", help="smaller workloads, 5 runs each")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", help="comma-separated workloads")
    ap.add_argument("--steady", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument(
        "--baseline",
        help="root of another checkout: adds its runtime as variant 'baseline'",
    )
    ap.add_argument("--lints", action="store_true", help="adds variants lints_off and lints_debug")
    args = ap.parse_args()
    if args.workload:
        workload(args.workload, args.size, args.port, args.steady)
        return
    global BASELINE_BOOTSTRAP
    if args.baseline:
        BASELINE_BOOTSTRAP = os.path.join(os.path.abspath(args.baseline), "runtime", "python", "bootstrap")

    python = sys.executable
    workloads = ["spawn", "checkpoint", "hettinger"]
    workloads += [f"asyncio_{w}" for w in workloads]
    known = [*workloads, "asyncio_locks", "asyncio_semaphores"]
    sizes = dict.fromkeys(known, 1.0)
    if args.lean:
        lean = {"spawn": 0.5, "checkpoint": 0.3, "hettinger": 0.5, "locks": 0.3, "semaphores": 0.3}
        sizes = {w: lean[w.removeprefix("asyncio_")] for w in known}
    names = args.only.split(",") if args.only else workloads
    runs = max(5, args.runs)
    server = subprocess.Popen([python, "-c", HTTP_SERVER], stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    http_port = int(server.stdout.readline())
    reader = Reader()
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    dead_port = dead.getsockname()[1]
    dead.close()
    variants = ["plain", "connected", "no_collector", "unset"] + (["baseline"] if args.baseline else [])
    lint_variants = list(LINT_VARIANTS) if args.lints else []
    variants += lint_variants
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    try:
        for name in names:
            results[name] = {v: [] for v in variants}
            # one warm-up of each variant (file cache, pyc)
            for v in variants:
                measure(python, name, sizes[name] * 0.1, http_port, v, reader, dead_port)
            for _ in range(runs):
                for v in variants:
                    results[name][v].append(measure(python, name, sizes[name], http_port, v, reader, dead_port))
            print(_report_line(name, results[name], variants, lint_variants), flush=True)
    finally:
        server.terminate()
    print(json.dumps(_summary(results, names, runs, bool(args.lean), lint_variants)))


if __name__ == "__main__":
    main()
