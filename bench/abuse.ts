// `npm run bench:abuse`: what hostile local input costs the extension host,
// and whether a real program still gets in meanwhile. The collector runs in
// its own process (test/integration/collectorProcess.ts); this process is the
// attacker, on the same machine, without the launch secret:
//   calm   the real Trio program (the integration tests' tree.py) alone
//   idle   1,000 connections that send nothing, then the real program
//   flood  1,000 connections each send 1 MiB - 1 bytes with no newline, and the
//          real program starts meanwhile
//   deep   200 connections, each a deep-JSON first line (1 MiB, or what the
//          collector lets through): CPU per line
//   churn  5,000 connect/close cycles: warning lines written to the log
// Prints each figure, then one JSON line: {"bench":"abuse",...}.
import { loadavg } from 'node:os';
import { CollectorProcess, realProgram, sleep, strangers } from '../test/integration/collectorClient';

const STRANGERS = Number(process.env.ABUSE_STRANGERS ?? 1000);
const DEEP = Number(process.env.ABUSE_DEEP ?? 200);
const CYCLES = Number(process.env.ABUSE_CYCLES ?? 5000);
const mb = (n: number) => Math.round(n / 1e5) / 10;

async function calm(c: CollectorProcess) {
  const real = await realProgram(c, 'real-calm');
  const r = { real_in_ms: real.inMs, real_exit: real.exit };
  console.log('calm', JSON.stringify(r));
  return r;
}

async function idle(c: CollectorProcess) {
  await c.ask('reset');
  const socks = await strangers(c.address, STRANGERS, null);
  await sleep(200);
  const real = await realProgram(c, 'real-idle');
  const st = await c.stats();
  for (const s of socks) s.destroy();
  const r = { real_in_ms: real.inMs, real_exit: real.exit, rss_peak_mb: mb(st.peak) };
  console.log('idle', JSON.stringify(r));
  return r;
}

async function flood(c: CollectorProcess) {
  await c.ask('reset');
  const before = await c.stats();
  const payload = Buffer.alloc(1024 * 1024 - 1, 0x61);
  const t0 = performance.now();
  const socks = await strangers(c.address, STRANGERS, payload);
  // The real program starts while the strangers' bytes are still arriving.
  const racing = realProgram(c, 'real-flood');
  await sleep(4000);
  const during = await c.stats();
  const real = await racing;
  const after = await c.stats();
  for (const s of socks) s.destroy();
  const r = {
    rss_before_mb: mb(before.rss),
    rss_peak_mb: mb(Math.max(during.peak, after.peak)),
    open_after_4s: during.connections,
    real_in_ms: real.inMs,
    real_exit: real.exit,
    ms: Math.round(performance.now() - t0),
  };
  console.log('flood', JSON.stringify(r));
  return r;
}

async function deep(c: CollectorProcess) {
  await sleep(500);
  await c.ask('reset');
  const half = (1024 * 1024 - 2) / 2;
  const line = Buffer.from('['.repeat(half) + ']'.repeat(half) + '\n');
  const before = await c.stats();
  let done = 0;
  for (let i = 0; i < DEEP; i += 10) {
    const batch = await strangers(c.address, Math.min(10, DEEP - i), line);
    await Promise.all(
      batch.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.on('close', () => resolve());
            s.resume();
          }),
      ),
    );
    done += batch.length;
  }
  const after = await c.stats();
  const r = { lines: done, cpu_ms_per_line: Number(((after.cpuMs - before.cpuMs) / done).toFixed(2)) };
  console.log('deep', JSON.stringify(r));
  return r;
}

/** On a collector of its own, so that its log's minute starts with the cycles. */
async function churn() {
  const c = await CollectorProcess.start();
  for (let i = 0; i < CYCLES; i += 50) {
    const batch = await strangers(c.address, Math.min(50, CYCLES - i), null);
    for (const s of batch) s.destroy();
  }
  await sleep(1000);
  // Closing the collector writes what a rate-limited log still holds back.
  const st = await c.exit();
  const r = { cycles: CYCLES, warn_lines: st.log.warn, error_lines: st.log.error };
  console.log('churn', JSON.stringify(r));
  return r;
}

async function main() {
  const c = await CollectorProcess.start();
  try {
    const result = {
      bench: 'abuse',
      calm: await calm(c),
      idle: await idle(c),
      flood: await flood(c),
      deep: await deep(c),
      churn: await churn(),
      load: Number(loadavg()[0].toFixed(2)),
    };
    console.log(JSON.stringify(result));
  } finally {
    await c.exit();
  }
}

void main();
