"""Hybrid and DNS shapes of real deployments: a split-domain hybrid (one SIP domain, users on both sides, shared
address space), a sipfed.online.lync.com provider kept only for mobile push (seed 003's "LyncOnline"), several
on-premises SIP domains each with its sip.<domain> (HYB-03), _sipinternaltls to a Director pool (BACKUP-02),
and hardware-load-balanced pools whose FQDN resolves to the VIP (EDGE-DNS-03/04)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sfbcheck.checks import dns_records, edge_dns, hybrid
from sfbcheck.evidence import EvidenceStore
from sfbcheck.facts.probes import Runner
from sfbcheck.host import Host
from sfbcheck.inventory import load_inventory
from sfbcheck.lab.faults.host import _edit_hosts
from sfbcheck.lab.model import Lab
from sfbcheck.lab.sections.frontend import hosting_providers
from sfbcheck.lab.sections.probes import dns_answers, lab_zones

FE1, EDGE1 = "fe01.contoso.local", "edge01.contoso.local"


def written(lab: Lab, tmp_path: Path, edit: Callable[[Lab], None], zones: Callable[[dict], None] | None = None):
    """Apply ``edit``, re-answer the runner's DNS questions from the (edited) lab zones, write, load."""
    edit(lab)
    views = lab_zones(lab)
    if zones is not None:
        zones(views)
    lab.runner_sections()["DnsQuery"] = dns_answers(lab, views)
    inventory = load_inventory(lab.write(tmp_path / "lab"))
    store = EvidenceStore(inventory.evidence_dir)
    return inventory, store


def host(inventory, store, fqdn: str) -> Host:
    return Host(inventory.server(fqdn), inventory, store)


def domain(inventory, name: str):
    return next(d for d in inventory.sip_domains if d.name == name)


# -- HYB-02 --------------------------------------------------------------------------------------------------
def test_split_domain_hybrid_is_expressible_and_judged(lab, tmp_path):
    def split(lab: Lab) -> None:
        lab.inventory["sip_domains"] = [{"name": "contoso.com", "homed": "split", "mobile_push": True}]
        lab.sections(FE1)["CsSipDomain"] = [{"Identity": "contoso.com", "Name": "contoso.com", "IsDefault": True}]
        lab.sections(FE1)["CsHostingProvider"] = hosting_providers(lab)

    inventory, store = written(lab, tmp_path, split)
    fe = host(inventory, store, FE1)
    assert hybrid.no_hybrid(fe) == ""
    assert hybrid.office365_hosting_provider(fe) == []
    assert hybrid.online_domains_on_premises(fe) == []
    runner = Runner(inventory, store)
    assert dns_records.hybrid_records(domain(inventory, "contoso.com"), runner) == []  # records point on premises
    assert dns_records.backup_pool_srv(domain(inventory, "contoso.com"), runner) == []


def test_split_domain_without_shared_address_space_fails(lab, tmp_path):
    def split(lab: Lab) -> None:
        lab.inventory["sip_domains"][0]["homed"] = "split"
        lab.inventory["sip_domains"].pop()  # no domain homed online: only the split one makes it a hybrid
        providers = hosting_providers(lab)
        providers[0]["EnabledSharedAddressSpace"] = False
        lab.sections(FE1)["CsHostingProvider"] = providers

    inventory, store = written(lab, tmp_path, split)
    [problem] = hybrid.office365_hosting_provider(host(inventory, store, FE1))
    assert "EnabledSharedAddressSpace False (want true)" in problem.message


def test_push_only_hosting_provider_need_not_look_like_hybrid(lab, tmp_path):
    """Seed 003: LyncOnline configured for Lync Mobility, no SIP domain homed online."""
    def push_only(lab: Lab) -> None:
        lab.inventory["sip_domains"] = [{"name": "contoso.com", "homed": "on-premises", "mobile_push": True}]
        lab.sections(FE1)["CsSipDomain"] = [{"Identity": "contoso.com", "Name": "contoso.com", "IsDefault": True}]
        lab.sections(FE1)["CsHostingProvider"] = [{
            "Identity": "LyncOnline", "Name": "LyncOnline", "ProxyFqdn": "sipfed.online.lync.com", "Enabled": True,
            "VerificationLevel": "UseSourceVerification", "EnabledSharedAddressSpace": False,
            "HostsOCSUsers": False, "IsLocal": False, "AutodiscoverUrl": None}]

    inventory, store = written(lab, tmp_path, push_only)
    fe = host(inventory, store, FE1)
    assert "no hybrid" in hybrid.no_hybrid(fe)
    assert hybrid.office365_hosting_provider(fe) == []


# -- HYB-03 --------------------------------------------------------------------------------------------------
def second_domain(lab: Lab) -> None:
    lab.inventory["sip_domains"].insert(1, {"name": "contoso.net", "homed": "on-premises"})


def sip_contoso_net(to: list[str]) -> Callable[[dict], None]:
    def edit(views: dict) -> None:
        text = views["external"]["contoso.net"]
        text = text.replace("443 sip.contoso.com.", "443 sip.contoso.net.").replace(
            "5061 sip.contoso.com.", "5061 sip.contoso.net.")
        views["external"]["contoso.net"] = text + "".join(f"sip.contoso.net. 3600 IN A {ip}\n" for ip in to)
    return edit


