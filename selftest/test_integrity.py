"""The SHA-256 seal and the identity of an evidence document (sfbcheck/integrity.py; issue #17 item 4).

A hand-carried Edge file that was edited or truncated is refused naming the file; the demo lab is sealed and
validates; files of an older collector (no seal) are accepted and listed in the report header.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from sfbcheck import integrity
from sfbcheck.errors import EvidenceError
from sfbcheck.evidence import EvidenceStore, load_document

EDGE = "edge01.contoso.local"


def _edge_file(lab, tmp_path):
    lab.write(tmp_path)
    return tmp_path / "evidence" / f"{EDGE}.json"


def test_the_lab_writes_sealed_files_that_validate(clean_lab, tmp_path):
    path = _edge_file(clean_lab, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.lstrip().startswith('{\n "Integrity": "SHA-256"')
    assert integrity.verify(path.read_bytes(), json.loads(text), EDGE, path) is True
    assert integrity.unsealed_files(path.parent) == []


def test_the_committed_demo_lab_is_sealed():
    from pathlib import Path

    evidence = Path(__file__).resolve().parents[1] / "inventories" / "lab" / "evidence"
    files = sorted(evidence.glob("*.json"))
    assert files and integrity.unsealed_files(evidence) == []
    for path in files:
        server = "runner" if path.name == "runner.json" else path.stem
        load_document(path, server)  # raises if a committed file does not match its seal


@pytest.mark.parametrize("change", ["one byte", "a value edited", "truncated", "seal removed"])
def test_a_changed_edge_file_is_refused_naming_the_file(clean_lab, tmp_path, change):
    path = _edge_file(clean_lab, tmp_path)
    text = path.read_text(encoding="utf-8")
    if change == "one byte":
        cut = text.index("172.16.10.11")
        text = text[:cut] + "172.16.10.19" + text[cut + len("172.16.10.11"):]
    elif change == "a value edited":
        text = text.replace('"PartOfDomain": false', '"PartOfDomain": true', 1)
    elif change == "truncated":
        text = text[: len(text) * 2 // 3]
    else:
        text = text[:text.rindex(',\n "Sha256"')] + "\n}\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EvidenceError) as raised:
        load_document(path, EDGE)
    assert path.name in str(raised.value)
    store = EvidenceStore(path.parent)
    with pytest.raises(EvidenceError, match=path.name.replace(".", r"\.")):
        store.get(EDGE)


def test_the_collectors_compact_seal_is_accepted():
    """Collect-SfbEvidence.ps1 seals ConvertTo-Json -Compress output: hash of the text before ',"Sha256"'."""
    body = '{"Integrity":"SHA-256","SchemaVersion":1,"Server":"edge01.contoso.local","Sections":{"A":"é"}'
    text = body + ',"Sha256":"' + hashlib.sha256(body.encode("utf-8")).hexdigest() + '"}'
    document = json.loads(text)
    assert integrity.verify(text.encode("utf-8"), document, EDGE, "edge01.contoso.local.json")
    assert integrity.verify(text.encode("utf-16"), document, EDGE, "edge01.contoso.local.json")  # Out-File


def test_a_file_without_seal_is_accepted_and_listed(clean_lab, tmp_path):
    path = _edge_file(clean_lab, tmp_path)
    document = json.loads(path.read_text(encoding="utf-8"))
    del document["Sha256"], document["Integrity"]
    document["CollectorVersion"] = "1.0.0"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert load_document(path, EDGE)["Server"] == EDGE
    assert integrity.unsealed_files(path.parent) == [path.name]


@pytest.mark.parametrize(("document", "server", "ok"), [
    ({"Server": "edge01.contoso.local"}, EDGE, True),
    ({"Server": "EDGE01", "ShortName": "EDGE01", "PrimaryDnsSuffix": ""}, EDGE, True),  # EDGE-DNS-02's fault
    ({"Server": "edge01.contoso.local", "TopologyFqdn": "edge01.contoso.local", "ShortName": "edge01",
      "PrimaryDnsSuffix": "perimeter.local"}, EDGE, True),
    ({"Server": "edge01", "ShortName": "edge01", "PrimaryDnsSuffix": "perimeter.local"}, EDGE, False),
    ({"Server": "edge02.contoso.local"}, EDGE, False),
    ({"Server": "edge02", "ShortName": "edge02", "PrimaryDnsSuffix": ""}, EDGE, False),
    ({"Server": "edge01.fabrikam.local", "ShortName": "edge01", "PrimaryDnsSuffix": "fabrikam.local"}, EDGE, False),
])
def test_identity(document, server, ok):
    assert (integrity.identity_mismatch(document, server) is None) is ok
