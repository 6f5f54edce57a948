"""VER-*, POOL-*, EDGE-FW-05, EDGE-DNS-05, FED-03/04, EVID-01 on edited copies of the clean lab: the policy knobs,
the edge cases OPD's rules handle, and cannot-judge (never a pass) when evidence is missing or malformed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from selftest.test_host_checks import host_of
from sfbcheck.checks import edge_external, federation_policy, freshness, pool_health, version
from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import EvidenceStore
from sfbcheck.host import Host
from sfbcheck.inventory import load_inventory
from sfbcheck.lab.model import Lab

FE1, FE3, FE4, EDGE1, EDGE2 = ("fe01.contoso.local", "fe03.contoso.local", "fe04.contoso.local",
                               "edge01.contoso.local", "edge02.contoso.local")


def _set_version(lab: Lab, fqdn: str, value: str) -> None:
    for product in lab.sections(fqdn)["InstalledProducts"]:
        product["DisplayVersion"] = value


def test_ver01_names_installed_level_minimum_and_latest(lab, tmp_path):
    fe = host_of(lab, tmp_path, FE3, lambda lab: _set_version(lab, FE3, "7.0.2046.390"))
    [problem] = version.update_level(fe)
    assert "7.0.2046.390 (the level of Cumulative Update 6)" in problem.message
    assert "below the minimum 7.0.2046.583 (Security update, October 13, 2026, KB4470124)" in problem.message
    assert "10 update(s) after the installed level" in problem.message
    assert "Install-CsDatabase -Update" in problem.fix


def test_ver01_policy_minimum_and_updates_behind(lab, tmp_path):
    def edit(lab: Lab) -> None:
        _set_version(lab, FE3, "7.0.2046.390")
        lab.inventory["policy"].update(min_update="Cumulative Update 6")

    assert version.update_level(host_of(lab, tmp_path, FE3, edit)) == []
    lab2 = lab.copy()
    lab2.inventory["policy"].pop("min_update")
    lab2.inventory["policy"].update(updates_behind=7)  # the latest back over 7 versioned rows to CU6
    assert version.update_level(host_of(lab2, tmp_path / "behind", FE3,
                                        lambda lab: _set_version(lab, FE3, "7.0.2046.390"))) == []


def test_ver01_minimum_per_product_in_a_coexistence_deployment(lab, tmp_path):
    """The lab's legacy Lync Server 2013 server (5.0.8308.1198) beside the SfB 2019 pools: one SfB update name is no
    Lync 2013 update (cannot judge, saying how to give one per product); per product, each is held to its own."""
    lync = "lync01.contoso.local"
    lab.inventory["policy"].update(min_update="Cumulative Update 6")
    with pytest.raises(EvidenceGap, match=r"give one per product, e\.g\. min_update: \{lync2013: \.\.\.\}"):
        version.update_level(host_of(lab, tmp_path, lync))
    lab.inventory["policy"].update(min_update={"sfb2019": "Cumulative Update 6"})
    assert version.update_level(host_of(lab, tmp_path / "dict", lync)) == []  # not named: its latest, installed
    [problem] = version.update_level(host_of(lab, tmp_path / "old", lync,
                                             lambda lab: _set_version(lab, lync, "5.0.8308.992")))
    assert "Lync Server 2013 5.0.8308.992" in problem.message and "the latest known update" in problem.message
    lab.inventory["policy"].update(min_update={"sfb2019": "Cumulative Update 6", "lync2013": "Cumulative Update 9"})
    assert version.update_level(host_of(lab, tmp_path / "cu9", lync,
                                        lambda lab: _set_version(lab, lync, "5.0.8308.992"))) == []


def test_ver01_latest_is_the_latest_known_when_the_evidence_was_collected(lab, tmp_path):
    """A snapshot of March 2021 is judged against the updates known then (the table grows; old verdicts stay)."""
    def edit(lab: Lab) -> None:
        _set_version(lab, FE3, "7.0.2046.385")
        lab.evidence[FE3]["CollectedAt"] = "2021-03-15T10:00:00+00:00"

    assert version.update_level(host_of(lab, tmp_path, FE3, edit)) == []


def test_ver01_unknown_policy_update_and_missing_core_components_cannot_judge(lab, tmp_path):
    lab.inventory["policy"].update(min_update="Cumulative Update 99")
    with pytest.raises(EvidenceGap, match=r"policy\.min_update 'Cumulative Update 99'"):
        version.update_level(host_of(lab, tmp_path, FE1))
    lab2 = lab.copy()
    lab2.inventory["policy"].pop("min_update")
    with pytest.raises(EvidenceGap, match="Core Components"):
        version.update_level(host_of(lab2, tmp_path / "2", FE1,
                                     lambda lab: lab.sections(FE1).__setitem__("InstalledProducts", [])))


@pytest.mark.parametrize(("os_version", "supported"), [
    ("10.0.17763", True), ("10.0.14393", True), ("10.0.20348", True), ("6.3.9600", False), ("10.0.26100", False)])
def test_ver03_windows_releases_for_sfb2019(lab, tmp_path, os_version, supported):
    fe = host_of(lab, tmp_path, FE1, lambda lab: lab.sections(FE1)["Win32_OperatingSystem"].update(Version=os_version))
    assert (version.supported_windows(fe) == []) is supported


def test_ver03_windows_2022_needs_the_update_that_added_it(lab, tmp_path):
    def edit(lab: Lab) -> None:
        lab.sections(FE1)["Win32_OperatingSystem"].update(Version="10.0.20348")
        _set_version(lab, FE1, "7.0.2046.385")

    [problem] = version.supported_windows(host_of(lab, tmp_path, FE1, edit))
    assert "supported only from 7.0.2046.521" in problem.message


def test_ver04_configured_databases_are_judged_on_the_cms_front_end_only(lab, tmp_path):
    def edit(lab: Lab) -> None:
        lab.sections(FE1)["CsDatabaseConfigured"][0]["InstalledVersion"] = "125.54.1"

    [problem] = version.database_schemas_current(host_of(lab, tmp_path, FE1, edit))
    assert "rtcxds on sql-pool01.contoso.local\\RTC" in problem.message
    assert "-ConfiguredDatabases -SqlServerFqdn sql-pool01.contoso.local" in problem.fix


def test_ver04_empty_test_csdatabase_cannot_judge(lab, tmp_path):
    with pytest.raises(EvidenceGap, match="reported no database"):
        version.database_schemas_current(host_of(lab, tmp_path, FE3,
                                                 lambda lab: lab.sections(FE3).__setitem__("CsDatabaseLocal", [])))


def test_pool02_warning_only_for_a_pool_of_two_and_quorum_counts_more_than_half(lab, tmp_path):
    inventory = load_inventory(lab.write(tmp_path / "lab"))
    store = EvidenceStore(inventory.evidence_dir)
    from sfbcheck.targets import enterprise_frontend_pools

    cases = {c.host: c.values[0] for c in enterprise_frontend_pools(inventory, store)}
    assert pool_health.pool_quorum(cases["pool01.contoso.local"]) == []
    [warning] = pool_health.pool_quorum(cases["pool02.contoso.local"])
    assert warning.warning and "exactly two" in warning.message


def test_pool03_missing_ptr_is_a_problem_not_a_pass(lab, tmp_path):
    from sfbcheck.facts.probes import Runner
    from sfbcheck.lab.faults.probes import answers

    def edit(lab: Lab) -> None:
        import ipaddress

        ptr = ipaddress.ip_address(lab.member(FE4)["ip"]).reverse_pointer
        for answer in answers(lab, "internal", ptr, "PTR"):
            answer.update(Status="NXDOMAIN", Answer=[])

    fe = host_of(lab, tmp_path, FE4, edit)
    problems = pool_health.forward_and_reverse_dns(fe, Runner(fe.inventory, EvidenceStore(fe.inventory.evidence_dir)))
    assert problems and all("finds no PTR record" in p.message for p in problems)
    assert "Add-DnsServerResourceRecordPtr" in problems[0].fix


def test_pool04_sip_bound_to_the_topology_address_only_is_not_multihomed(lab, tmp_path):
    from sfbcheck.lab.sections.network import address

    def edit(lab: Lab) -> None:
        lab.sections(FE4)["NetIPAddress"].append(address("Backup", 14, "10.20.9.11", 24))
        for listener in lab.sections(FE4)["NetTCPConnectionSip"]:
            listener["LocalAddress"] = lab.member(FE4)["ip"] if listener["LocalAddress"] == "0.0.0.0" else "::1"

    assert pool_health.single_homed_sip(host_of(lab, tmp_path, FE4, edit)) == []


def test_edge_fw05_without_the_probe_cannot_judge(lab, tmp_path):
    def edit(lab: Lab) -> None:
        lab.sections(EDGE1)["TcpProbe"] = []

    with pytest.raises(EvidenceGap, match="TcpProbe"):
        edge_external.next_hop_sip(host_of(lab, tmp_path, EDGE1, edit))


def test_edge_dns05_partner_with_proxy_fqdn_needs_no_srv(lab, tmp_path):
    def edit(lab: Lab) -> None:
        lab.sections(EDGE2)["ResolveDnsNameFederation"] = [
            r for r in lab.sections(EDGE2)["ResolveDnsNameFederation"] if "adatum" not in r["QueryName"]]
        for fqdn in (m["fqdn"] for m in lab.members("frontend")):
            for domain in lab.sections(fqdn)["CsAllowedDomain"]:
                if domain["Domain"] == "adatum.com":
                    domain["ProxyFqdn"] = "sip.adatum.com"

    edge = host_of(lab, tmp_path, EDGE2, edit)
    frontend = host_of(lab, tmp_path / "fe", FE1)
    assert edge_external.federation_names_resolve(frontend, edge) == []


def test_fed03_two_federating_edge_pools_and_fed04_duplicate_allowed_domain(lab, tmp_path):
    def edit(lab: Lab) -> None:
        lab.sections(FE1)["CsServiceEdgeServer"].append(
            {"Identity": "EdgeServer:edgepool2.contoso.local", "PoolFqdn": "edgepool2.contoso.local",
             "AccessEdgeExternalSipPort": 5061})
        lab.sections(FE1)["CsAllowedDomain"].append(dict(lab.sections(FE1)["CsAllowedDomain"][0],
                                                         Domain="LitwareInc.com"))

    fe = host_of(lab, tmp_path, FE1, edit)
    [fed03] = federation_policy.access_edge_matches_policy(fe)
    assert "2 Edge pools of the topology federate" in fed03.message
    [fed04] = federation_policy.partners_not_blocked(fe)
    assert "litwareinc.com is listed 2 times" in fed04.message


def test_evid01_spread_is_across_the_whole_snapshot_not_only_pool_and_cms(lab, tmp_path):
    """pool02 4 h before the CMS master (pool01), the Edge pool 4 h after it: each pool is near the CMS master,
    but pool02 and the Edges are 8 h apart, beyond the default 6 h spread."""
    from datetime import datetime

    from sfbcheck.checks.freshness import Snapshot

    base = datetime.fromisoformat(lab.evidence[FE1]["CollectedAt"])
    shifted = {"fe04.contoso.local": -4, "fe05.contoso.local": -4, EDGE1: 4, EDGE2: 4}

    def edit(lab: Lab) -> None:
        for fqdn, hours in shifted.items():
            lab.evidence[fqdn]["CollectedAt"] = (base + timedelta(hours=hours)).isoformat()

    fe4 = host_of(lab, tmp_path, FE4, edit)
    snapshot = Snapshot(fe4.inventory, EvidenceStore(fe4.inventory.evidence_dir))
    now = base + timedelta(hours=5)
    [problem] = freshness.fresh_evidence(fe4, snapshot, now)
    assert "8.0 h before edge0" in problem.message and "evidence_max_spread_hours" in problem.message
    cms = Host(fe4.inventory.cms_master, fe4.inventory, snapshot.store)
    assert freshness.fresh_evidence(cms, snapshot, now) == []  # the CMS master is within 4 h of the newest


def test_evid01_age_spread_and_collector_version(lab, tmp_path):
    from sfbcheck.checks.freshness import Snapshot

    def edit(lab: Lab) -> None:
        lab.evidence[EDGE1]["CollectorVersion"] = "2.0.0"

    edge = host_of(lab, tmp_path, EDGE1, edit)
    snapshot = Snapshot(edge.inventory, EvidenceStore(edge.inventory.evidence_dir))
    [problem] = freshness.fresh_evidence(edge, snapshot, lab.now + timedelta(hours=1))
    assert "collector version 2.0.0" in problem.message
    messages = [p.message for p in freshness.fresh_evidence(edge, snapshot, lab.now + timedelta(hours=30))]
    assert any("30.0 h before this run" in m for m in messages)
