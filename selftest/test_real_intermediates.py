"""Real public intermediate CAs in LocalMachine\\CA (sfbcheck.lab.intermediates; sources in
selftest/data/real/README.md): each is signed by one of Windows' built-in roots the lab holds, prints as Windows
prints it, and leaves STORE-01…06 passing, the expired Microsoft Windows Production PCA 2011 included (no STORE
requirement judges the validity of an intermediate; a chain through it is judged as expired)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sfbcheck.checks import certstore
from sfbcheck.evidence import Evidence
from sfbcheck.facts.certificates import parse_entry
from sfbcheck.facts.certificates import stores as parsed_stores
from sfbcheck.facts.chain import build_chain
from sfbcheck.facts.x500 import windows_serial
from sfbcheck.lab import pki
from sfbcheck.lab.model import Lab

DATA = Path(__file__).parent / "data" / "real"
CORPUS = "CertificateStores--public-intermediates.json"
PRODUCTION_PCA_2011 = "580A6F4CC4E4B669B9EBDC1B2B3E087B80D0678D"
DIGICERT_G2_TLS_CA1 = "1B511ABEAD59C6CE207077C0BF0E0043B1382612"   # as public pinning lists quote it
LETS_ENCRYPT_R11 = "696DB3AF0DFFC17E65C6A20D925C5A7BD24DEC7E"
# How Windows prints the issuer of its own binaries' signing certificates (public Authenticode listings of
# Windows system files: "Issuer: CN=Microsoft Windows Production PCA 2011, O=Microsoft Corporation, ...").
PRODUCTION_PCA_2011_AS_WINDOWS_PRINTS_IT = ("CN=Microsoft Windows Production PCA 2011, O=Microsoft Corporation, "
                                            "L=Redmond, S=Washington, C=US")
ISSUERS = {PRODUCTION_PCA_2011: "Microsoft Root Certificate Authority 2010",
           DIGICERT_G2_TLS_CA1: "DigiCert Global Root G2", LETS_ENCRYPT_R11: "ISRG Root X1"}


def evidence_at(collected_at: str) -> Evidence:
    """A server whose Root store holds Windows' built-in roots and whose CA store holds Root Agency and the
    corpus' intermediates, collected at ``collected_at``."""
    ca = json.loads((DATA / CORPUS).read_text(encoding="utf-8"))["CA"]
    sections = {"CertificateStores": {
        "My": [], "Root": [c.record(has_private_key=False) for c in pki.builtin("Root")],
        "CA": [c.record(has_private_key=False) for c in pki.builtin("CA")] + ca}}
    document = {"SchemaVersion": 1, "Server": "corpus", "CollectedAt": collected_at, "Sections": sections}
    return Evidence("corpus", DATA, document)


@pytest.mark.parametrize("intermediate", pki.public_intermediates(), ids=lambda c: c.thumbprint[:8])
def test_each_is_a_ca_signed_by_a_builtin_root(intermediate):
    roots = {root.cert.subject: root for root in pki.builtin("Root")}
    root = roots[intermediate.cert.issuer]
    assert root.friendly_name == ISSUERS[intermediate.thumbprint]
    intermediate.cert.verify_directly_issued_by(root.cert)   # raises unless the root's key verifies it
    entry = parse_entry("CA", intermediate.record(has_private_key=False))
    assert entry.cert is not None and entry.error == "" and entry.is_ca and not entry.self_signed


def test_corpus_file_is_the_labs_ca_entries_as_windows_prints_them():
    corpus = json.loads((DATA / CORPUS).read_text(encoding="utf-8"))["CA"]
    assert corpus == [c.record(has_private_key=False) for c in pki.public_intermediates()]
    by_thumbprint = {entry["Thumbprint"]: entry for entry in corpus}
    assert set(by_thumbprint) == set(ISSUERS)
    pca = by_thumbprint[PRODUCTION_PCA_2011]
    assert pca["Subject"] == PRODUCTION_PCA_2011_AS_WINDOWS_PRINTS_IT
    assert pca["SerialNumber"] == "61077656000000000008" and pca["NotAfter"].startswith("2026-10-19")
    assert by_thumbprint[LETS_ENCRYPT_R11]["SerialNumber"].startswith("008A")   # leading 00 kept: high bit set
    for entry in parsed_stores(evidence_at("2026-06-01T00:00:00Z"))["CA"]:
        assert windows_serial(entry.serial_number) == entry.record["SerialNumber"]
        assert entry.subject == entry.record["Subject"]


@pytest.mark.parametrize("collected_at", ["2026-06-01T00:00:00Z", "2026-11-01T00:00:00Z"])
def test_store_requirements_pass_with_real_intermediates_expired_or_not(collected_at):
    evidence = evidence_at(collected_at)
    assert certstore.root_only_self_signed(evidence) == []
    assert certstore.root_no_duplicates(evidence) == []
    assert certstore.root_size(evidence) == []
    assert certstore.personal_no_self_signed(evidence) == []
    assert certstore.personal_unique_friendly_names(evidence) == []
    assert certstore.intermediate_no_self_signed(evidence) == []   # STORE-06: CA entries, none self-signed


@pytest.mark.parametrize(("collected_at", "expired"), [("2026-06-01T00:00:00Z", False),
                                                       ("2026-11-01T00:00:00Z", True)])
def test_chain_through_production_pca_2011_reaches_the_2010_root_and_expires(collected_at, expired):
    stores = parsed_stores(evidence_at(collected_at))
    pca = next(e for e in stores["CA"] if e.thumbprint == PRODUCTION_PCA_2011)
    result = build_chain(pca, stores, datetime.fromisoformat(collected_at).astimezone(UTC))
    assert (result.kind == "expired") is expired and result.ok is not expired, result.problem
    if expired:
        assert "Microsoft Windows Production PCA 2011" in result.problem and "expired on 2026-10-19" in result.problem
    else:
        assert result.root is not None
        assert result.root.subject.startswith("CN=Microsoft Root Certificate Authority 2010")


def test_clean_lab_holds_them_in_every_ca_store(clean_lab: Lab):
    holders = [fqdn for fqdn, document in clean_lab.evidence.items()
               if "CertificateStores" in document.get("Sections", {})]
    assert holders
    for fqdn in holders:
        assert set(ISSUERS) <= {e["Thumbprint"] for e in clean_lab.sections(fqdn)["CertificateStores"]["CA"]}, fqdn
