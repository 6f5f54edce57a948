"""EVID-01 reads every server's CollectedAt from its file's head (sfbcheck/envelope.py), never a wrong one."""

from __future__ import annotations

import json

import pytest

from sfbcheck.envelope import HEAD_BYTES, collected_at_from_head
from sfbcheck.evidence import EvidenceStore

WHEN = "2026-11-30T08:00:00+00:00"


def _write(tmp_path, text: str, name: str = "fe01.contoso.local.json"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_collectors_envelope_is_read_from_the_head(clean_lab, tmp_path):
    inventory = clean_lab.write(tmp_path / "lab")
    store = EvidenceStore(inventory.parent / "evidence")
    for server, document in clean_lab.evidence.items():
        assert collected_at_from_head(store.directory / f"{server}.json") == (True, document["CollectedAt"])
        assert store.collected_at(server) == store.get(server).collected_at
    assert store.reads == dict.fromkeys(clean_lab.evidence, 1)  # only the loads above read whole files


@pytest.mark.parametrize("text", [
    json.dumps({"Sections": {}, "CollectedAt": WHEN}),  # another key order
    json.dumps({"Server": {"CollectedAt": WHEN}, "Sections": {}}),  # not the top-level key
    f'{{"CollectedAt": "{WHEN}", "CollectedAt": "2020-01-01T00:00:00Z", "Sections": {{}}}}',  # duplicated
    json.dumps({"CollectedAt": 1700000000, "Sections": {}}),  # not a string
    json.dumps({"Padding": "x" * HEAD_BYTES, "CollectedAt": WHEN, "Sections": {}}),  # beyond the head
    "[1, 2]", "", "\x00\x01",
])
def test_any_other_shape_means_load_the_file(tmp_path, text):
    assert collected_at_from_head(_write(tmp_path, text)) == (False, None)


def test_escapes_spacing_and_a_byte_order_mark_as_powershell_writes_them(tmp_path):
    text = ('\ufeff{\r\n    "Server":  "fe01\\u002econtoso.local",\r\n'
            f'    "CollectedAt":  "{WHEN}",\r\n    "Sections":  {{}}\r\n}}')
    assert collected_at_from_head(_write(tmp_path, text)) == (True, WHEN)


def test_a_missing_or_unusable_file_has_no_time(tmp_path):
    store = EvidenceStore(tmp_path)
    assert store.collected_at("nothere.contoso.local") is None
    _write(tmp_path, '{"CollectedAt": 5, "Sections": ')
    assert store.collected_at("fe01.contoso.local") is None  # loading it fails: that server errors on its own
