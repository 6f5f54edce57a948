"""JSON results: one record per result plus the run's metadata (schema: docs/results.md, results.schema.json).

A *result* is one test item's verdict: its setup error, or its call's outcome, or a teardown error. Records keep
the keys the self-tests and CI scripts read (``nodeid``, ``requirement``, ``host``, ``outcome``, ``message``).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from sfbcheck import atomic

SCHEMA_ID = "sfbcheck-results/2"
SCHEMA_FILE = "results.schema.json"
OUTCOMES = ("passed", "warning", "failed", "error", "skipped", "waived", "xfailed", "xpassed")
FAILING = ("failed", "error")


def schema() -> dict[str, Any]:
    """The JSON Schema of a results document."""
    return json.loads(resources.files("sfbcheck.report").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def outcome_of(report: Any) -> str | None:
    """The outcome a report stands for, or None if it adds no result (a passed setup or teardown)."""
    when = report.when
    if when != "call" and report.passed:
        return None
    if when == "teardown" and not report.failed:
        return None
    if report.failed and (when != "call" or getattr(report, "cannot_judge", False)):
        return "error"  # a setup error, or a requirement that could not be judged (EvidenceGap)
    waiver = getattr(report, "waiver", None)
    if when == "call" and report.skipped and waiver and waiver.get("status") == "active":
        return "waived"
    if when == "call" and getattr(report, "wasxfail", None) is not None:
        return "xfailed" if report.skipped else "xpassed"
    if when == "call" and report.passed and getattr(report, "warning", False):
        return "warning"
    return str(report.outcome)


def message_of(report: Any) -> str:
    if report.passed and getattr(report, "warning", False):
        return str(getattr(report, "warning_message", ""))
    if report.failed or getattr(report, "waiver", None):
        return str(report.longrepr) if report.longrepr else ""
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    return ""


def record(report: Any) -> dict[str, Any] | None:
    """The result record of a report of a compliance test (None for other reports)."""
    rid = getattr(report, "requirement", None)
    outcome = outcome_of(report) if rid else None
    if outcome is None:
        return None
    problems = list(getattr(report, "problems", []))
    return {
        "nodeid": report.nodeid,
        "requirement": rid,
        "title": getattr(report, "requirement_title", ""),
        "impact": getattr(report, "impact", ""),
        "host": getattr(report, "host", ""),
        "scope": getattr(report, "scope", ""),
        "pool": getattr(report, "pool", ""),
        "role": getattr(report, "role", ""),
        "outcome": outcome,
        "message": message_of(report),
        "remediation": "\n\n".join(p["fix"] for p in problems if p.get("fix")),
        "problems": problems,
        "waiver": getattr(report, "waiver", None),
        "evidence_collected_at": getattr(report, "evidence_collected_at", None),
        "duration": round(float(report.duration), 4),
    }


def summary(results: list[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(OUTCOMES, 0)
    for result in results:
        counts[result["outcome"]] = counts.get(result["outcome"], 0) + 1
    return counts


def document(run: dict[str, Any], results: list[dict[str, Any]], waivers: dict[str, Any],
             drift: dict[str, Any]) -> dict[str, Any]:
    """The whole results file."""
    return {"schema": SCHEMA_ID, "run": run, "summary": summary(results), "results": results,
            "waivers": waivers, "drift": drift}


def write(path: Path, doc: dict[str, Any]) -> None:
    atomic.write_text(path, json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


def load(path: Path) -> dict[str, Any]:
    """A results file of this or an earlier release (``sfbcheck-results/1`` had the run's fields at the top)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise ValueError("not an sfbcheck results file (no 'results' list)")
    if not str(doc.get("schema", "")).startswith("sfbcheck-results/"):
        raise ValueError(f"not an sfbcheck results file (schema {doc.get('schema')!r})")
    for i, result in enumerate(doc["results"]):
        if not isinstance(result, dict) or not all(isinstance(result.get(k), str) for k in
                                                   ("nodeid", "requirement", "host", "outcome")):
            raise ValueError(f"results[{i}] lacks nodeid, requirement, host or outcome")
    if "run" not in doc:  # sfbcheck-results/1
        doc["run"] = {k: doc.get(k) for k in ("deployment", "inventory", "evidence", "finished")}
    return doc
