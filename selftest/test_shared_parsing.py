"""What is parsed once and shared across servers (a large run's hot paths) never makes a different or damaged
input share another's verdict: certificates are shared by their exact DER bytes, deployment-wide sections by
their exact JSON values and types, hosts-file lines by their exact text and place."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence, EvidenceStore
from sfbcheck.facts.backup import registrars, relationships
from sfbcheck.facts.certificates import parse_entry
from sfbcheck.facts.hosts import parse_hosts
from sfbcheck.lab import pki

MICROSOFT_ROOT_AUTHORITY = "A43489159A520F0D93D032CCAF37E7FE20A8B419"


def _registrar(**changes: object) -> list[dict]:
    """Get-CsService -Registrar as every Front End of a two-pool topology lists it."""
    rows = [{"Identity": f"Registrar:{pool}", "PoolFqdn": pool, "BackupRegistrar": f"Registrar:{backup}",
             "EnableAutomaticFailover": True, "FailureDetectionInterval": "00:05:00",
             "FailbackDetectionInterval": "00:10:00"}
            for pool, backup in (("pool01.contoso.local", "pool02.contoso.local"),
                                 ("pool02.contoso.local", "pool01.contoso.local"))]
    rows[1].update(changes)
    return rows


def _store(tmp_path: Path, sections: dict[str, dict]) -> EvidenceStore:
    for fqdn, body in sections.items():
        document = {"SchemaVersion": 1, "Server": fqdn, "Sections": body}
        (tmp_path / f"{fqdn}.json").write_text(json.dumps(document, indent=1))
    return EvidenceStore(tmp_path)


def test_identical_deployment_sections_are_parsed_once(tmp_path):
    store = _store(tmp_path, {f"fe0{i}.contoso.local": {"CsServiceRegistrar": _registrar(),
                                                        "CsPoolBackupRelationship": []} for i in (1, 2, 3)})
    first, *others = (store.get(f"fe0{i}.contoso.local") for i in (1, 2, 3))
    assert all(registrars(other) is registrars(first) for other in others)
    assert all(relationships(other) is relationships(first) for other in others)
    assert registrars(first)["pool02.contoso.local"].failure_detection == 300


@pytest.mark.parametrize(("change", "why"), [
    ({"EnableAutomaticFailover": 1}, "EnableAutomaticFailover is 1, not True/False"),
    ({"EnableAutomaticFailover": "maybe"}, "EnableAutomaticFailover is 'maybe'"),
    ({"FailureDetectionInterval": None}, "FailureDetectionInterval is None, not a time span"),
    ({"PoolFqdn": ""}, "an entry has no PoolFqdn"),
])
def test_a_value_of_another_type_is_judged_on_its_own(tmp_path, change, why):
    """``1`` equals ``True`` in Python: the shared parse must still tell them apart (type and value)."""
    store = _store(tmp_path, {"fe01.contoso.local": {"CsServiceRegistrar": _registrar()},
                              "fe04.contoso.local": {"CsServiceRegistrar": _registrar(**change)},
                              "fe05.contoso.local": {"CsServiceRegistrar": _registrar()}})
    good = registrars(store.get("fe01.contoso.local"))
    with pytest.raises(EvidenceGap) as gap:
        registrars(store.get("fe04.contoso.local"))
    assert gap.value.server == "fe04.contoso.local" and why in str(gap.value)
    assert registrars(store.get("fe05.contoso.local")) is good  # a failed parse shares nothing


def test_equal_values_of_other_types_are_not_shared(tmp_path):
    store = _store(tmp_path, {"fe01.contoso.local": {"CsServiceRegistrar": _registrar()},
                              "fe04.contoso.local": {"CsServiceRegistrar": _registrar(FailureDetectionInterval=300)},
                              "fe05.contoso.local": {"CsServiceRegistrar": _registrar(FailureDetectionInterval=300.0)}})
    parsed = [registrars(store.get(f)) for f in ("fe01.contoso.local", "fe04.contoso.local", "fe05.contoso.local")]
    assert len({id(p) for p in parsed}) == 3
    assert {p["pool02.contoso.local"].failure_detection for p in parsed} == {300.0}


def test_a_missing_section_is_a_gap_on_each_server(tmp_path):
    store = _store(tmp_path, {"fe01.contoso.local": {}, "fe04.contoso.local": {"CsServiceRegistrar": None}})
    for fqdn in ("fe01.contoso.local", "fe04.contoso.local"):
        with pytest.raises(EvidenceGap) as gap:
            registrars(store.get(fqdn))
        assert gap.value.server == fqdn


def test_evidence_built_in_memory_is_never_shared():
    """Only documents read from files are plain JSON values; an in-memory document may hold other types."""
    one, two = (Evidence(f"fe0{i}.contoso.local", Path(f"fe0{i}.json"), {"Sections": {"CsServiceRegistrar":
                                                                                    _registrar()}})
                for i in (1, 2))
    assert registrars(one) == registrars(two) and registrars(one) is not registrars(two)


def test_a_certificate_damaged_in_one_byte_is_parsed_and_judged_on_its_own():
    record = next(c for c in pki.builtin("Root") if c.thumbprint == MICROSOFT_ROOT_AUTHORITY).record()
    der = bytearray(base64.b64decode(record["RawData"]))
    der[-1] ^= 0x01  # the last byte of the signature
    damaged = record | {"RawData": base64.b64encode(bytes(der)).decode()}
    good, bad, again = parse_entry("Root", record), parse_entry("Root", damaged), parse_entry("Root", record)
    assert good.cert is again.cert and good.self_signed
    assert bad.cert is not None and bad.cert is not good.cert
    assert not bad.self_signed and "does not verify" in bad.self_signed_verdict.how
    assert bad.thumbprint != good.thumbprint


def test_hosts_lines_are_read_by_their_text_and_place():
    one = parse_hosts("10.0.0.1\tfe01.contoso.local\n10.0.0.2\tfe02.contoso.local\n")
    two = parse_hosts("# moved\n10.0.0.1\tfe01.contoso.local\n10.0.0.2 fe02.contoso.local\u00a0\n")
    assert [e.line for e in one.entries] == [1, 2] and [e.line for e in two.entries] == [2, 3]
    assert not one.malformed and [m.line for m in two.malformed] == [3]
    assert two.with_name("FE02.contoso.local") == [] and two.members("fe01.contoso.local") == [two.entries[0]]
    assert one.addresses("FE02.CONTOSO.LOCAL") == [one.entries[1].ip]
