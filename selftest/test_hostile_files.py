"""Hostile and broken inventory and waivers files: read in any encoding Windows writes, bounded in size, nesting
and alias expansion, duplicate keys refused, names that are FQDNs, references that make sense, waivers that fail
closed. Every refusal names the file, the object and the field; none is a traceback."""

from __future__ import annotations

import copy
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from selftest.harness import TESTS, run_suite
from sfbcheck import yamlfile
from sfbcheck.errors import InventoryError
from sfbcheck.inventory import load_inventory
from sfbcheck.lab.faults import apply
from sfbcheck.report.waivers import WaiverError, load_waivers

TODAY = date.today()
BILLION_LAUGHS = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))


def _inventory_text(lab) -> str:
    return yaml.safe_dump(lab.inventory, sort_keys=False)


def _write(tmp_path: Path, data: bytes | str, name: str = "inventory.yml") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# -- encodings -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_inventory_in_any_windows_encoding_loads(clean_lab, tmp_path, encoding):
    text = "# Contoso – Lync-Bestandsaufnahme\n" + _inventory_text(clean_lab)
    inventory = load_inventory(_write(tmp_path, text.encode(encoding)))
    assert inventory.deployment == clean_lab.inventory["deployment"]


def test_inventory_in_a_legacy_code_page_is_refused_clearly(clean_lab, tmp_path):
    text = "# Bestandsaufnahme für Contoso\n" + _inventory_text(clean_lab)
    with pytest.raises(InventoryError, match=r"UTF-8 or UTF-16 text, got byte 0xfc at offset 20"):
        load_inventory(_write(tmp_path, text.encode("cp1252")))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_waivers_in_utf16_and_bom_load(tmp_path, encoding):
    text = (f"waivers:\n- requirement: STORE-05\n  host: edge01.contoso.local\n  justification: Änderung\n"
            f"  ticket: CHG-1\n  expires: {TODAY + timedelta(days=10)}\n")
    assert len(load_waivers(_write(tmp_path, text.encode(encoding), "waivers.yml")).entries) == 1


# -- bounds ----------------------------------------------------------------------------------------------------
def test_billion_laughs_is_refused_at_once(tmp_path):
    started = time.monotonic()
    with pytest.raises(InventoryError, match="anchors and aliases are expanded"):
        load_inventory(_write(tmp_path, BILLION_LAUGHS))
    with pytest.raises(WaiverError, match="anchors and aliases are expanded"):
        load_waivers(_write(tmp_path, BILLION_LAUGHS, "waivers.yml"))
    assert time.monotonic() - started < 5


def test_a_few_anchors_are_fine(clean_lab, tmp_path):
    data = copy.deepcopy(clean_lab.inventory)
    text = yaml.safe_dump(data, sort_keys=False)
    text = "x-sip: &sip contoso.com\n" + text.replace("- name: contoso.com", "- name: *sip", 1)
    with pytest.raises(InventoryError, match="x-sip"):  # an unknown top-level field, not a YAML problem
        load_inventory(_write(tmp_path, text))


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, "a:\n" + "".join(" " * i + "- \n" for i in range(1, 300))],
                         ids=["flow", "block"])
def test_deep_yaml_is_refused(tmp_path, text):
    with pytest.raises(InventoryError, match="levels of nesting"):
        load_inventory(_write(tmp_path, text))


def test_oversized_file_is_refused(clean_lab, tmp_path, monkeypatch):
    monkeypatch.setattr(yamlfile, "MAX_BYTES", 1000)
    with pytest.raises(InventoryError, match="at most 1,000 bytes"):
        load_inventory(_write(tmp_path, _inventory_text(clean_lab)))


def test_duplicate_key_is_refused(clean_lab, tmp_path):
    text = _inventory_text(clean_lab) + "cms:\n  pool: pool02.contoso.local\n"
    with pytest.raises(InventoryError, match=r"each key once in a mapping: 'cms' is already given at line \d+"):
        load_inventory(_write(tmp_path, text))


def test_bad_inventory_is_a_usage_error_not_a_traceback(tmp_path):
    run = run_suite(_write(tmp_path, BILLION_LAUGHS), tmp_path / "reports")
    assert run.returncode == 4, run.stdout[-2000:] + run.stderr[-2000:]
    assert "anchors and aliases" in run.stderr and "Traceback" not in run.stdout + run.stderr
    assert "INTERNALERROR" not in run.stdout + run.stderr


# -- names and references --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["fe01/../../../tmp/x.contoso.local", "fe01\x00.contoso.local", "*.contoso.local",
                                  "<img src=x>.contoso.local", "fe01..contoso.local", "-fe01.contoso.local",
                                  "fe01.contoso.local\\x", "fe 01.contoso.local"])
def test_server_names_must_be_fqdns(clean_lab, tmp_path, name):
    data = copy.deepcopy(clean_lab.inventory)
    data["pools"][0]["members"][0]["fqdn"] = name
    with pytest.raises(InventoryError, match="RFC 1123"):
        load_inventory(_write(tmp_path, yaml.safe_dump(data)))


def _edge_pool(data: dict) -> dict:
    return next(p for p in data["pools"] if p["role"] == "edge")


