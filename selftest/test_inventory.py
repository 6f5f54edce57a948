"""Inventory validation: a bad file stops the run naming the file, the field path and what was expected."""

from __future__ import annotations

import copy

import pytest
import yaml

from selftest.harness import run_suite
from sfbcheck.errors import InventoryError
from sfbcheck.inventory import load_inventory, validate


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
    ("pools/0/members/0/ip", "10.10.1.300", "pools[pool01.contoso.local].members[fe01.contoso.local].ip",
     "IPv4 or IPv6 address"),
    ("pools/0/role", "gateway", "pools[pool01.contoso.local].role", "'frontend', 'edge'"),
    ("pools/0/backup", "pool09.contoso.local", "pools[pool01.contoso.local].backup", "pool in this inventory"),
    ("pools/2/next_hop", "pool09.contoso.local", "pools[edgepool.contoso.local].next_hop", "pool in this inventory"),
    ("cms/pool", "edgepool.contoso.local", "cms.pool", "a frontend pool"),
    ("cms/master", "fe04.contoso.local", "cms.master", "member of the CMS pool"),
    ("pools/1/members/0/fqdn", "fe01.contoso.local", "pools[pool02.contoso.local].members[fe01.contoso.local].fqdn",
     "already a server of pool pool01.contoso.local"),
    ("pools/1/fqdn", "pool01.contoso.local", "pools[pool01.contoso.local].fqdn", "unique pool FQDN; the 2nd"),
    ("pools/1/members/0/fqdn", "pool01.contoso.local",
     "pools[pool02.contoso.local].members[pool01.contoso.local].fqdn", "the FQDN of pool pool01.contoso.local"),
    ("pools/0/members/0/fqdn", "pool01.contoso.local",
     "pools[pool01.contoso.local].members[pool01.contoso.local].fqdn", "pool01.contoso.local has 3 servers"),
    ("policy/cert_expiry_days", "soon", "policy.cert_expiry_days", "whole number"),
    ("pools/2/internal_subnets/0", "10.10.0.0/33", "pools[edgepool.contoso.local].internal_subnets[0]", "IP network"),
    ("pools/2/internal_gateway", KeyError, "pools[edgepool.contoso.local].internal_gateway",
     "required for an Edge pool"),
    ("pools/0/members/0/colour", "blue", "pools[pool01.contoso.local].members[fe01.contoso.local].colour",
     "unknown field"),
    ("pools/0/members/0/connection", {"method": "winrm", "password": "hunter2"},
     "pools[pool01.contoso.local].members[fe01.contoso.local].connection.password", "no credential"),
    ("sip_domains", [], "sip_domains", "non-empty list"),
    ("pools/0/edition", "standard", "pools[pool01.contoso.local].members", "exactly one server"),
    ("pools/2/edition", "standard", "pools[edgepool.contoso.local].edition", "Standard Edition is a Front End"),
    ("pools/0/features", ["conferencing", "voice"], "pools[pool01.contoso.local].features[1]", "enterprise_voice"),
    ("pools/2/features", ["mediation_collocated"], "pools[edgepool.contoso.local].features", "only on a Front End"),
    ("pools/0/vip", "10.10.1.11", "pools[pool01.contoso.local].vip", "not a server's own IP"),
    ("pools/0/federation_route", True, "pools[pool01.contoso.local].federation_route", "only an Edge pool"),
    ("pools/0/next_hop", "pool02.contoso.local", "pools[pool01.contoso.local].next_hop", "only Edge pools"),
    ("pools/3/site", "Redmund", "pools[owas.contoso.local].site", "one of the sites"),
    ("pstn_gateways", [{"fqdn": "gw01.contoso.local", "mediation_pool": "pool01.contoso.local"}],
     "pstn_gateways[gw01.contoso.local].mediation_pool", "a Mediation pool"),
    ("dns_servers/0", "TODO: the internal DNS servers' IPs", "dns_servers[0]", "in place of the placeholder"),
    ("pools/0/product", "lync2010", "pools[pool01.contoso.local].product", "'lync2013', 'sfb2015' or 'sfb2019'"),
    ("pools/3/product", "sfb2019", "pools[owas.contoso.local].product", "runs no Lync or Skype for Business"),
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
    assert f"{target}: pools[pool01.contoso.local].members[fe02.contoso.local].ip: expected an IPv4 or IPv6 " \
        "address" in output
    assert "Traceback" not in output
    assert run.results == []


