"""The compliance matrix: one static HTML page, servers × requirements, grouped by role and pool.

The data is embedded once as JSON (one status letter per cell, details only for cells that are not a plain pass)
and a small script draws only the rows on screen, so 500 servers × every requirement opens and scrolls smoothly.
No external resource: the page works from a file with no network. Every text from the results is put on the page
with ``textContent`` or through ``esc()``; the JSON is escaped so that ``</script>`` cannot end its script element.
"""

from __future__ import annotations

import base64
import hashlib
import json
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from sfbcheck import atomic
from sfbcheck.catalog import catalog
from sfbcheck.report.drift import status_by_nodeid

# cell status letters, most important first: a cell with several results shows the first that occurs
STATUS_ORDER = "fewasp"
STATUS_OF_OUTCOME = {"failed": "f", "xpassed": "f", "error": "e", "waived": "w", "warning": "a", "skipped": "s",
                     "xfailed": "s", "passed": "p"}
DEPLOYMENT = "(deployment-wide)"  # the row of results that are about no one host
ROLE_ORDER = ("frontend", "director", "edge", "mediation", "owas")


def _status(outcomes: list[str]) -> str:
    letters = {STATUS_OF_OUTCOME.get(o, "s") for o in outcomes}
    return next(letter for letter in STATUS_ORDER if letter in letters)


def matrix_data(run: dict[str, Any], servers: list[dict[str, str]], results: list[dict[str, Any]],
                drift: dict[str, Any], report_name: str = "") -> dict[str, Any]:
    """The page's data: hosts (rows), requirements (columns), a status string per host, details per cell.

    ``servers`` are the inventory's servers (``host``, ``pool``, ``role``), so a server without any result still
    has its row (every cell not applicable); hosts that are only in the results (a pool) are added.
    """
    known = catalog()
    order = {rid: i for i, rid in enumerate(known)}
    req_ids = sorted({r["requirement"] for r in results}, key=lambda rid: (order.get(rid, len(order)), rid))
    req_index = {rid: i for i, rid in enumerate(req_ids)}
    hosts: dict[str, dict[str, str]] = {}
    for server in servers:
        hosts.setdefault(server["host"], server)
    for result in results:
        hosts.setdefault(result["host"], {"host": result["host"], "pool": result.get("pool") or result["host"]
                                          or DEPLOYMENT, "role": result.get("role") or ""})
    role_rank = {role: i for i, role in enumerate(ROLE_ORDER)}
    ordered = sorted(hosts.values(), key=lambda s: (role_rank.get(s["role"], len(ROLE_ORDER)), s["role"],
                                                    s["pool"], s["host"]))
    host_index = {s["host"]: i for i, s in enumerate(ordered)}
    marks = status_by_nodeid(drift)
    outcomes: dict[tuple[int, int], list[str]] = {}
    details: dict[str, list[dict[str, Any]]] = {}
    collected: dict[int, str] = {}
    for result in results:
        h, r = host_index[result["host"]], req_index[result["requirement"]]
        outcomes.setdefault((h, r), []).append(result["outcome"])
        if result.get("evidence_collected_at"):
            collected.setdefault(h, result["evidence_collected_at"])
        mark = marks.get(result["nodeid"], "")
        if result["outcome"] != "passed" or mark == "fixed":
            details.setdefault(f"{h},{r}", []).append({
                "id": result["nodeid"], "o": result["outcome"], "m": result.get("message", ""),
                "p": result.get("problems", []), "w": result.get("waiver"), "d": mark,
                "t": result.get("evidence_collected_at")})
    cells = []
    for h in range(len(ordered)):
        cells.append("".join(_status(outcomes[(h, r)]) if (h, r) in outcomes else "-" for r in range(len(req_ids))))
    drift_rows = {key: [[host_index[e["host"]], req_index[e["requirement"]], e["nodeid"], e["before"], e["after"]]
                        for e in drift.get(key, []) if e["host"] in host_index and e["requirement"] in req_index]
                  for key in ("new_failures", "fixed", "unchanged")}
    reqs = [[rid, known[rid].title if rid in known else "", known[rid].impact if rid in known else "",
             _sources(known[rid].source) if rid in known else []] for rid in req_ids]
    return {
        "run": {k: run.get(k) for k in ("deployment", "inventory", "evidence", "finished", "exitstatus")},
        "report": report_name,
        "reqs": reqs,
        "hosts": [[s["host"] or DEPLOYMENT, s["pool"], s["role"], collected.get(i, "")]
                  for i, s in enumerate(ordered)],
        "cells": cells,
        "details": details,
        "drift": {"baseline": drift.get("baseline"), "note": drift.get("note", ""), **drift_rows},
    }


def _sources(source: str) -> list[list[str | None]]:
    """[title, address or None] of each source document (docs/sources.md): the panel links the public ones."""
    from sfbcheck.sources import resolve

    return [[f"seed {ref.seed}: {ref.title}" if ref.seed else (ref.title or ref.reference), ref.url]
            for ref in resolve(source)]


def script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element (no '<', '>' or '&' survives literally)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render(data: dict[str, Any]) -> str:
    template = resources.files("sfbcheck.report").joinpath("matrix.html").read_text(encoding="utf-8")
    title = f"sfbcheck compliance matrix: {data['run'].get('deployment') or ''}"
    head, tail = template.split("__DATA__")
    head = head.replace("__TITLE__", escape(title)).replace("__SCRIPT_HASH__", script_hash(tail))
    return head + script_json(data) + tail


def script_hash(page: str) -> str:
    """The CSP source of the page's one inline script: only that script may run, no injected one."""
    code = page.split("<script>", 1)[1].split("</script>", 1)[0]
    return "sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii")


def write(path: Path, data: dict[str, Any]) -> None:
    atomic.write_text(path, render(data))
