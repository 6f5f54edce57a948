"""Evidence is escaped in every report: a certificate whose Friendly Name is a script renders as text in the
HTML report and in the matrix, opened in a real browser (headless Chromium), and no script of it runs.

Needs Debian's chromium (scripts/debian-packages.txt): without it this test fails, it does not skip.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from selftest.harness import TESTS, run_suite
from sfbcheck.lab import pki
from sfbcheck.report import browser

MARKER = "sfb-xss-marker"
PAYLOAD = (f"<script>document.title='XSS-RAN';document.body.insertAdjacentHTML('beforeend','<b id={MARKER}>!</b>')"
           "</script><img src=x onerror=\"document.title='XSS-RAN'\">")
HOST = "edge01.contoso.local"


def _title(dom: str) -> str:
    found = re.search(r"<title>(.*?)</title>", dom, re.DOTALL)
    return found.group(1) if found else ""


def _ran(dom: str) -> bool:
    return "XSS-RAN" in _title(dom) or f'id="{MARKER}"' in dom


def test_the_browser_check_detects_a_script_that_runs(tmp_path):
    """The detector itself: the same payload, not escaped, does run in this browser."""
    page = tmp_path / "unsafe.html"
    page.write_text(f"<!DOCTYPE html><html><head><title>plain</title></head><body>{PAYLOAD}</body></html>")
    assert _ran(browser.dump_dom(page.as_uri()))


@pytest.fixture(scope="module")
def xss_run(clean_lab, tmp_path_factory):
    """A lab whose edge01 holds two real certificates with the same script-like Friendly Name (STORE-05 fails)."""
    tmp = tmp_path_factory.mktemp("xss")
    lab = clean_lab.copy()
    my = lab.sections(HOST)["CertificateStores"]["My"]
    for days in (700, 30):
        my.append(pki.make_leaf("edgepool.contoso.local", lab.pki.issuing_rsa, now=lab.now, days_before=days,
                                days_after=365, friendly_name=PAYLOAD).record())
    inventory = lab.write(tmp / "lab")
    run = run_suite(inventory, tmp / "reports", tests=TESTS / "test_certificate_stores.py")
    assert run.failures == {("STORE-05", HOST)}, run.stdout[-3000:]
    assert PAYLOAD in "\n".join(run.messages("STORE-05", HOST))
    return run


def test_html_report_renders_the_friendly_name_as_text(xss_run):
    dom = browser.dump_dom((xss_run.report_dir / "latest.html").as_uri())
    assert "sfbcheck compliance report" in dom  # the report rendered (its script ran)
    assert "Friendly Name '&lt;script&gt;document.title=" in dom  # the payload is text
    assert not _ran(dom)
    assert "<script>document.title=" not in dom


def test_matrix_renders_the_friendly_name_as_text(xss_run):
    page = (xss_run.report_dir / "latest-matrix.html").as_uri()
    dom = browser.dump_dom(f"{page}#{HOST}/STORE-05")
    assert f"STORE-05 on {HOST}" in dom  # the detail panel of the failure is open
    assert "Friendly Name '&lt;script&gt;document.title=" in dom
    assert not _ran(dom)
    assert "<script>document.title=" not in dom


def test_junit_and_json_keep_the_friendly_name_as_data(xss_run):
    xml_text = (xss_run.report_dir / "latest.xml").read_text(encoding="utf-8")
    assert "<script>" not in xml_text
    failure = next(c for c in ET.fromstring(xml_text).iter("testcase")
                   if c.get("name") == f"test_personal_friendly_names_are_unique[{HOST}]").find("failure")
    assert failure is not None and PAYLOAD in (failure.text or "") + failure.get("message", "")