def test_lab_inventory_loads(clean_lab, tmp_path):
    inventory = load_inventory(clean_lab.write(tmp_path))
    assert inventory.cms_master.fqdn == "fe01.contoso.local"
    assert [s.fqdn for s in inventory.servers("edge")] == ["edge01.contoso.local", "edge02.contoso.local"]
    assert inventory.pool_of("fe04.contoso.local").backup == "pool01.contoso.local"


def test_each_server_runs_its_pools_product_else_the_deployments(clean_lab, tmp_path):
    """Coexistence: the legacy Lync Server 2013 pool carries its own product; every other pool the inventory's."""
    inventory = load_inventory(clean_lab.write(tmp_path))
    products = {s.fqdn: s.product.value for s in inventory.servers()}
    assert products.pop("lync01.contoso.local") == "lync2013"
    assert set(products.values()) == {"sfb2019"} == {inventory.product.value}
    assert inventory.product_of("lync01.contoso.local").value == "lync2013"
    assert inventory.product_of("pool01.contoso.local").value == "sfb2019"


def _problems(data: dict, tmp_path) -> list:
    target = tmp_path / "inventory.yml"
    target.write_text(yaml.safe_dump(data))
    with pytest.raises(InventoryError) as caught:
        load_inventory(target)
    return caught.value.problems


def test_every_problem_is_shown_at_once_with_a_suggestion(lab_data, tmp_path):
    data = copy.deepcopy(lab_data)
    data["pools"][0]["members"][1]["ip"] = "10.10.1.300"
    data["pools"][1]["role"] = "frontned"
    data["pools"][3]["members"][0]["conection"] = {"method": "file"}
    data["pools"][2].pop("internal_gateway")
    problems = {p.field: p for p in _problems(data, tmp_path)}
    assert set(problems) == {"pools[pool01.contoso.local].members[fe02.contoso.local].ip",
                             "pools[pool02.contoso.local].role",
                             "pools[owas.contoso.local].members[owas01.contoso.local].conection",
                             "pools[edgepool.contoso.local].internal_gateway"}
    assert problems["pools[pool02.contoso.local].role"].suggestion == "frontend"
    assert problems["pools[owas.contoso.local].members[owas01.contoso.local].conection"].suggestion == "connection"
    message = str(InventoryError.of("inv.yml", list(problems.values())))
    assert message.startswith("inventory inv.yml: 4 problems:\n  ")
    assert "did you mean 'frontend'?" in message
    with pytest.raises(InventoryError) as caught:
        validate(data)
    assert "cross-references" in caught.value.note and caught.value.note in str(caught.value)


def test_mistyped_addresses_and_unknown_fields_do_not_hide_the_cross_references(lab_data):
    """A mistyped IP stands in as a documentation address while the references are checked; nothing is said about
    the stand-in itself."""
    data = copy.deepcopy(lab_data)
    data["pools"][2]["members"][1]["ip"] = "172.16.10.300"
    data["pools"][2]["internal_subnets"] = ["10.10.0.0/33"]
    data["pools"][0]["members"][0]["colour"] = "blue"
    data["pools"][2]["next_hop"] = "pool1.contoso.local"
    data["pools"][1]["members"][0]["ip"] = "10.10.1.11"  # fe01's
    with pytest.raises(InventoryError) as caught:
        validate(data)
    assert caught.value.note == ""
    assert [p.field for p in caught.value.problems] == [
        "pools[pool01.contoso.local].members[fe01.contoso.local].colour",
        "pools[edgepool.contoso.local].members[edge02.contoso.local].ip",
        "pools[edgepool.contoso.local].internal_subnets[0]",
        "pools[edgepool.contoso.local].next_hop",
        "pools[pool02.contoso.local].members[fe04.contoso.local].ip"]
    assert "192.0.2." not in str(caught.value)


def test_cross_references_are_all_shown_with_close_matches(lab_data, tmp_path):
    data = copy.deepcopy(lab_data)
    data["pools"][2]["next_hop"] = "pool1.contoso.local"
    data["pools"][0]["backup"] = "pool2.contoso.local"
    data["cms"]["pool"] = "pool-01.contoso.local"
    with pytest.raises(InventoryError) as caught:
        validate(data)
    assert caught.value.note == ""  # every field is right: the cross-references were all checked
    problems = {p.field: p.suggestion for p in _problems(data, tmp_path)}
    assert problems == {"pools[edgepool.contoso.local].next_hop": "pool01.contoso.local",
                        "pools[pool01.contoso.local].backup": "pool02.contoso.local",
                        "cms.pool": "pool01.contoso.local"}


