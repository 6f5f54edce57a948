"""Inventory from the topology on the sample lab's own topology (both forms), TODOs, and the live comparison.

The real public topology files are in selftest/test_topology_real.py."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sfbcheck.errors import InventoryError
from sfbcheck.inventory import load_inventory
from sfbcheck.topology import TopologyError, compare, main, parse_topology

DATA = Path(__file__).parent / "data"
FORMS = {"published": DATA / "contoso-published-topology.xml", "tbxml": DATA / "contoso.tbxml"}


@pytest.mark.parametrize("form", FORMS)
def test_both_forms_give_pools_members_roles_and_ips(form):
    topology = parse_topology(FORMS[form].read_bytes())
    pools = {p.fqdn: p for p in topology.pools}
    assert {p: pools[p].role for p in pools} == {
        "pool01.contoso.local": "frontend", "pool02.contoso.local": "frontend", "edgepool.contoso.local": "edge",
        "owas.contoso.local": "owas"}  # SQL and file-store clusters are not pools of the suite
    assert topology.sip_domains == ["contoso.com", "fabrikam.com"]
    assert topology.sites == ["Redmond", "Dublin"]
    assert pools["pool01.contoso.local"].cms and pools["pool01.contoso.local"].backup == "pool02.contoso.local"
    assert pools["pool02.contoso.local"].backup == "pool01.contoso.local"
    edge = pools["edgepool.contoso.local"]
    assert (edge.next_hop, edge.access_edge_fqdn) == ("pool01.contoso.local", "sip.contoso.com")
    assert [(m.fqdn, m.internal_ip, m.external_ips[0]) for m in edge.machines] == [
        ("edge01.contoso.local", "172.16.10.11", "198.51.100.11"),
        ("edge02.contoso.local", "172.16.10.12", "198.51.100.12")]
    assert pools["pool02.contoso.local"].site == "Dublin"


def test_what_the_topology_does_not_hold_stops_validation_until_filled(tmp_path):
    out = tmp_path / "inventory.yml"
    assert main([str(FORMS["published"]), "--out", str(out)]) == 0
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
    topology = parse_topology(FORMS["published"].read_bytes())
    assert compare(inventory, topology) == []
    topology.pools[0].machines.pop()  # fe03 no longer in the topology
    from sfbcheck.topology import TopologyMachine

    topology.pools[0].machines.append(TopologyMachine("fe09.contoso.local", "10.10.1.19"))
    lines = compare(inventory, topology)
    assert any(line.startswith("fe09.contoso.local (frontend) is in the topology but not in the inventory")
               for line in lines)
    assert any(line.startswith("fe03.contoso.local (frontend) is in the inventory but not in the topology")
               for line in lines)
