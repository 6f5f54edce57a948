"""The topology importer on real public topology files (selftest/data/topologies, sources in its README).

Each file's generated inventory is compared with what the file holds (pools, members, roles, IPs, next hop, CMS,
SIP domains, product); with its TODOs filled in as an administrator would, it validates; and all four run the
suite together on clean evidence built for their shapes (one suite run).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from selftest.harness import run_lab
from sfbcheck.errors import InventoryError
from sfbcheck.inventory import load_inventory, placeholders, validate
from sfbcheck.lab.build import build_lab
from sfbcheck.topology import main, parse_topology, to_inventory

DATA = Path(__file__).parent / "data" / "topologies"
FILES = {
    "contoso-tbxml": DATA / "sfbautomatedlab-contoso.tbxml",
    "otc-standard-edition-tbxml": DATA / "otc-standard-edition.tbxml",
    "rlevchenko-published": DATA / "rlevchenko-published.xml",
    "uss-standard-edition-published": DATA / "uss-standard-edition-published.xml",
}

# What each file holds, read off the XML by hand: pool -> (role, edition, [(member, internal IP)])
EXPECTED = {
    "contoso-tbxml": {
        "form": ".tbxml", "sip_domains": ["contoso.com"], "product": "sfb2015", "cms": None, "sites": ["Contoso"],
        "pools": {
            "frontendpool.contoso.com": ("frontend", "enterprise", [(f"xfrontend{i}.contoso.com", None)
                                                                    for i in range(1, 5)]),
            "edgepool.contoso.com": ("edge", "enterprise", [("xedge1.contoso.com", "192.168.10.100"),
                                                            ("xedge2.contoso.com", "192.168.10.101"),
                                                            ("xedge3.contoso.com", "192.168.10.103")]),
            "xoffice1.contoso.com": ("owas", "enterprise", [("xoffice1.contoso.com", None)]),
        },
    },
    "otc-standard-edition-tbxml": {
        "form": ".tbxml", "sip_domains": ["otc.lab"], "product": "sfb2019", "cms": None, "sites": ["OTC"],
        "pools": {"oct-exh-002.otc.lab": ("frontend", "standard", [("oct-exh-002.otc.lab", None)])},
    },
    "rlevchenko-published": {
        "form": "Get-CsTopology -AsXml", "sip_domains": ["tenant.rlevchenko.com"], "product": "sfb2015",
        "cms": "poolfe.tenant.rlevchenko.com", "sites": ["Tenant"],
        "pools": {
            "poolfe.tenant.rlevchenko.com": ("frontend", "enterprise", [("skype-fe-01.tenant.rlevchenko.com", None)]),
            "srv-owa-01.tenant.rlevchenko.com": ("owas", "enterprise", [("srv-owa-01.tenant.rlevchenko.com", None)]),
        },
    },
    "uss-standard-edition-published": {
        "form": "Get-CsTopology -AsXml", "sip_domains": ["uss.local"], "product": "sfb2019",
        "cms": "uss-srv-57.uss.local", "sites": ["USS"],
        "pools": {"uss-srv-57.uss.local": ("frontend", "standard", [("uss-srv-57.uss.local", None)])},
    },
}


def _generated(name: str) -> dict:
    return to_inventory(parse_topology(FILES[name].read_bytes()), deployment=name)


@pytest.mark.parametrize("name", FILES)
def test_generated_inventory_matches_the_file(name):
    expected, topology, data = EXPECTED[name], parse_topology(FILES[name].read_bytes()), _generated(name)
    assert topology.form == expected["form"]
    pools = {p["fqdn"]: p for p in data["pools"]}
    assert {fqdn: (p["role"], p.get("edition", "enterprise"), [(m["fqdn"], None if m["ip"].startswith("TODO")
                                                                 else m["ip"]) for m in p["members"]])
            for fqdn, p in pools.items()} == expected["pools"]
    assert [d["name"] for d in data["sip_domains"]] == expected["sip_domains"]
    assert data["product"] == expected["product"]
    assert data["sites"] == expected["sites"]
    assert all(p.get("site") == expected["sites"][0] for p in data["pools"])
    if expected["cms"] is None:
        assert data["cms"]["pool"].startswith("TODO"), "a CMS the file does not hold was invented"
    else:
        assert data["cms"] == {"pool": expected["cms"]}


def test_contoso_edge_interfaces_next_hop_and_edge_fqdns():
    """The Edge pool of SfBAutomatedLab's Contoso.tbxml: Internal and External interfaces (with the NAT address in
    ConfiguredIPAddress), the Registrar it depends on as next hop, the external ports' ConfiguredFqdn."""
    edge = next(p for p in _generated("contoso-tbxml")["pools"] if p["role"] == "edge")
    assert edge["next_hop"] == "frontendpool.contoso.com"
    assert (edge["access_edge_fqdn"], edge["webconf_edge_fqdn"], edge["av_edge_fqdn"]) == (
        "externaledge.contoso.com",) * 3
    assert [(m["ip"], m["external_ip"], m["public_ip"]) for m in edge["members"]] == [
        ("192.168.10.100", "10.0.0.1", "10.0.0.2"), ("192.168.10.101", "10.0.0.3", "10.0.0.4"),
        ("192.168.10.103", "10.0.0.5", "10.0.0.6")]
    assert all(m["connection"] == {"method": "file"} for m in edge["members"])