def _broken(data: dict) -> dict:
    """Four unrelated mistakes at once."""
    edge = _edge_pool(data)
    edge["members"][1]["ip"] = edge["members"][0]["ip"]                       # duplicate internal IP
    edge["next_hop"] = next(p["fqdn"] for p in data["pools"] if p["role"] == "owas")  # next hop not FE/Director
    edge["internal_gateway"] = edge["members"][0]["ip"]                         # gateway = an Edge's own IP
    next(p for p in data["pools"] if p["role"] == "frontend")["backup"] = edge["fqdn"]  # backup not a FE pool
    return data


def test_every_inventory_mistake_is_reported_at_once(clean_lab, tmp_path):
    with pytest.raises(InventoryError) as caught:
        load_inventory(_write(tmp_path, yaml.safe_dump(_broken(copy.deepcopy(clean_lab.inventory)))))
    text = str(caught.value)
    for phrase in ("a unique IP address; 172.16.10.11 is already the address of edge01.contoso.local",
                   "next_hop: expected a Front End or Director pool, got the owas pool",
                   "internal_gateway: expected the router of the internal DMZ subnet",
                   "backup: expected a Front End pool backing a Front End pool, got the edge pool"):
        assert phrase in text, text
    assert len(caught.value.problems) >= 4


def test_policy_bounds_need_min_below_max(clean_lab, tmp_path):
    data = copy.deepcopy(clean_lab.inventory)
    data.setdefault("policy", {})["failover_detection_seconds"] = {"min": 900, "max": 60}
    with pytest.raises(InventoryError, match=r"policy\.failover_detection_seconds: expected min ≤ max, got min 900"):
        load_inventory(_write(tmp_path, yaml.safe_dump(data)))


# -- waivers fail closed -----------------------------------------------------------------------------------------
def _waiver(**fields) -> dict:
    return {"requirement": "STORE-05", "host": "edge01.contoso.local", "justification": "renewal pending",
            "ticket": "CHG-1", "expires": TODAY + timedelta(days=30), **fields}


def _waivers(tmp_path: Path, *entries: dict) -> Path:
    return _write(tmp_path, yaml.safe_dump({"waivers": list(entries)}, sort_keys=False), "waivers.yml")


@pytest.mark.parametrize(("fields", "phrase"), [
    ({"host": "*"}, "to waive the requirement on every host write all_hosts: true instead of host"),
    ({"expires": date(9999, 12, 31)}, "an expiry within 365 days of today"),
    ({"all_hosts": True}, "either host or all_hosts: true, not both"),
])
def test_waiver_that_would_fail_open_is_refused(tmp_path, fields, phrase):
    with pytest.raises(WaiverError, match=phrase):
        load_waivers(_waivers(tmp_path, _waiver(**fields)))


def test_every_waiver_mistake_is_reported_at_once(tmp_path):
    with pytest.raises(WaiverError) as caught:
        load_waivers(_waivers(tmp_path, _waiver(host="*", ticket="A"), _waiver(requirement="NOPE-1", ticket="B"),
                              _waiver(ticket="C", justification="")))
    text = str(caught.value)
    assert "entry 1 (ticket A)" in text and "entry 2 (ticket B), field requirement" in text
    assert "entry 3 (ticket C), field justification" in text and len(caught.value.problems) == 3


def test_duplicate_waiver_field_is_refused(tmp_path):
    text = ("waivers:\n- requirement: STORE-05\n  host: edge01.contoso.local\n  host: '*'\n  justification: j\n"
            f"  ticket: T\n  expires: {TODAY + timedelta(days=3)}\n")
    with pytest.raises(WaiverError, match="'host' is already given at line 3"):
        load_waivers(_write(tmp_path, text, "waivers.yml"))


def test_waiver_lifetime_follows_the_policy(tmp_path):
    path = _waivers(tmp_path, _waiver(expires=TODAY + timedelta(days=100)))
    assert load_waivers(path, max_days=365).entries
    with pytest.raises(WaiverError, match="within 90 days"):
        load_waivers(path, max_days=90)


def _store05_results(clean_lab, tmp_path, *entries: dict) -> list[dict]:
    inventory = apply(clean_lab.copy(), ["edge01-duplicate-friendly-name"]).write(tmp_path / "lab")
    (inventory.parent / "waivers.yml").write_text(yaml.safe_dump({"waivers": list(entries)}), encoding="utf-8")
    run = run_suite(inventory, tmp_path / "reports", tests=TESTS / "test_certificate_stores.py")
    return [r for r in run.results if r["requirement"] == "STORE-05" and r["host"] == "edge01.contoso.local"]


def test_pattern_matching_every_host_waives_nothing(clean_lab, tmp_path):
    [result] = _store05_results(clean_lab, tmp_path, _waiver(host="*.contoso.local"))
    assert result["outcome"] == "failed"
    assert "matches every host of STORE-05" in result["message"] and "all_hosts: true" in result["message"]


def test_all_hosts_waiver_waives_every_host(clean_lab, tmp_path):
    entry = _waiver(all_hosts=True)
    del entry["host"]
    [result] = _store05_results(clean_lab, tmp_path, entry)
    assert result["outcome"] == "waived" and result["waiver"]["host"] == "every host (all_hosts)"
