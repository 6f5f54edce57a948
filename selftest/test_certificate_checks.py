"""Certificate checks beyond the lab's faults: TLS-style name matching, key ACL rights, and evidence whose DER
is garbage or truncated (a clear failure of the requirements that need it, never a crash)."""

from __future__ import annotations

import base64

import pytest

from selftest.harness import TESTS, run_suite
from sfbcheck.checks.certificates import name_matches
from sfbcheck.facts.assignments import grants_read
from sfbcheck.lab.model import Lab

FE01, EDGE1 = "fe01.contoso.local", "edge01.contoso.local"


@pytest.mark.parametrize(("pattern", "name", "expected"), [
    ("pool01.contoso.local", "POOL01.Contoso.Local", True),
    ("*.contoso.com", "sip.contoso.com", True),
    ("*.contoso.com", "a.sip.contoso.com", False),   # one label only
    ("*.contoso.com", "contoso.com", False),
    ("*.com", "contoso.com", False),                  # no wildcard over a top-level domain
    ("sip.contoso.com.", "sip.contoso.com", True),
    ("s*.contoso.com", "sip.contoso.com", False),     # only a whole left-most label may be a wildcard
])
def test_names_match_as_a_tls_client(pattern, name, expected):
    assert name_matches(pattern, name) is expected


@pytest.mark.parametrize(("rights", "expected"), [
    ("FullControl", True), ("Read, Synchronize", True), ("ReadAndExecute, Synchronize", True),
    ("-1610612736", True), ("268435456", True), ("Synchronize", False), ("Write, Synchronize", False),
])
def test_file_system_rights_that_grant_read(rights, expected):
    assert grants_read(rights) is expected


def _entry(lab: Lab, fqdn: str, store: str, thumbprint: str) -> dict:
    return next(e for e in lab.sections(fqdn)["CertificateStores"][store] if e["Thumbprint"] == thumbprint)


def test_garbage_and_truncated_der_fail_clearly(lab, tmp_path):
    default = next(a["Thumbprint"] for a in lab.sections(FE01)["CsCertificate"] if a["Use"] == "Default")
    entry = _entry(lab, FE01, "My", default)
    entry["RawData"] = base64.b64encode(base64.b64decode(entry["RawData"])[:200]).decode()  # truncated DER
    ca = _entry(lab, EDGE1, "CA", lab.pki.public_ca.thumbprint)
    ca["RawData"] = base64.b64encode(b"\x30\x82garbage, not a certificate").decode()         # garbage DER
    run = run_suite(lab.write(tmp_path / "lab"), tmp_path / "reports", tests=TESTS / "test_certificates.py")
    assert "Traceback" not in run.stdout and "INTERNALERROR" not in run.stdout, run.stdout[-3000:]
    assert ("CERT-02", FE01) in run.errors, run.stdout[-3000:]  # cannot judge: an error, not a failure
    failed = run.failures | run.errors
    assert {("CERT-01", FE01), ("CERT-02", FE01), ("CERT-05", FE01), ("CERT-05", EDGE1)} <= failed
    assert all(host in (FE01, EDGE1) or rid in ("CERT-06", "CERT-11") for rid, host in failed), failed
    fe01 = "\n".join(run.messages("CERT-02", FE01))
    assert "cannot judge fe01.contoso.local" in fe01 and "not a DER certificate" in fe01
    edge = "\n".join(run.messages("CERT-05", EDGE1))
    assert "Example Public TLS CA" in edge and "could not be read" in edge
