"""The end of a run's terminal output: results per impact and per server (passed / failed / waived / errors)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

COLUMNS = ("passed", "failed", "waived", "error", "warning", "skipped")
HEADINGS = {"error": "errors", "warning": "warnings"}
IMPACT_ORDER = ("critical", "high", "medium", "low", "warning")
ALL_PASSING_SHOWN = 20  # above this many servers, the ones where everything passed share one line


def _counts(results: list[dict[str, Any]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for result in results:
        outcome = result["outcome"]
        counts["skipped" if outcome in ("skipped", "xfailed") else "error" if outcome == "xpassed" else outcome] += 1
    return counts


def _row(label: str, counts: Counter[str], width: int) -> str:
    return f"{label:{width}}  " + "  ".join(f"{counts.get(c, 0):>{len(HEADINGS.get(c, c))}}" for c in COLUMNS)


def table(results: list[dict[str, Any]]) -> list[str]:
    """Lines: a header, one row per impact, one per server (servers where all passed folded when many)."""
    if not results:
        return ["no results"]
    by_impact: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_host: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        by_impact[result.get("impact") or "?"].append(result)
        by_host[result.get("host") or "?"].append(result)
    impacts = sorted(by_impact, key=lambda i: (IMPACT_ORDER.index(i) if i in IMPACT_ORDER else 99, i))
    hosts = sorted(by_host)
    fine = [h for h in hosts if set(_counts(by_host[h])) <= {"passed", "skipped"}]
    folded = len(hosts) > ALL_PASSING_SHOWN and len(fine) > 1
    shown = [h for h in hosts if not folded or h not in fine]
    width = max(len(x) for x in [*impacts, *shown, "impact", "all passing (00000 servers)"])
    header = f"{'':{width}}  " + "  ".join(HEADINGS.get(c, c) for c in COLUMNS)
    lines = ["per impact:", header, *(_row(i, _counts(by_impact[i]), width) for i in impacts),
             _row("total", _counts(results), width), "per server:", header]
    lines += [_row(h, _counts(by_host[h]), width) for h in shown]
    if folded:
        lines.append(_row(f"all passing ({len(fine)} servers)", _counts([r for h in fine for r in by_host[h]]),
                          width))
    return lines
