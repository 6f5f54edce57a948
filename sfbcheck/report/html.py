"""The pytest-html report: requirement, impact and host columns, a detail block per failure, a summary.

pytest-html inserts these fragments with ``innerHTML``, so every text that reaches it passes through
:func:`html.escape` here: evidence (a certificate's Friendly Name, a route's alias …) renders as text.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

WARNING_STYLE = "color: #b35c00; font-weight: bold"  # the warning level's own colour (amber), in every report

_TEST_ID = re.compile(r'^<td class="col-testId">(.*)</td>$', re.DOTALL)


def _text(value: Any) -> str:
    return escape(str(value or ""))


def detail_block(report: Any) -> str:
    """What a failed (or waived) result shows when opened: requirement, problems with evidence and fix."""
    parts = [f"<p><b>{_text(report.requirement)}</b> ({_text(report.impact)}) on <b>{_text(report.host)}</b>: "
             f"{_text(report.requirement_title)}</p>"]
    waiver = getattr(report, "waiver", None)
    if waiver:
        state = "EXPIRED on" if waiver["status"] == "expired" else "waived until"
        parts.append(f"<p class='sfb-waiver'><b>Waiver {_text(waiver['ticket'])}</b> ({state} "
                     f"{_text(waiver['expires'])}): {_text(waiver['justification'])}</p>")
    for problem in getattr(report, "problems", []):
        mark = f"<span style='{WARNING_STYLE}'>&#9888; warning:</span>" if problem.get("warning") else "&#10007;"
        parts.append("<div class='sfb-problem'>"
                     f"<p>{mark} {_text(problem['message'])}</p>"
                     + (f"<p>Evidence:</p><pre>{_text(problem['evidence'])}</pre>" if problem["evidence"] else "")
                     + (f"<p>Fix:</p><pre>{_text(problem['fix'])}</pre>" if problem["fix"] else "")
                     + "</div>")
    collected = getattr(report, "evidence_collected_at", None)
    if collected:
        parts.append(f"<p>Evidence collected at {_text(collected)}.</p>")
    parts.append(source_line(report.requirement))
    return "\n".join(parts)


def source_line(requirement_id: str) -> str:
    """The requirement's source documents: a link for a public page, the title for a seed (docs/sources.md)."""
    from sfbcheck import sources
    from sfbcheck.catalog import catalog

    req = catalog().get(requirement_id)
    if req is None:
        return ""
    shown = []
    for ref in sources.resolve(req.source):
        if ref.url:
            shown.append(f"<a href='{escape(ref.url, quote=True)}' rel='noreferrer'>{_text(ref.title)}</a>")
        elif ref.seed:
            shown.append(f"seed {_text(ref.seed)}: <i>{_text(ref.title)}</i>"
                         + (f" ({_text(ref.detail)})" if ref.detail else ""))
        else:
            shown.append(_text(ref.title or ref.reference))
    return f"<p class='sfb-source'>Source: {'; '.join(shown)} (docs/sources.md)</p>"


def without_raw_failure(report: Any, log: list[str]) -> None:
    """pytest-html's log repeats the failure text the detail block already shows structured: keep it once."""
    if not getattr(report, "problems", None) or not log:
        return
    raw = escape(report.longreprtext) + "\n" if report.longreprtext else None
    if raw is not None and log[0] == raw:
        log[0] = "The failure, its evidence and its fix are shown above.\n"


def header_cells(cells: list[str]) -> None:
    cells.insert(1, "<th class='sortable' data-column-type='requirement'>Requirement</th>")
    cells.insert(2, "<th class='sortable' data-column-type='impact'>Impact</th>")
    cells.insert(3, "<th class='sortable' data-column-type='host'>Host</th>")


def row_cells(report: Any, cells: list[str]) -> None:
    match = _TEST_ID.match(cells[1]) if len(cells) > 1 else None
    if match:  # pytest-html does not escape the test id; ids hold FQDNs and items from the inventory
        cells[1] = f'<td class="col-testId">{escape(match.group(1))}</td>'
    waiver = getattr(report, "waiver", None)
    if waiver and waiver.get("status") == "active" and report.when == "call" and report.skipped:
        cells[0] = '<td class="col-result">Waived</td>'
    elif getattr(report, "warning", False) and report.when == "call" and report.passed:
        cells[0] = f'<td class="col-result" style="{WARNING_STYLE}">Warning</td>'
    cells.insert(1, f"<td class='col-requirement'>{_text(getattr(report, 'requirement', ''))}</td>")
    cells.insert(2, f"<td class='col-impact'>{_text(getattr(report, 'impact', ''))}</td>")
    cells.insert(3, f"<td class='col-host'>{_text(getattr(report, 'host', ''))}</td>")


def summary_prefix(matrix_name: str | None, waived: int, stale: list[dict[str, Any]],
                   drift: dict[str, Any], warned: int = 0) -> list[str]:
    """Lines above pytest-html's summary: the matrix link, warnings, waivers and drift."""
    lines = []
    if matrix_name:
        lines.append(f"<p>Compliance matrix (servers × requirements): <a href='{escape(matrix_name, quote=True)}'>"
                     f"{escape(matrix_name)}</a></p>")
    if warned:
        lines.append(f"<p class='sfb-warnings'><span style='{WARNING_STYLE}'>{warned} warning(s)</span>: passed "
                     "with warnings (listed as <i>Warning</i>; the filter counts them as passed). They do not fail "
                     "the run unless the inventory sets <code>policy.warnings_fail: true</code>.</p>")
    if waived:
        lines.append(f"<p>{waived} failure(s) waived (listed as <i>Waived</i>; the filter counts them as expected "
                     "failures).</p>")
    for entry in stale:
        lines.append(f"<p>Stale waiver {_text(entry['ticket'])} ({_text(entry['requirement'])} on "
                     f"{_text(entry['host'])}): {_text(entry['reason'])}</p>")
    if drift.get("baseline"):
        lines.append(f"<p>Drift against the run finished {_text(drift['baseline'].get('finished'))}: "
                     f"{len(drift['new_failures'])} new failure(s), {len(drift['fixed'])} fixed, "
                     f"{len(drift['unchanged'])} unchanged.</p>")
    return lines


def passes_summary(passes: list[dict[str, Any]]) -> list[str]:
    """The passes the table leaves out (see ``--report-passes``): per requirement, how many and on which hosts."""
    by_requirement: dict[str, tuple[str, list[str]]] = {}
    for result in passes:
        _, hosts = by_requirement.setdefault(result["requirement"], (result.get("title", ""), []))
        hosts.append(result["host"])
    rows = "".join(f"<tr><td>{_text(rid)}</td><td>{_text(title)}</td><td>{len(hosts)}</td>"
                   f"<td><details><summary>{len(set(hosts))} host(s)</summary>{_text(', '.join(sorted(set(hosts))))}"
                   "</details></td></tr>" for rid, (title, hosts) in sorted(by_requirement.items()))
    return [f"<details class='sfb-passes'><summary>{len(passes)} passed result(s), summarised per requirement "
            "(not listed in the table below; the matrix and the JSON results hold every result, and "
            "<code>--report-passes</code> lists them here too)</summary>"
            "<table><tr><th>Requirement</th><th>Title</th><th>Passed</th><th>Hosts</th></tr>"
            f"{rows}</table></details>"]
