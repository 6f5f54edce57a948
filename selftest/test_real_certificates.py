"""Certificate checks on what real Windows servers hold: Windows' own roots (md5RSA, sha1RSA, a Root Agency whose
key no library loads, an md2RSA root), names and serials as Windows prints them, self-signed leaves versus CAs,
Friendly Names grouped as Group-Object groups them."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509

from sfbcheck.checks import certstore
from sfbcheck.evidence import EvidenceStore
from sfbcheck.facts.certificates import parse_entry
from sfbcheck.facts.signatures import self_signed
from sfbcheck.facts.x500 import windows_dn, windows_serial
from sfbcheck.host import Host
from sfbcheck.inventory import load_inventory
from sfbcheck.lab import pki
from sfbcheck.lab.builtin import BUILTIN
from sfbcheck.lab.model import Lab

FE1, FE4 = "fe01.contoso.local", "fe04.contoso.local"
MICROSOFT_ROOT_AUTHORITY = "A43489159A520F0D93D032CCAF37E7FE20A8B419"
ROOT_AGENCY = "FEE449EE0E3965A5246F000E87FDE2A065FD89D4"
DATA = Path(__file__).parent / "data" / "real"


def host_of(lab: Lab, tmp_path: Path, fqdn: str, edit: Callable[[Lab], None] = lambda lab: None) -> Host:
    edit(lab)
    inventory = load_inventory(lab.write(tmp_path / "lab"))
    return Host(inventory.server(fqdn), inventory, EvidenceStore(inventory.evidence_dir))


def builtin(thumbprint: str) -> pki.Issued:
    return next(c for store in ("Root", "CA") for c in pki.builtin(store) if c.thumbprint == thumbprint)


def store(lab: Lab, fqdn: str, name: str) -> list[dict]:
    return lab.sections(fqdn)["CertificateStores"][name]


# -- self-signed for every algorithm ------------------------------------------------------------------
@pytest.mark.parametrize(("store_name", "friendly_name", "der"), BUILTIN, ids=[b[1] for b in BUILTIN])
def test_every_windows_builtin_certificate_is_self_signed(store_name, friendly_name, der):
    cert = parse_entry(store_name, {"RawData": der}).cert   # Thawte Timestamping CA's serial is 0: no warning
    assert cert is not None
    verdict = self_signed(cert)
    assert verdict.value, (friendly_name, verdict.how)
    # Only Root Agency (its RSA modulus is encoded negative: no key can be loaded) is decided from names.
    assert verdict.verified is (friendly_name != "Root Agency"), verdict.how


def test_microsoft_root_authority_md5_signature_is_verified():
    entry = parse_entry("Root", builtin(MICROSOFT_ROOT_AUTHORITY).record())
    assert entry.thumbprint == MICROSOFT_ROOT_AUTHORITY
    assert entry.self_signed and entry.self_signed_verdict.verified
    assert "md5RSA signature verifies with its own key" in entry.self_signed_verdict.how
    assert entry.record["SerialNumber"] == "00C1008B3C3C8811D13EF663ECDF40"   # leading 00 kept, as Windows prints
    assert entry.subject == ("CN=Microsoft Root Authority, OU=Microsoft Corporation, "
                             "OU=Copyright (c) 1997 Microsoft Corp.")


def test_md2_root_is_decided_from_names_and_says_so():
    cert = x509.load_pem_x509_certificate((DATA / "verisign-class3-md2.pem").read_bytes())
    verdict = self_signed(cert)
    assert verdict.value and not verdict.verified
    assert "md2" in verdict.how.lower() or "1.2.840.113549.1.1.2" in verdict.how
    assert "cannot be verified here" in verdict.how
    assert windows_dn(cert.subject) == 'OU=Class 3 Public Primary Certification Authority, O="VeriSign, Inc.", C=US'


def test_same_name_signed_by_another_key_is_not_self_signed(clean_lab):
    impostor = pki.make_ca("Contoso Root CA", clean_lab.pki.internal_root, now=clean_lab.now)  # subject = issuer
    assert impostor.cert.subject == impostor.cert.issuer
    verdict = self_signed(impostor.cert)
    assert not verdict.value and "does not verify with its own key" in verdict.how


def test_windows_builtin_roots_pass_store_01_and_root_agency_store_06(lab, tmp_path):
    fe = host_of(lab, tmp_path, FE1)
    roots = {e["Thumbprint"] for e in store(lab, FE1, "Root")}
    assert MICROSOFT_ROOT_AUTHORITY in roots and ROOT_AGENCY in {e["Thumbprint"] for e in store(lab, FE1, "CA")}
    assert certstore.root_only_self_signed(fe.evidence) == []
    assert certstore.intermediate_no_self_signed(fe.evidence) == []


def test_md5_self_signed_root_in_personal_and_intermediate_fails(lab, tmp_path):
    def edit(lab: Lab) -> None:
        store(lab, FE1, "My").append(builtin(MICROSOFT_ROOT_AUTHORITY).record())
        store(lab, FE1, "CA").append(builtin(MICROSOFT_ROOT_AUTHORITY).record())

    fe = host_of(lab, tmp_path, FE1, edit)
    [personal] = certstore.personal_no_self_signed(fe.evidence)
    assert not personal.warning and MICROSOFT_ROOT_AUTHORITY in personal.message
    assert "md5RSA signature verifies" in personal.evidence
    [intermediate] = certstore.intermediate_no_self_signed(fe.evidence)
    assert MICROSOFT_ROOT_AUTHORITY in intermediate.message


def test_self_signed_leaf_in_personal_is_a_warning(lab, tmp_path):
    wmsvc = pki.self_signed_leaf("WMSvc-FE01", now=lab.now)
    fe = host_of(lab, tmp_path, FE1, lambda lab: store(lab, FE1, "My").append(wmsvc.record(friendly_name="")))
    [problem] = certstore.personal_no_self_signed(fe.evidence)
    assert problem.warning and "WMSvc-FE01" in problem.message and "end-entity" in problem.evidence


def test_self_signed_ca_in_personal_fails(lab, tmp_path):
    root = pki.make_root("Test Root", now=lab.now)
    fe = host_of(lab, tmp_path, FE1, lambda lab: store(lab, FE1, "My").append(root.record()))
    [problem] = certstore.personal_no_self_signed(fe.evidence)
    assert not problem.warning and "root (CA)" in problem.message


# -- Friendly Names as Group-Object groups them --------------------------------------------------------
@pytest.mark.parametrize(("names", "groups"), [
    (["Edge Internal 2026", "EDGE INTERNAL 2026"], 1),   # Group-Object is case-insensitive by default
    (["Edge Internal 2026", "Edge Internal 2026 "], 0),  # ... and does not trim: two different names
    (["", ""], 0),                                        # empty names are not Friendly Names (catalog)
    ([" ", " "], 1),                                      # a blank name is a name
])
def test_friendly_names_grouped_as_group_object(lab, tmp_path, names, groups):
    def edit(lab: Lab) -> None:
        for i, name in enumerate(names):
            store(lab, FE1, "My").append(pki.make_leaf(f"extra{i}.contoso.local", lab.pki.issuing_rsa, now=lab.now,
                                                       friendly_name=name).record())

    fe = host_of(lab, tmp_path, FE1, edit)
    assert len(certstore.personal_unique_friendly_names(fe.evidence)) == groups


# -- Windows' printing -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("serial", "printed"), [(0x7F, "7F"), (0x80, "0080"), (0, "00"),
                                                 (0xC1008B3C3C8811D13EF663ECDF40, "00C1008B3C3C8811D13EF663ECDF40")])
def test_serial_numbers_print_like_windows(serial, printed):
    assert windows_serial(serial) == printed


def test_lab_records_print_like_windows(clean_lab):
    thawte = next(c for c in pki.builtin("Root") if c.friendly_name == "Thawte Timestamping CA")
    record = thawte.record()
    assert record["Subject"] == ("CN=Thawte Timestamping CA, OU=Thawte Certification, O=Thawte, L=Durbanville, "
                                 "S=Western Cape, C=ZA")
    assert record["SerialNumber"] == "00"
    assert hashlib.sha1(base64.b64decode(record["RawData"])).hexdigest().upper() == record["Thumbprint"]  # noqa: S324
    leaf = clean_lab.pki.assigned[FE4]["Default"].record()
    assert leaf["Subject"] == "CN=pool02.contoso.local, O=Contoso Ltd, C=US"


# -- names: a wildcard SAN does not stand for a pool, a server or an Edge external name ----------------------
def _reassign(lab: Lab, fqdn: str, uses: tuple[str, ...], issued: pki.Issued) -> None:
    from sfbcheck.lab.faults.certificates import assign

    assign(lab, fqdn, uses, issued)


def test_wildcard_san_does_not_stand_for_pool_or_server(lab, tmp_path):
    from sfbcheck.checks.certificates import carries_names

    wildcard = pki.make_leaf("pool01.contoso.local", lab.pki.issuing_rsa, now=lab.now,
                             sans=["pool01.contoso.local", "*.contoso.local", "sip.contoso.com"])
    fe = host_of(lab, tmp_path, FE1, lambda lab: _reassign(lab, FE1, ("Default", "WebServicesInternal",
                                                                        "WebServicesExternal"), wildcard))
    [problem] = carries_names(fe, "Default")
    assert "lacks fe01.contoso.local" in problem.message
    assert "the wildcard *.contoso.local does not stand for fe01.contoso.local" in problem.message
    assert "Wildcard certificate support" in problem.message


def test_wildcard_san_does_not_stand_for_edge_external_names(lab, tmp_path):
    from sfbcheck.checks.certificates import access_edge_names
    from sfbcheck.lab.sections.certificates import EDGE_EXTERNAL_USES

    external = pki.make_leaf("sip.contoso.com", lab.pki.public_ca, now=lab.now,
                             sans=["sip.contoso.com", "webconf.contoso.com", "*.fabrikam.com"])
    edge = "edge01.contoso.local"
    host = host_of(lab, tmp_path, edge, lambda lab: _reassign(lab, edge, EDGE_EXTERNAL_USES, external))
    [problem] = access_edge_names(host)
    assert "lacks sip.fabrikam.com" in problem.message and "*.fabrikam.com does not stand for" in problem.message


# -- rollover: the certificate in effect at CollectedAt is judged; the pending one apart -----------------------
def test_rollover_judges_the_certificate_in_effect(clean_lab, tmp_path):
    from sfbcheck.facts.assignments import assignment, pending_assignments

    lab = clean_lab.copy()
    fe = host_of(lab, tmp_path, FE1)
    current, (nxt, _, _) = lab.pki.assigned[FE1]["OAuthTokenIssuer"], lab.pki.pending[FE1]["OAuthTokenIssuer"]
    table = lab.sections(FE1)["CsCertificate"]
    assert [a["Thumbprint"] for a in table if a["Use"] == "OAuthTokenIssuer"] == [current.thumbprint, nxt.thumbprint]
    assert assignment(fe.evidence, "OAuthTokenIssuer").thumbprint == current.thumbprint
    [pending] = pending_assignments(fe.evidence)
    assert pending.thumbprint == nxt.thumbprint and pending.previous_thumbprint == current.thumbprint


def test_rollover_after_its_effective_date_judges_the_new_certificate(lab, tmp_path):
    from sfbcheck.facts.assignments import assignment, pending_assignments

    def edit(lab: Lab) -> None:
        for entry in lab.sections(FE1)["CsCertificate"]:
            if entry.get("EffectiveDate"):
                entry["EffectiveDate"] = (lab.now.replace(year=lab.now.year - 1)).isoformat()

    fe = host_of(lab, tmp_path, FE1, edit)
    rolled_on = lab.pki.pending[FE1]["OAuthTokenIssuer"][0]
    assert assignment(fe.evidence, "OAuthTokenIssuer").thumbprint == rolled_on.thumbprint
    assert pending_assignments(fe.evidence) == []


def test_two_entries_for_a_use_without_effective_date_cannot_be_judged(lab, tmp_path):
    from sfbcheck.errors import EvidenceGap
    from sfbcheck.facts.assignments import assignment

    def edit(lab: Lab) -> None:
        for entry in lab.sections(FE1)["CsCertificate"]:
            entry.pop("EffectiveDate", None)

    fe = host_of(lab, tmp_path, FE1, edit)
    with pytest.raises(EvidenceGap, match="no EffectiveDate tells which is in effect"):
        assignment(fe.evidence, "OAuthTokenIssuer")


def test_pending_rollover_certificate_missing_from_personal_store_fails_cert_01(lab, tmp_path):
    from sfbcheck.checks.certificates import assigned_in_personal_store

    nxt = lab.pki.pending[FE1]["OAuthTokenIssuer"][0]
    fe = host_of(lab, tmp_path, FE1, lambda lab: store(lab, FE1, "My").remove(
        next(e for e in store(lab, FE1, "My") if e["Thumbprint"] == nxt.thumbprint)))
    [problem] = assigned_in_personal_store(fe, "OAuthTokenIssuer")
    assert "Set-CsCertificate -Roll" in problem.message and "not in LocalMachine\\My" in problem.message


# -- keys: the key file must exist; accounts by SID ---------------------------------------------------------
def test_key_file_not_reported_cannot_be_judged(lab, tmp_path):
    from sfbcheck.checks.certificates import has_private_key
    from sfbcheck.errors import EvidenceGap

    fe = host_of(lab, tmp_path, FE1, lambda lab: [e.pop("PrivateKeyFile", None) for e in store(lab, FE1, "My")])
    with pytest.raises(EvidenceGap, match="HasPrivateKey alone"):
        has_private_key(fe, "Default")


def test_ecdsa_keys_live_in_cng_keys_and_rsa_in_machine_keys(clean_lab):
    ecdsa = next(e for e in store(clean_lab, FE4, "My") if e["Thumbprint"] ==
                 clean_lab.pki.assigned[FE4]["Default"].thumbprint)
    rsa_entry = next(e for e in store(clean_lab, FE1, "My") if e["Thumbprint"] ==
                     clean_lab.pki.assigned[FE1]["Default"].thumbprint)
    assert "\\Microsoft\\Crypto\\Keys\\" in ecdsa["PrivateKeyFile"]
    assert "\\Microsoft\\Crypto\\RSA\\MachineKeys\\" in rsa_entry["PrivateKeyFile"]


def test_key_acl_judged_by_sid_on_a_german_server(lab, tmp_path):
    from sfbcheck.checks.certificates import private_key_readable

    def german(lab: Lab) -> None:
        for entry in store(lab, FE1, "My"):
            for rule in entry.get("PrivateKeyAccess") or []:
                rule["IdentityReference"] = {"S-1-5-18": "NT-AUTORITÄT\\SYSTEM",
                                             "S-1-5-20": "NT-AUTORITÄT\\NETZWERKDIENST",
                                             "S-1-5-32-544": "VORDEFINIERT\\Administratoren"}.get(
                    rule["Sid"], rule["IdentityReference"])
            entry["PrivateKeyAccess"] = [r for r in entry.get("PrivateKeyAccess") or []
                                         if "RTC" not in r["IdentityReference"]]

    fe = host_of(lab, tmp_path, FE1, german)
    assert private_key_readable(fe, "Default") == []           # NETZWERKDIENST is S-1-5-20: readable


def test_key_acl_denying_everyone_by_sid_fails(lab, tmp_path):
    from sfbcheck.checks.certificates import private_key_readable

    def deny(lab: Lab) -> None:
        entry = next(e for e in store(lab, FE1, "My") if e["Thumbprint"] ==
                     lab.pki.assigned[FE1]["Default"].thumbprint)
        entry["PrivateKeyAccess"].append({"IdentityReference": "Jeder", "Sid": "S-1-1-0",
                                          "FileSystemRights": "Read", "AccessControlType": "Deny"})

    fe = host_of(lab, tmp_path, FE1, deny)
    [problem] = private_key_readable(fe, "Default")
    assert "denies read to Jeder" in problem.message


# -- CERT-06 / CERT-11 built once per run --------------------------------------------------------------------
def test_frontend_pki_is_built_once_for_every_edge(clean_lab, tmp_path, monkeypatch):
    from sfbcheck.checks import certificates
    from sfbcheck.facts import chain
    from sfbcheck.targets import TARGETS

    inventory = load_inventory(clean_lab.copy().write(tmp_path / "lab"))
    cases = list(TARGETS[("edge", "frontends")](inventory, EvidenceStore(inventory.evidence_dir)))
    built = []
    original = chain.StoreIndex.__init__

    def counting(self, *all_stores, merged=False):
        built.append((len(all_stores), merged))
        original(self, *all_stores, merged=merged)

    monkeypatch.setattr(chain.StoreIndex, "__init__", counting)
    for case in cases * 3:   # three runs' worth of Edge cases sharing one Front End tuple
        edge, frontends = case.values
        assert certificates.same_root_as_frontends(edge, frontends) == []
        assert certificates.trusts_internal_cas(edge, frontends) == []
    merged_over_frontends = [n for n, merged in built if merged and n > 1]
    assert merged_over_frontends == [len(cases[0].values[1])]    # one merged index of all Front Ends, once


@pytest.mark.parametrize("kind", ["dsa", "pss", "ecdsa", "rsa", "sha1rsa"])
def test_self_signed_verified_for_every_algorithm(kind):
    from datetime import UTC, datetime, timedelta

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding

    now = datetime.now(UTC)
    key = {"dsa": lambda: dsa.generate_private_key(2048), "ecdsa": lambda: ec.generate_private_key(ec.SECP384R1())
           }.get(kind, lambda: pki.new_key("rsa"))()
    subject = pki.name(f"{kind} root")
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
               .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True))
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
    issued = pki.Issued(builder.sign(key, hashes.SHA256(), rsa_padding=pss if kind == "pss" else None), key)
    if kind == "sha1rsa":
        issued = pki.sha1_signed(issued, issued)
    verdict = self_signed(issued.cert)
    assert verdict.value and verdict.verified, verdict.how
    assert parse_entry("Root", issued.record()).self_signed


# -- corpus: selftest/data/real (sources in its README) --------------------------------------------------------
def _corpus_evidence(name: str):
    import json

    from sfbcheck.evidence import Evidence

    sections = {"CertificateStores": json.loads((DATA / name).read_text(encoding="utf-8"))}
    document = {"SchemaVersion": 1, "Server": "corpus", "CollectedAt": "2024-05-06T12:00:00Z", "Sections": sections}
    return Evidence("corpus", DATA, document)


def test_corpus_builtin_roots_parse_and_print_as_windows_does():
    from sfbcheck.facts.certificates import stores as parsed_stores

    evidence = _corpus_evidence("CertificateStores--windows-builtin-roots.json")
    parsed = parsed_stores(evidence)
    assert len(parsed["Root"]) == 12 and len(parsed["CA"]) == 1
    for entry in parsed["Root"] + parsed["CA"]:
        assert entry.cert is not None and entry.error == ""
        assert entry.thumbprint == entry.record["Thumbprint"]          # SHA-1 of the DER, as Windows computes it
        assert entry.subject == entry.record["Subject"], entry.thumbprint  # the public listing's Subject column
        assert entry.self_signed, entry.self_signed_verdict.how
        assert windows_serial(entry.serial_number) == entry.record["SerialNumber"]
    assert certstore.root_only_self_signed(evidence) == []
    assert certstore.intermediate_no_self_signed(evidence) == []
    assert certstore.root_no_duplicates(evidence) == []
    assert certstore.root_size(evidence) == []


def test_corpus_md2_root_parses():
    entry = parse_entry("Root", {"RawData": base64.b64encode(x509.load_pem_x509_certificate(
        (DATA / "verisign-class3-md2.pem").read_bytes()).public_bytes(pki.serialization.Encoding.DER)).decode()})
    assert entry.cert is not None and entry.self_signed and not entry.self_signed_verdict.verified
    assert entry.thumbprint == "742C3192E607E424EB4549542BE1BBC53E6174E2"


@pytest.mark.parametrize(("identity", "sid_of_machine", "readable"), [
    ("FE01\\RTC-Servergruppe (renamed)", True, True),        # the machine's RTC Server Local Group, by its SID
    ("CONTOSO\\RTC Server Local Group", False, False),       # the English name, but a domain group's SID
])
def test_rtc_group_matched_by_the_sid_in_evidence(lab, tmp_path, identity, sid_of_machine, readable):
    from sfbcheck.checks.certificates import private_key_readable
    from sfbcheck.lab.sections.certificates import machine_sid

    def edit(lab: Lab) -> None:
        entry = next(e for e in store(lab, FE1, "My") if e["Thumbprint"] ==
                     lab.pki.assigned[FE1]["Default"].thumbprint)
        sid = f"{machine_sid(FE1)}-1001" if sid_of_machine else "S-1-5-21-111-222-333-1001"
        entry["PrivateKeyAccess"] = [r for r in entry["PrivateKeyAccess"] if "RTC" not in r["IdentityReference"]
                                     and r["Sid"] != "S-1-5-20"] + [
            {"IdentityReference": identity, "Sid": sid, "FileSystemRights": "Read", "AccessControlType": "Allow"}]

    fe = host_of(lab, tmp_path, FE1, edit)
    assert (private_key_readable(fe, "Default") == []) is readable
