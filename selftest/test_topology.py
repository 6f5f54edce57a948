"""Inventory from the topology on the sample lab's own topology (both forms, built from the lab's inventory in
the shape of the public files), TODOs, and the live comparison.

The real public topology files are in selftest/test_topology_real.py."""

from __future__ import annotations

import pytest
import yaml

from sfbcheck.errors import InventoryError
from sfbcheck.inventory import load_inventory
from sfbcheck.lab.sections.topology import published_topology, topology_builder_file
from sfbcheck.topology import TopologyError, compare, main, parse_topology, to_inventory

FORMS = {"published": published_topology, "tbxml": topology_builder_file}

RECORDED_FEATURES = {"conferencing", "mediation_collocated", "archiving", "monitoring"}  # enterprise_voice and
# dialin_conferencing have no element of their own in a topology (enterprise_voice is read where a Mediation
# Server uses the pool, as on se01)
SAME_FIELDS = ("fqdn", "role", "site", "edition", "backup", "next_hop", "access_edge_fqdn", "features",
               "homes_users", "dns_load_balanced", "product")


@pytest.fixture(scope="module")
def files(clean_lab, tmp_path_factory):
    """The sample lab's topology in both forms (sfbcheck.lab.sections.topology), written to files."""
    directory = tmp_path_factory.mktemp("topology")
    paths = {"published": directory / "topology.xml", "tbxml": directory / "contoso.tbxml"}
    for form, path in paths.items():
        path.write_text(FORMS[form](clean_lab), encoding="utf-8")
    return paths


@pytest.mark.parametrize("form", FORMS)
def test_both_forms_give_the_lab_inventory_back(form, clean_lab):
    """Round trip: the lab's topology read back gives its pools (Standard Edition, a Director of one server,
    Enterprise pools with a backup pair, an Edge pool with its next hop, OWAS), members and IPs, CMS, domains."""
    topology = parse_topology(FORMS[form](clean_lab))
    generated = to_inventory(topology)
    lab = clean_lab.inventory

    def view(pool: dict) -> dict:
        defaults = {"edition": "enterprise", "features": [], "homes_users": True, "dns_load_balanced": True}
        fields = {k: sorted(set(v) & RECORDED_FEATURES) if k == "features" else v
                  for k, v in (defaults | pool).items() if k in SAME_FIELDS}
        members = [{k: m.get(k) for k in ("fqdn", "ip", "external_ip")} for m in pool["members"]]
        return fields | {"members": members}

    assert [view(p) for p in generated["pools"]] == [view(p) for p in lab["pools"]]
    assert [d["name"] for d in generated["sip_domains"]] == [d["name"] for d in lab["sip_domains"]]
    assert generated["sites"] == lab["sites"]
    assert generated["cms"] == {"pool": lab["cms"]["pool"]}
    assert generated["product"] == lab["product"]
    se = next(p for p in generated["pools"] if p["fqdn"] == "se01.contoso.local")
    assert "enterprise_voice" in se["features"]
    assert topology.form == {"published": "Get-CsTopology -AsXml", "tbxml": ".tbxml"}[form]


def test_what_the_topology_does_not_hold_stops_validation_until_filled(files, tmp_path):
    out = tmp_path / "inventory.yml"
    assert main([str(files["published"]), "--out", str(out)]) == 0
    text = out.read_text()
    assert "# Left to fill in (3 TODO" in text
    with pytest.raises(InventoryError) as todo:
        load_inventory(out)
    assert "TODO" in str(todo.value)
    data = yaml.safe_load(text)
    data["dns_servers"] = ["10.10.1.5"]
    out.write_text(yaml.safe_dump(data))
    with pytest.raises(InventoryError) as edge:
        load_inventory(out)
    assert "internal_subnets" in str(edge.value) and "TODO" in str(edge.value)


def test_not_a_topology_is_a_clear_error(tmp_path):
    with pytest.raises(TopologyError, match="root element"):
        parse_topology(b"<Other/>")
    with pytest.raises(TopologyError, match="not XML"):
        parse_topology(b"<Topology")
    bad = tmp_path / "bad.xml"
    bad.write_text("<Topology xmlns='urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008'/>")
    assert main([str(bad)]) == 2


def test_servers_missing_on_either_side_are_reported(clean_lab, tmp_path):
    inventory = load_inventory(clean_lab.write(tmp_path / "lab"))
    topology = parse_topology(published_topology(clean_lab))
    assert compare(inventory, topology) == []
    topology.pools[0].machines.pop()  # fe03 no longer in the topology
    from sfbcheck.topology import TopologyMachine

    topology.pools[0].machines.append(TopologyMachine("fe09.contoso.local", "10.10.1.19"))
    lines = compare(inventory, topology)
    assert any(line.startswith("fe09.contoso.local (frontend) is in the topology but not in the inventory")
               for line in lines)
    assert any(line.startswith("fe03.contoso.local (frontend) is in the inventory but not in the topology")
               for line in lines)


def test_a_mediation_pool_of_its_own_and_two_edge_pools(lab):
    """A stand-alone Mediation pool (a MediationServer on a cluster without a Registrar) is a mediation pool; with two
    Edge pools the importer asks which one is the federation route instead of guessing."""
    pools = lab.inventory["pools"]
    pools.append({"fqdn": "med01.contoso.local", "role": "mediation", "site": "Redmond", "homes_users": False,
                  "dns_load_balanced": False, "members": [{"fqdn": "med01.contoso.local", "ip": "10.10.1.41"}]})
    second = {**next(p for p in pools if p["role"] == "edge"), "fqdn": "edgepool2.contoso.local", "site": "Dublin",
              "next_hop": "pool02.contoso.local", "access_edge_fqdn": "sip2.contoso.com",
              "members": [{"fqdn": "edge11.contoso.local", "ip": "172.16.20.11", "external_ip": "198.51.100.21",
                           "connection": {"method": "file"}}]}
    pools.append(second)
    for text in (published_topology(lab), topology_builder_file(lab)):
        generated = {p["fqdn"]: p for p in to_inventory(parse_topology(text))["pools"]}
        assert generated["med01.contoso.local"]["role"] == "mediation"
        assert generated["edgepool2.contoso.local"]["next_hop"] == "pool02.contoso.local"
        assert generated["edgepool2.contoso.local"]["access_edge_fqdn"] == "sip2.contoso.com"
        assert all(p["federation_route"].startswith("TODO") for p in generated.values() if p["role"] == "edge")