def test_no_pool_of_a_single_product_topology_carries_its_own_product():
    """Each public file is one product (ServiceVersion 7 or 8 throughout): no pool differs from the deployment."""
    for name in FILES:
        assert all("product" not in p for p in _generated(name)["pools"]), name


def test_a_pool_of_another_service_version_keeps_its_own_product(tmp_path):
    """Coexistence: Contoso.tbxml with its Edge cluster's services at ServiceVersion 6 (a Lync Server 2013 Edge pool
    left beside the SfB 2015 pool during a migration) imports as a lync2013 pool in an sfb2015 deployment, and the
    inventory gives its servers that product."""
    root = ET.fromstring(FILES["contoso-tbxml"].read_bytes())
    services = [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "Service"]
    edge_cluster = next(e.get("InstalledOn") for e in services if e.get("RoleName") == "EdgeServer")
    changed = [e for e in services if e.get("InstalledOn") == edge_cluster]
    assert changed and all(e.get("ServiceVersion") == "7" for e in changed)
    for service in changed:
        service.set("ServiceVersion", "6")
    data = to_inventory(parse_topology(ET.tostring(root)), deployment="coexistence")
    assert data["product"] == "sfb2015"
    assert {p["fqdn"]: p.get("product") for p in data["pools"]} == {
        "frontendpool.contoso.com": None, "edgepool.contoso.com": "lync2013", "xoffice1.contoso.com": None}
    fills = ADMIN_FILLS["contoso-tbxml"]
    data["dns_servers"], data["cms"] = ["10.1.1.5"], {"pool": fills["cms"]}
    edge = next(p for p in data["pools"] if p["role"] == "edge")
    edge["internal_subnets"], edge["internal_gateway"] = fills["subnets"], fills["gateway"]
    for member in (m for p in data["pools"] for m in p["members"] if m["ip"].startswith("TODO")):
        member["ip"] = fills["ips"][member["fqdn"]]
    target = tmp_path / "inventory.yml"
    target.write_text(yaml.safe_dump(data))
    inventory = load_inventory(target)
    assert {s.fqdn: s.product.value for s in inventory.servers("edge")} == dict.fromkeys(
        [m["fqdn"] for m in edge["members"]], "lync2013")
    assert {s.product.value for s in inventory.servers("frontend")} == {"sfb2015"}
    assert inventory.product_of("edgepool.contoso.com").value == "lync2013"


def test_features_from_the_services():
    pools = {p["fqdn"]: p for p in _generated("contoso-tbxml")["pools"]}
    assert set(pools["frontendpool.contoso.com"]["features"]) == {
        "archiving", "monitoring", "conferencing", "mediation_collocated", "enterprise_voice"}
    se = _generated("otc-standard-edition-tbxml")["pools"][0]
    assert set(se["features"]) == {"conferencing", "mediation_collocated", "enterprise_voice"}
    assert se["dns_load_balanced"] is False


@pytest.mark.parametrize("name", ["contoso-tbxml", "otc-standard-edition-tbxml"])
def test_no_central_management_server_is_a_todo_the_validator_refuses(name):
    data = _filled(name, fill_cms=False)
    with pytest.raises(InventoryError) as caught:
        validate(data, name)
    assert [p.field for p in caught.value.problems] == ["cms.pool"]
    assert "no Central Management Server" in caught.value.problems[0].expected


ADMIN_FILLS = {  # what the administrator types in: internal IPs the topology leaves as 0.0.0.0, the Edge routes
    "contoso-tbxml": {"cms": "frontendpool.contoso.com", "subnets": ["192.168.0.0/16"], "gateway": "192.168.10.1",
                      "ips": {"xfrontend1.contoso.com": "192.168.1.11", "xfrontend2.contoso.com": "192.168.1.12",
                              "xfrontend3.contoso.com": "192.168.1.13", "xfrontend4.contoso.com": "192.168.1.14",
                              "xoffice1.contoso.com": "192.168.1.31"}},
    "otc-standard-edition-tbxml": {"cms": "oct-exh-002.otc.lab", "ips": {"oct-exh-002.otc.lab": "10.1.102.52"}},
    "rlevchenko-published": {"ips": {"skype-fe-01.tenant.rlevchenko.com": "10.2.0.11",
                                     "srv-owa-01.tenant.rlevchenko.com": "10.2.0.31"}},
    "uss-standard-edition-published": {"ips": {"uss-srv-57.uss.local": "10.1.102.57"}},
}


