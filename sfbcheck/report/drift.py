"""Drift between two runs: which failures are new, which were fixed and which are unchanged.

Results are matched by test id (``nodeid``: the test and its server and item) without the folders of the test file,
so a run from a checkout (``tests/test_dns.py::…``) and one of the installed package (``…/site-packages/sfbcheck/
tests/test_dns.py::…``) compare result by result. A result *has a problem* when it
failed, errored or was waived (a waiver accepts a failure; it does not fix it):

* new failure: has a problem now, had none before (passed, skipped, or not run in the previous run; when the
  previous run was a partial one, a result it did not select is *not compared* rather than new);
* fixed: had a problem before, passes now (a warning passes: it never fails the run);
* unchanged: had a problem before and has one now (the outcomes may differ, e.g. failed → waived).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

PROBLEM = ("failed", "error", "waived", "xpassed")


def result_key(nodeid: str) -> str:
    """``nodeid`` without the folders of its file: the same result wherever the suite was installed."""
    path, sep, rest = nodeid.partition("::")
    return path.replace("\\", "/").rsplit("/", 1)[-1] + sep + rest


def _entry(nodeid: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    ref = after or before or {}
    return {"nodeid": ref.get("nodeid", nodeid), "requirement": ref.get("requirement", ""), "host": ref.get("host", ""),
            "impact": ref.get("impact", ""), "title": ref.get("title", ""),
            "before": before["outcome"] if before else None, "after": after["outcome"] if after else None}


def compare(previous: list[dict[str, Any]], current: list[dict[str, Any]],
            previous_partial: bool = False) -> dict[str, Any]:
    """New failures, fixed ones and unchanged ones of ``current`` against ``previous`` (ordered by test id).

    Only what both runs selected is compared: a result of ``previous`` this run did not select is left out, and so
    is a result of this run that a partial ``previous`` run did not select (counted in ``not_compared``)."""
    before = {result_key(r["nodeid"]): r for r in previous}
    after = {result_key(r["nodeid"]): r for r in current}
    new, fixed, unchanged = [], [], []
    not_compared = 0
    for nodeid in sorted(set(before) | set(after)):
        old, now = before.get(nodeid), after.get(nodeid)
        if old is None and previous_partial:
            not_compared += 1
            continue
        had = old is not None and old["outcome"] in PROBLEM
        has = now is not None and now["outcome"] in PROBLEM
        if has and not had:
            new.append(_entry(nodeid, old, now))
        elif had and has:
            unchanged.append(_entry(nodeid, old, now))
        elif had and now is not None and now["outcome"] in ("passed", "warning"):
            fixed.append(_entry(nodeid, old, now))
    return {"new_failures": new, "fixed": fixed, "unchanged": unchanged, "not_compared": not_compared}


def drift_section(baseline: dict[str, Any] | None, baseline_path: Path | None, current: list[dict[str, Any]],
                  note: str = "") -> dict[str, Any]:
    """The ``drift`` object of a results file; ``baseline`` is None when there was nothing to compare with."""
    if baseline is None:
        return {"baseline": None, "note": note or "no previous results to compare with",
                "new_failures": [], "fixed": [], "unchanged": []}
    run = baseline.get("run") or {}
    chosen = run.get("selection") or {}
    partial = bool(chosen.get("partial"))
    return {"baseline": {"path": str(baseline_path) if baseline_path else None, "finished": run.get("finished"),
                         "deployment": run.get("deployment"), "selection": chosen.get("name") or "latest"},
            "note": note, **compare(baseline["results"], current, previous_partial=partial)}


def status_by_nodeid(drift: dict[str, Any]) -> dict[str, str]:
    """``nodeid`` → ``new`` / ``fixed`` / ``unchanged`` (for marking results in the reports)."""
    out: dict[str, str] = {}
    for key, label in (("new_failures", "new"), ("fixed", "fixed"), ("unchanged", "unchanged")):
        for entry in drift.get(key, []):
            out[entry["nodeid"]] = label
    return out


def terminal_lines(drift: dict[str, Any], limit: int = 20) -> list[str]:
    if drift.get("baseline") is None:
        return [f"drift: {drift.get('note') or 'no previous results to compare with'}"]
    base = drift["baseline"]
    lines = [f"drift against the run finished {base.get('finished') or '?'} ({base.get('path')}): "
             f"{len(drift['new_failures'])} new failure(s), {len(drift['fixed'])} fixed, "
             f"{len(drift['unchanged'])} unchanged"
             + (f", {drift['not_compared']} not compared (the previous run did not select them)"
                if drift.get("not_compared") else "")
             + (f"; {drift['note']}" if drift.get("note") else "")]
    for key, mark in (("new_failures", "NEW  "), ("fixed", "FIXED")):
        entries = drift[key]
        for entry in entries[:limit]:
            lines.append(f"  {mark} {entry['requirement']} on {entry['host']}: {entry['nodeid']} "
                         f"({entry['before'] or 'not run'} -> {entry['after']})")
        if len(entries) > limit:
            lines.append(f"  … and {len(entries) - limit} more (see the JSON results)")
    return lines
