"""Inventory validation: a bad file stops the run naming the file, the field path and what was expected."""

from __future__ import annotations

import copy

import pytest
import yaml

from selftest.harness import run_suite
from sfbcheck.errors import InventoryError
from sfbcheck.inventory import load_inventory


def _edit(data: dict, path: str, value: object) -> None:
    *parents, last = path.split("/")
    node = data
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    if value is KeyError:
        del node[int(last) if last.isdigit() else last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value


BAD = [
    ("ad_domain", KeyError, "ad_domain", "required"),
    ("pools/0/members/0/ip", "10.10.1.300", "pools[0].members[0].ip", "IPv4 or IPv6 address"),
    ("pools/0/role", "gateway", "pools[0].role", "'frontend', 'edge'"),
    ("pools/0/backup", "pool09.contoso.local", "pools[0].backup", "pool in this inventory"),
    ("pools/2/next_hop", "pool09.contoso.local", "pools[2].next_hop", "pool in this inventory"),
    ("cms/pool", "edgepool.contoso.local", "cms.pool", "a frontend pool"),
    ("cms/master", "fe04.contoso.local", "cms.master", "member of the CMS pool"),
    ("pools/1/members/0/fqdn", "fe01.contoso.local", "pools[1].members[0].fqdn", "unique FQDN"),
    ("pools/1/fqdn", "pool01.contoso.local", "pools[1].fqdn", "unique FQDN"),
    ("policy/cert_expiry_days", "soon", "policy.cert_expiry_days", "whole number"),
    ("pools/2/internal_subnets/0", "10.10.0.0/33", "pools[2].internal_subnets[0]", "IP network"),
    ("pools/2/internal_gateway", KeyError, "pools[2]", "internal_gateway"),
    ("pools/0/members/0/colour", "blue", "pools[0].members[0].colour", "unknown field"),
    ("pools/0/members/0/connection", {"method": "winrm", "password": "hunter2"},
     "pools[0].members[0].connection.password", "no credential"),
    ("sip_domains", [], "sip_domains", "non-empty list"),
]


@pytest.fixture(scope="module")
def lab_data(clean_lab):
    return clean_lab.inventory


@pytest.mark.parametrize(("path", "value", "field", "expected"), BAD, ids=[b[0] + "=" + str(b[1])[:20] for b in BAD])
def test_bad_inventory_names_file_field_and_expectation(lab_data, tmp_path, path, value, field, expected):
    data = copy.deepcopy(lab_data)
    _edit(data, path, value)
    target = tmp_path / "inventory.yml"
    target.write_text(yaml.safe_dump(data))
    with pytest.raises(InventoryError) as caught:
        load_inventory(target)
    error = caught.value
    assert error.file == str(target)
    assert error.field == field
    assert expected in error.expected
    assert "hunter2" not in str(error)


def test_yaml_syntax_error_names_line(tmp_path):
    target = tmp_path / "inventory.yml"
    target.write_text("deployment: x\npools: [\n  - fqdn: a\n")
    with pytest.raises(InventoryError) as caught:
        load_inventory(target)
    assert caught.value.field.startswith("line ")


def test_missing_file(tmp_path):
    with pytest.raises(InventoryError, match="readable inventory file"):
        load_inventory(tmp_path / "nope.yml")


def test_bad_inventory_stops_the_run_before_any_test_without_traceback(lab_data, tmp_path):
    data = copy.deepcopy(lab_data)
    data["pools"][0]["members"][1]["ip"] = "not-an-ip"
    target = tmp_path / "inventory.yml"
    target.write_text(yaml.safe_dump(data))
    run = run_suite(target, tmp_path / "reports")
    assert run.returncode == 4  # pytest usage error
    output = run.stdout + run.stderr
    assert f"{target}: pools[0].members[1].ip: expected an IPv4 or IPv6 address" in output
    assert "Traceback" not in output
    assert run.results == []


def test_lab_inventory_loads(clean_lab, tmp_path):
    inventory = load_inventory(clean_lab.write(tmp_path))
    assert inventory.cms_master.fqdn == "fe01.contoso.local"
    assert [s.fqdn for s in inventory.servers("edge")] == ["edge01.contoso.local", "edge02.contoso.local"]
    assert inventory.pool_of("fe04.contoso.local").backup == "pool01.contoso.local"
