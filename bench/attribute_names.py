"""What naming a waited-on object (``self.lock``) costs the program's object.

    .venv/bin/python bench/attribute_names.py [--rounds 9]

A method call on an object, in ns: untouched, after it was named the old way
(reading its ``__dict__``, which makes the dict for good) and after it was
named by ``nursery_lens._core.attribute_names`` (no dict made); and what one
naming costs, in µs, each way. Fresh objects every round, the three
interleaved, medians of the rounds. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import timeit
from typing import Any

from nursery_lens._core.attribute_names import attribute_naming


class Account:
    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.balance = 0
        self.lock = object()

    def deposit(self, amount: int) -> str:
        self.balance += amount
        return self.owner


def named_by_dict(obj: Any, target: Any) -> str | None:
    """The naming this replaces: the object's ``__dict__``, searched."""
    for name, value in obj.__dict__.items():
        if value is target:
            return str(name)
    return None


HINTS = ("trio", "sleep", "lock", "deposit")


def call_ns(obj: Account, calls: int) -> float:
    return min(timeit.Timer("obj.deposit(1)", globals={"obj": obj}).repeat(3, calls)) / calls * 1e9


def naming_us(name: Any, calls: int) -> float:
    obj = Account("x")
    return min(timeit.Timer(lambda: name(obj)).repeat(3, calls)) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=300_000)
    args = parser.parse_args()
    rows: dict[str, list[float]] = {k: [] for k in ("untouched", "named_by_dict", "named_now", "by_dict_us", "now_us")}
    for _ in range(args.rounds):
        untouched, old, new = Account("a"), Account("b"), Account("c")
        assert named_by_dict(old, old.lock) == "lock"
        assert attribute_naming(new, new.lock, HINTS) == "lock"
        rows["untouched"].append(call_ns(untouched, args.calls))
        rows["named_by_dict"].append(call_ns(old, args.calls))
        rows["named_now"].append(call_ns(new, args.calls))
        rows["by_dict_us"].append(naming_us(lambda o: named_by_dict(o, o.lock), args.calls // 30))
        rows["now_us"].append(naming_us(lambda o: attribute_naming(o, o.lock, HINTS), args.calls // 30))
    med = {k: round(statistics.median(v), 3) for k, v in rows.items()}
    print(f"python {sys.version.split()[0]}, medians of {args.rounds} rounds")
    print(
        f"method call: untouched {med['untouched']} ns, named by __dict__ {med['named_by_dict']} ns, named now {med['named_now']} ns"
    )
    print(f"one naming: by __dict__ {med['by_dict_us']} µs, now {med['now_us']} µs")
    result = {
        "python": sys.version.split()[0],
        "call_ns": {k: med[k] for k in ("untouched", "named_by_dict", "named_now")},
        "slowdown_by_dict": round(med["named_by_dict"] / med["untouched"], 2),
        "slowdown_now": round(med["named_now"] / med["untouched"], 2),
        "naming_us": {"by_dict": med["by_dict_us"], "now": med["now_us"]},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