def test_each_on_premises_domain_may_use_its_own_sip_name(lab, tmp_path):
    inventory, store = written(lab, tmp_path, second_domain, sip_contoso_net(["198.51.100.11", "198.51.100.12"]))
    assert dns_records.hybrid_records(domain(inventory, "contoso.net"), Runner(inventory, store)) == []


def test_own_sip_name_that_is_not_the_edge_fails(lab, tmp_path):
    inventory, store = written(lab, tmp_path, second_domain, sip_contoso_net(["203.0.113.99"]))
    problems = dns_records.hybrid_records(domain(inventory, "contoso.net"), Runner(inventory, store))
    assert len(problems) == 2 and all("sip.contoso.net:" in p.message for p in problems)


# -- BACKUP-02 -----------------------------------------------------------------------------------------------
def director_first(lab: Lab) -> None:
    """The lab's Director pool (dir01, one server); add one if a lab shape has none."""
    if not any(p["role"] == "director" for p in lab.pools()):
        lab.inventory["pools"].append({"fqdn": "dir01.contoso.local", "role": "director", "site": "Redmond",
                                       "members": [{"fqdn": "dir01.contoso.local", "ip": "10.10.1.41"}]})


def srv_to_director(views: dict) -> None:
    views["internal"]["contoso.com"] = views["internal"]["contoso.com"].replace(
        "SRV 0 0 5061 pool01.contoso.local.", "SRV 0 0 5061 dir01.contoso.local.")


def test_sipinternaltls_to_a_director_pool_is_judged_right(lab, tmp_path):
    inventory, store = written(lab, tmp_path, director_first, srv_to_director)
    problems = dns_records.backup_pool_srv(domain(inventory, "contoso.com"), Runner(inventory, store))
    assert problems == []  # pool02 stays as a lower-precedence record


def test_director_without_a_fallback_record_is_a_warning(lab, tmp_path):
    def only_director(views: dict) -> None:
        srv_to_director(views)
        views["internal"]["contoso.com"] = "\n".join(
            line for line in views["internal"]["contoso.com"].splitlines()
            if "SRV 10 10 5061" not in line) + "\n"

    inventory, store = written(lab, tmp_path, director_first, only_director)
    problems = dns_records.backup_pool_srv(domain(inventory, "contoso.com"), Runner(inventory, store))
    assert len(problems) == len(inventory.dns_servers)  # one per internal DNS server asked
    assert all(p.warning and "Director pool dir01.contoso.local" in p.message for p in problems)


# -- EDGE-DNS-03/04 with a hardware load balancer --------------------------------------------------------------
def next_hop_vip(lab: Lab) -> None:
    pool = lab.pools("frontend")[0]
    pool.update(vip="10.10.1.10", dns_load_balanced=False)
    _edit_hosts(lab, EDGE1, lambda lines: [x for x in lines if not x.endswith("\tpool01.contoso.local")]
                + ["10.10.1.10\tpool01.contoso.local", ""])


def test_next_hop_behind_a_vip_must_resolve_to_it(lab, tmp_path):
    inventory, store = written(lab, tmp_path, next_hop_vip)
    edge = host(inventory, store, EDGE1)
    [name, *_] = edge_dns.names_to_resolve(inventory, inventory.server(EDGE1))
    assert name.addresses == (inventory.pool("pool01.contoso.local").vip,)
    assert edge_dns.resolves_to_inventory(edge, name) == []


def test_next_hop_behind_a_vip_resolving_to_a_member_fails(lab, tmp_path):
    def edit(lab: Lab) -> None:
        next_hop_vip(lab)
        _edit_hosts(lab, EDGE1, lambda lines: [x.replace("10.10.1.10\tpool01", "10.10.1.11\tpool01") for x in lines])

    inventory, store = written(lab, tmp_path, edit)
    edge = host(inventory, store, EDGE1)
    [name, *_] = edge_dns.names_to_resolve(inventory, inventory.server(EDGE1))
    [problem] = edge_dns.resolves_to_inventory(edge, name)
    assert "10.10.1.11" in problem.message and "10.10.1.10" in problem.message


def test_edge_pool_behind_a_vip_resolves_to_it_internally(lab, tmp_path):
    def edit(lab: Lab) -> None:
        lab.pools("edge")[0]["vip"] = "172.16.10.10"

    inventory, store = written(lab, tmp_path, edit)
    problems = dns_records.edge_internal_a_records(host(inventory, store, EDGE1), Runner(inventory, store))
    assert problems and all("VIP 172.16.10.10" in p.message for p in problems)

    def records(views: dict) -> None:
        text = views["internal"]["contoso.local"]
        text = "\n".join(x for x in text.splitlines() if not x.startswith("edgepool.contoso.local."))
        views["internal"]["contoso.local"] = text + "\nedgepool.contoso.local. 3600 IN A 172.16.10.10\n"

    fixed, store = written(lab, tmp_path / "fixed", lambda lab: None, records)
    assert dns_records.edge_internal_a_records(host(fixed, store, EDGE1), Runner(fixed, store)) == []
