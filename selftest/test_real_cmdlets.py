"""Public samples of the cmdlet and WMI outputs the host-hygiene, version and federation checks read
(selftest/data/real, sources in its README): each is parsed by the facts layer the checks use, and comes out as
the check needs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sfbcheck.evidence import Evidence
from sfbcheck.facts.federation import access_edge, allowed_domains, edge_services, partner_discovery
from sfbcheck.facts.hygiene import disks, power_plans, sizing
from sfbcheck.facts.network import network
from sfbcheck.facts.platform import CONFIGURED_DATABASES, LOCAL_DATABASES, database_schemas
from sfbcheck.facts.system import computer_system, operating_system

REAL = Path(__file__).parent / "data" / "real"
HIGH_PERFORMANCE = "8c5e7fda-e8bf-4a96-9a85-a6e23a8c635c"
GIB = 1024 ** 3


def load(name: str) -> Any:
    return json.loads((REAL / name).read_text(encoding="utf-8"))


def evidence(**sections: Any) -> Evidence:
    document = {"SchemaVersion": 1, "Server": "corpus", "CollectedAt": "2025-02-14T12:00:00Z", "Sections": sections}
    return Evidence("corpus", REAL, document)


def test_power_plans_by_guid_as_get_ciminstance_lists_them():
    plans = power_plans(evidence(Win32_PowerPlan=load("Win32_PowerPlan--torgro-PowerPlan.json")))
    assert [p.name for p in plans] == ["Balanced", "High performance", "Power saver"]
    [active] = [p for p in plans if p.active]
    assert active.guid == HIGH_PERFORMANCE   # HOST-01 keys on the GUID, not the (localised) ElementName


def test_fixed_disks_in_bytes():
    found = disks(evidence(Win32_LogicalDisk=load(
        "Win32_LogicalDisk--ms-collecting-information-about-computers.json")))
    assert sorted(found) == ["C:", "Q:"]
    assert (found["C:"].size, found["C:"].free) == (203912880128, 65541357568)
    assert round(found["C:"].free_percent) == 32


def test_workgroup_computer_and_its_sizing():
    system = load("Win32_ComputerSystem--ubuntu-insights-workgroup.json")
    sample = evidence(Win32_ComputerSystem=system, Win32_Processor=load("Win32_Processor--ubuntu-insights.json"))
    member = computer_system(sample)   # EDGE-DNS-01 reads PartOfDomain and Domain
    assert (member.part_of_domain, member.domain, member.workgroup) == (False, "WORKGROUP", "WORKGROUP")
    size = sizing(sample)              # HOST-02: TotalPhysicalMemory in bytes, cores summed over the sockets
    assert (size.memory_gb, size.cores, size.logical_processors, size.sockets) == (64, 8, 16, 1)
    assert size.memory_bytes < 64 * GIB   # a little under the installed modules, as the lab writes it too


def test_operating_system_version_string_and_product_type():
    found = operating_system(evidence(Win32_OperatingSystem=load("Win32_OperatingSystem--ubuntu-insights.json")))
    assert found.version == (10, 0, 19045) and found.product_type == 1 and not found.is_server
    assert found.last_boot is not None and found.last_boot.isoformat() == "2025-02-13T09:00:00-05:00"


def test_edge_service_of_a_federating_pool():
    [pool] = edge_services(evidence(CsServiceEdgeServer=load("CsServiceEdgeServer--opd-RDCheckEdgePoolCount.json")))
    assert (pool.identity, pool.pool, pool.federation) == ("EdgeServer:edge.contoso.com", "edge.contoso.com", True)


def test_database_schemas_match_and_mismatch():
    same = database_schemas(evidence(**{LOCAL_DATABASES: load(
        "CsDatabaseLocal--opd-RDCheckLocalSQLServerSchemaVersion.json")}))
    assert [(s.database, s.instance, s.matches) for s in same] == [("rtcxds", "rtc", True), ("rtcab", "rtc", True)]
    differ = database_schemas(evidence(**{LOCAL_DATABASES: load(
        "CsDatabaseLocal--opd-RDCheckLocalSQLServerSchemaVersion-mismatch.json")}))
    [stale] = [s for s in differ if not s.matches]
    assert (stale.database, stale.installed, stale.expected) == ("rtcab", "62.42.10", "62.42.13")
    assert "62.42.10" in str(stale) and "sfb2019.ucstaff.com\\rtc" in str(stale)
    configured = database_schemas(evidence(**{CONFIGURED_DATABASES: load(
        "CsDatabaseConfigured--opd-RDCheckSQLServerBackendConnection.json")}), CONFIGURED_DATABASES)
    assert all(s.matches and s.succeed for s in configured) and {s.sql_server for s in configured} == {
        "sfb2019.contoso.com", "sfb2019.ucstaff.com"}


def test_access_edge_configuration_routing_method_without_the_collectors_flag():
    sample = evidence(CsAccessEdgeConfiguration=load(
        "CsAccessEdgeConfiguration--opd-RDCheckDomainApprovedForFederation.json"))
    config = access_edge(sample)   # UseDnsSrvRouting is derived from RoutingMethod when absent
    assert (config.federated_users, config.outside_users, config.dns_srv_routing) == (True, True, True)
    assert partner_discovery(sample) is True


def test_allowed_domains_with_and_without_proxy():
    found = allowed_domains(evidence(CsAllowedDomain=load("CsAllowedDomain--opd-RDCheckProxyPostMigration.json")))
    assert found == ("contoso.com", "lynclabs.de")


def test_a_route_and_its_persistent_twin():
    routes = network(evidence(NetIPAddress=[], NetRoute=load("NetRoute--soccerGB-MSIExperiment.json"))).routes
    assert sorted(r.store for r in routes) == ["ActiveStore", "PersistentStore"]   # EDGE-ROUTE-02 reads the twin
    assert {(str(r.prefix), str(r.next_hop), r.index, r.metric) for r in routes} == {
        ("169.254.169.254/32", "172.24.32.1", 23, 256)}


def test_an_address_not_yet_preferred_is_not_an_adapters_usable_address():
    sample = evidence(NetIPAddress=load("NetIPAddress--soccerGB-MSIExperiment.json"), NetRoute=[])
    [address] = network(sample).interfaces
    assert (address.alias, address.index, address.state) == ("vEthernet (Ethernet) 2", 28, "Tentative")
    assert not address.usable