def _filled(name: str, fill_cms: bool = True) -> dict:
    data, fills = _generated(name), ADMIN_FILLS[name]
    data["dns_servers"] = ["10.1.1.5"]
    if fill_cms and "cms" in fills:
        data["cms"] = {"pool": fills["cms"]}
    for pool in data["pools"]:
        if pool["role"] == "edge":
            pool["internal_subnets"], pool["internal_gateway"] = fills["subnets"], fills["gateway"]
        for member in pool["members"]:
            if member["ip"].startswith("TODO"):
                member["ip"] = fills["ips"][member["fqdn"]]
    return data


@pytest.mark.parametrize("name", FILES)
def test_filled_in_inventory_validates(name, tmp_path):
    data = _filled(name)
    assert list(placeholders(data)) == []
    target = tmp_path / "inventory.yml"
    target.write_text(yaml.safe_dump(data))
    inventory = load_inventory(target)
    assert {s.fqdn for s in inventory.servers()} == {m for p in EXPECTED[name]["pools"].values() for m, _ in p[2]}


def test_generated_file_carries_the_header_on_screen_too_and_is_never_overwritten(tmp_path, capsys):
    out = tmp_path / "inventory.yml"
    assert main([str(FILES["otc-standard-edition-tbxml"]), "--out", str(out)]) == 0
    screen = capsys.readouterr().out
    text = out.read_text()
    head = text.split("deployment:", 1)[0]
    assert head and screen.startswith(head)
    assert "#   - cms.pool: the CMS Front End pool (this topology has no Central Management Server)" in head
    assert "#   - pools[oct-exh-002.otc.lab].members[oct-exh-002.otc.lab].ip:" in head
    out.write_text("# mine\n")
    assert main([str(FILES["otc-standard-edition-tbxml"]), "--out", str(out)]) == 2
    assert "give --force" in capsys.readouterr().err and out.read_text() == "# mine\n"
    assert main([str(FILES["otc-standard-edition-tbxml"]), "--out", str(out), "--force"]) == 0
    assert out.read_text() == text


def combined() -> dict:
    """The four deployments as one inventory (one suite run): their pools, domains and sites side by side, the
    CMS and product of the first; the SIP domains of all four."""
    parts = [_filled(name) for name in FILES]
    data = parts[0]
    for part in parts[1:]:
        data["pools"] += part["pools"]
        data["sip_domains"] += part["sip_domains"]
        data["sites"] += part["sites"]
    return data


def test_the_four_topologies_run_the_suite(tmp_path):
    """Every requirement runs on these shapes (Standard Edition, an Enterprise pool of one and of four, an Edge
    pool of three, Office Web Apps farms of one) and passes on clean evidence, but one: none of these deployments
    pairs its pools with a backup pool, so BACKUP-02 (the backup pool's SRV record) fails for every SIP domain."""
    data = combined()
    validate(data)
    run = run_lab(build_lab(inventory=data), tmp_path)
    hosts = {r["host"] for r in run.results}
    assert {"oct-exh-002.otc.lab", "pool:oct-exh-002.otc.lab", "xedge3.contoso.com",
            "srv-owa-01.tenant.rlevchenko.com", "uss-srv-57.uss.local"} <= hosts, sorted(hosts)
    assert not run.errors, run.stdout[-4000:]
    assert run.failures == {("BACKUP-02", d["name"]) for d in data["sip_domains"]}, run.stdout[-4000:]
    assert "has no backup pool in the inventory" in run.messages("BACKUP-02", "otc.lab")[0]
    # the Standard Edition server's pool-level and server-level results stay apart in JSON and JUnit
    scopes = {(r["host"], r["scope"]) for r in run.results if r["host"].endswith("oct-exh-002.otc.lab")}
    assert scopes == {("oct-exh-002.otc.lab", "server"), ("pool:oct-exh-002.otc.lab", "pool")}
    junit = ET.parse(run.report_dir / "latest.xml")
    properties = [{p.get("name"): p.get("value") for p in case.iter("property")} for case in junit.iter("testcase")]
    assert {(p["host"], p["scope"]) for p in properties if p.get("host", "").endswith("oct-exh-002.otc.lab")} == \
        scopes
