"""Seed 004's deployment shape runs: two Standard Edition servers backing each other up (pool FQDN = server FQDN),
a one-server Edge pool and an Office Web Apps farm of one, all named like their one server."""

from __future__ import annotations

from selftest.harness import run_lab
from sfbcheck.inventory import validate
from sfbcheck.lab.build import build_lab


def seed_004() -> dict:
    def server(fqdn: str, ip: str, **extra: object) -> dict:
        return {"fqdn": fqdn, "ip": ip, **extra}

    return {
        "deployment": "seed 004: Standard Edition pair", "product": "sfb2019", "ad_domain": "lab.local",
        "sip_domains": [{"name": "lab.local", "homed": "on-premises"}], "sites": ["Lab"],
        "cms": {"pool": "fe01.lab.local"}, "dns_servers": ["10.0.0.5"],
        "pools": [
            {"fqdn": "fe01.lab.local", "role": "frontend", "edition": "standard", "site": "Lab",
             "backup": "fe02.lab.local", "dns_load_balanced": False, "features": ["conferencing"],
             "members": [server("fe01.lab.local", "10.0.0.11")]},
            {"fqdn": "fe02.lab.local", "role": "frontend", "edition": "standard", "site": "Lab",
             "backup": "fe01.lab.local", "dns_load_balanced": False,
             "features": ["conferencing", "enterprise_voice", "mediation_collocated"],
             "members": [server("fe02.lab.local", "10.0.0.12")]},
            {"fqdn": "edge01.lab.local", "role": "edge", "site": "Lab", "dns_load_balanced": False,
             "next_hop": "fe01.lab.local", "access_edge_fqdn": "sip.lab.local", "internal_subnets": ["10.0.0.0/24"],
             "internal_gateway": "172.16.0.1",
             "members": [server("edge01.lab.local", "172.16.0.11", external_ip="198.51.100.11",
                                connection={"method": "file"})]},
            {"fqdn": "owas01.lab.local", "role": "owas", "site": "Lab", "homes_users": False,
             "dns_load_balanced": False, "members": [server("owas01.lab.local", "10.0.0.31")]},
        ],
        "evidence": "evidence",
    }


def test_standard_edition_pair_one_server_edge_and_owas_farm_of_one_run_clean(tmp_path):
    data = seed_004()
    inventory = validate(data)
    assert {inventory.pool_host(p) for p in inventory.pools} == {
        "pool:fe01.lab.local", "pool:fe02.lab.local", "pool:edge01.lab.local", "pool:owas01.lab.local"}
    run = run_lab(build_lab(inventory=data), tmp_path)
    hosts = {(r["host"], r["scope"]) for r in run.results}
    assert {("fe02.lab.local", "server"), ("pool:fe02.lab.local", "pool"), ("edge01.lab.local", "server"),
            ("pool:edge01.lab.local", "pool"), ("owas01.lab.local", "server")} <= hosts, sorted(hosts)
    assert not run.errors, run.stdout[-4000:]
    assert not run.failures, run.stdout[-4000:]
    assert run.returncode == 0
