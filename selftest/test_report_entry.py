"""The HTML report opens fast at any size: plain passes stay out of pytest-html's table (counted, and summarised
per requirement with their hosts above it); failures keep their rows; ``--report-passes`` lists every pass."""

from __future__ import annotations

import html
import re

from selftest.harness import run_lab

FAULT = "edge02-route-not-persistent"


def _page(run) -> str:
    return html.unescape((run.report_dir / "latest.html").read_text(encoding="utf-8"))


def _passed_count(page: str) -> int:
    found = re.search(r'<span class="passed">(\d+) Passed', page)
    assert found, "pytest-html's outcome counters are not in the page"
    return int(found.group(1))


def test_passes_are_summarised_not_listed_and_failures_keep_their_rows(clean_lab, tmp_path):
    run = run_lab(clean_lab, tmp_path, faults=[FAULT])
    page = _page(run)
    passed = [r for r in run.results if r["outcome"] == "passed"]
    failed = [r for r in run.results if r["outcome"] == "failed"]
    assert passed and failed
    assert f"{len(passed)} passed result(s), summarised per requirement" in page
    warned = [r for r in run.results if r["outcome"] == "warning"]  # pytest-html counts these as passed
    assert _passed_count(page) == len(passed) + len(warned)  # the filter still shows the true count
    listed = [r["nodeid"] for r in passed if f'"{r["nodeid"]}"' in page]
    assert not listed, listed[:5]
    assert all(r["nodeid"] in page for r in failed)


def test_report_passes_lists_every_pass(clean_lab, tmp_path):
    run = run_lab(clean_lab, tmp_path, "--report-passes")
    page = _page(run)
    passed = [r for r in run.results if r["outcome"] == "passed"]
    warned = [r for r in run.results if r["outcome"] == "warning"]
    assert "summarised per requirement" not in page
    assert _passed_count(page) == len(passed) + len(warned)
    assert all(r["nodeid"] in page for r in passed[:20])
