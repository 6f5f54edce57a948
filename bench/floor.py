"""The floor of a run: sfbcheck's own work without pytest (benchmark only).

``python bench/floor.py --inventory PATH [--out FILE]`` loads the inventory, reads every evidence file, then
calls every compliance test function of ``tests/`` once per case of its target (``sfbcheck/targets.py``),
exactly the values pytest would pass, and counts the outcomes. No pytest session, fixtures, hooks or reports:
what is left is parsing (facts) and judging (checks). It prints (or writes) JSON: the seconds spent reading the
evidence, generating the cases, calling the checks, and the ten requirements that took longest, so growth that
is not linear in the deployment shows up by name; and how much of the reading and of the checks was Python's
cyclic garbage collector walking the heap (``gc_cpu_s``, included in ``cpu_s``): its full collections walk every
parsed document, so their cost grows faster than the deployment and lands on whichever requirement runs then.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

import pytest  # noqa: E402

from sfbcheck import targets  # noqa: E402
from sfbcheck.errors import EvidenceError, EvidenceGap  # noqa: E402
from sfbcheck.evidence import EvidenceStore  # noqa: E402
from sfbcheck.inventory import load_inventory  # noqa: E402
from sfbcheck.suite import compliance_tests  # noqa: E402


class GcClock:
    """CPU seconds spent in the cyclic garbage collector since it was installed (a ``gc.callbacks`` entry)."""

    def __init__(self) -> None:
        self.spent = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            self.spent += time.process_time() - self._started


def floor(inventory_path: Path) -> dict[str, Any]:
    clock = GcClock()
    gc.callbacks.append(clock)
    try:
        return _floor(inventory_path, clock)
    finally:
        gc.callbacks.remove(clock)


def _floor(inventory_path: Path, clock: GcClock) -> dict[str, Any]:
    started = time.process_time()
    inventory = load_inventory(inventory_path)
    store = EvidenceStore(inventory.evidence_dir)
    functions = compliance_tests(PROJECT / "tests")
    setup_s = time.process_time() - started

    started, gc_before = time.process_time(), clock.spent
    for server in [*(s.fqdn for s in inventory.servers()), "runner"]:
        with contextlib.suppress(EvidenceError):
            store.get(server)
    read_s, read_gc_s = time.process_time() - started, clock.spent - gc_before

    outcomes: Counter[str] = Counter()
    by_requirement: dict[str, float] = defaultdict(float)
    generate_s = call_s = call_gc_s = 0.0
    fixtures = {"inventory": inventory, "evidence_store": store}
    for test in functions:
        fn, names = test.function, list(test.argnames)
        chosen = targets.choose(names)
        if chosen is None:
            outcomes["not parametrized"] += 1
            continue
        argnames, generate = chosen
        if set(names) - set(argnames) - set(fixtures):
            outcomes["needs other fixtures"] += 1
            continue
        started = time.process_time()
        cases = list(generate(inventory, store))
        generate_s += time.process_time() - started
        rid = test.requirement
        started, gc_before = time.process_time(), clock.spent
        for case in cases:
            kwargs = {n: fixtures[n] for n in names if n in fixtures}
            kwargs.update(zip(argnames, case.values, strict=True))
            try:
                fn(**kwargs)
                outcomes["passed"] += 1
            except pytest.fail.Exception:
                outcomes["failed"] += 1
            except pytest.skip.Exception:
                outcomes["skipped"] += 1
            except (EvidenceGap, EvidenceError):
                outcomes["cannot judge"] += 1
            except Exception:  # noqa: BLE001 - a crash is an outcome here, as pytest would report it
                outcomes["crashed"] += 1
        spent = time.process_time() - started
        call_s += spent
        call_gc_s += clock.spent - gc_before
        by_requirement[rid] += spent
    top = sorted(by_requirement.items(), key=lambda kv: -kv[1])[:10]
    return {"servers": len(inventory.servers()), "results": sum(outcomes.values()), "outcomes": dict(outcomes),
            "cpu_s": {"import and inventory": setup_s, "read evidence": read_s, "generate cases": generate_s,
                      "checks": call_s},
            "gc_cpu_s": {"read evidence": read_gc_s, "checks": call_gc_s},
            "slowest_requirements": [{"requirement": r, "cpu_s": round(s, 3)} for r, s in top]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/floor.py", description=__doc__)
    parser.add_argument("--inventory", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=None, help="write the JSON here (default: print it)")
    args = parser.parse_args(argv)
    text = json.dumps(floor(args.inventory), indent=1)
    if args.out:
        args.out.write_text(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