def _single_server_shapes(lab_data: dict) -> dict:
    """pool02 as a Standard Edition server, the Edge pool and the OWAS farm as pools of one server."""
    data = copy.deepcopy(lab_data)
    pools = {p["fqdn"]: p for p in data["pools"]}
    se = pools["pool02.contoso.local"]
    se.update(fqdn="fe04.contoso.local", edition="standard", dns_load_balanced=False,
              features=["conferencing", "enterprise_voice", "mediation_collocated"], backup="pool01.contoso.local")
    se["members"] = se["members"][:1]
    pools["pool01.contoso.local"]["backup"] = "fe04.contoso.local"
    edge = pools["edgepool.contoso.local"]
    edge["members"] = edge["members"][:1]
    edge.update(fqdn="edge01.contoso.local", dns_load_balanced=False, federation_route=True)
    pools["owas.contoso.local"].update(fqdn="owas01.contoso.local")
    data["pstn_gateways"] = [{"fqdn": "gw01.contoso.local", "site": "Dublin", "mediation_pool": "fe04.contoso.local",
                              "port": 5067, "transport": "TLS"}]
    return data


def test_standard_edition_and_pools_of_one_server_validate(lab_data, tmp_path):
    target = tmp_path / "inventory.yml"
    target.write_text(yaml.safe_dump(_single_server_shapes(lab_data)))
    inventory = load_inventory(target)
    se = inventory.pool("fe04.contoso.local")
    assert se.edition == "standard" and se.single_server and inventory.server("fe04.contoso.local").pool is se
    assert inventory.pool_of("fe04.contoso.local") is se and inventory.pool_of("pool:fe04.contoso.local") is se
    assert inventory.pool_host("fe04.contoso.local") == "pool:fe04.contoso.local"
    assert inventory.pool_host("pool01.contoso.local") == "pool01.contoso.local"
    assert inventory.federation_edge is inventory.pool("edge01.contoso.local")
    assert inventory.pstn_gateways[0].mediation_pool == "fe04.contoso.local"


def test_an_enterprise_pool_named_like_its_one_server_must_say_standard(lab_data, tmp_path):
    data = _single_server_shapes(lab_data)
    del data["pools"][1]["edition"]
    assert [(p.field, p.expected.split(":")[0]) for p in _problems(data, tmp_path)] == [
        ("pools[fe04.contoso.local].edition", "standard")]


def test_two_federation_routes_are_refused(lab_data, tmp_path):
    data = copy.deepcopy(lab_data)
    second = copy.deepcopy(data["pools"][2])
    second["fqdn"] = "edgepool2.contoso.local"
    for i, member in enumerate(second["members"]):
        member.update(fqdn=f"edge1{i}.contoso.local", ip=f"172.16.20.1{i}", external_ip=f"198.51.100.2{i}")
    data["pools"][2]["federation_route"] = second["federation_route"] = True
    data["pools"].append(second)
    assert [p.field for p in _problems(data, tmp_path)] == ["pools[edgepool2.contoso.local].federation_route"]


def test_pool_level_and_server_level_cases_never_share_a_host(lab_data, tmp_path):
    from sfbcheck.evidence import EvidenceStore
    from sfbcheck.targets import TARGETS

    target = tmp_path / "inventory.yml"
    target.write_text(yaml.safe_dump(_single_server_shapes(lab_data)))
    inventory = load_inventory(target)
    store = EvidenceStore(tmp_path)
    cases = [case for generate in TARGETS.values() for case in generate(inventory, store)]
    pool_hosts = {c.host for c in cases if c.scope == "pool"}
    server_hosts = {c.host for c in cases if c.scope == "server"}
    assert {"pool:fe04.contoso.local", "pool:edge01.contoso.local", "pool01.contoso.local"} <= pool_hosts
    assert {"fe04.contoso.local", "edge01.contoso.local"} <= server_hosts
    assert not pool_hosts & server_hosts
    assert all(c.id == c.host or c.id.startswith(c.host + "-") for c in cases)
