"""Build the clean sample lab: Contoso, SfB Server 2019, two Front End pools, an Edge pool, OWAS.

* pool01.contoso.local (Redmond): fe01..fe03, hosts the CMS (master replicator on fe01), backup pool02
* pool02.contoso.local (Dublin):  fe04, fe05, backup pool01, certificates from an ECDSA issuing CA
* edgepool.contoso.local (perimeter): edge01, edge02, next hop pool01, collected by hand (no WinRM)
* owas.contoso.local: owas01
* se01.contoso.local (Dublin): a Standard Edition server (seed 004), collocated Mediation, backup pool01
* dir01.contoso.local (Redmond): a Director pool of one server
* lync01.contoso.local (Dublin): a legacy Lync Server 2013 Standard Edition server on Windows Server 2012 R2 beside
  the SfB 2019 pools (coexistence during a migration)
* SIP domains contoso.com (on-premises) and fabrikam.com (homed in Skype for Business Online)
* PKI: Contoso Root CA -> Contoso Issuing CA 01 (RSA) and Contoso Issuing CA 02 (ECDSA);
  a public CA (Example Public Root -> Example Public TLS CA) for the Edge external certificate; Windows' own
  roots (Microsoft Root Authority, md5RSA; 2010/2011 roots; DigiCert, Baltimore, ISRG, ...); in CA Root Agency and
  real public intermediates (Microsoft Windows Production PCA 2011, expired; DigiCert Global G2 TLS RSA SHA256 2020
  CA1; Let's Encrypt R11).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sfbcheck.lab import pki
from sfbcheck.lab.model import Lab, LabPki
from sfbcheck.lab.sections import SECTION_BUILDERS

SectionBuilder = Callable[[Lab], None]


def lab_inventory() -> dict[str, Any]:
    def fe(name: str, ip: str) -> dict[str, Any]:
        return {"fqdn": f"{name}.contoso.local", "ip": ip}

    def edge(name: str, ip: str, external: str) -> dict[str, Any]:
        return {"fqdn": f"{name}.contoso.local", "ip": ip, "external_ip": external,
                "connection": {"method": "file"}}

    return {
        "deployment": "Contoso sample lab",
        "product": "sfb2019",
        "ad_domain": "contoso.local",
        "sip_domains": [
            {"name": "contoso.com", "homed": "on-premises", "mobile_push": True},
            {"name": "fabrikam.com", "homed": "online"},
        ],
        "sites": ["Redmond", "Dublin"],
        "cms": {"pool": "pool01.contoso.local", "master": "fe01.contoso.local"},
        "dns_servers": ["10.10.1.5", "10.10.1.6"],
        "federation_partners": [{"domain": "litwareinc.com"}, {"domain": "adatum.com"}],
        "pools": [
            {"fqdn": "pool01.contoso.local", "role": "frontend", "site": "Redmond",
             "backup": "pool02.contoso.local", "dns_load_balanced": True,
             "features": ["conferencing", "dialin_conferencing", "enterprise_voice"],
             "members": [fe("fe01", "10.10.1.11"), fe("fe02", "10.10.1.12"), fe("fe03", "10.10.1.13")]},
            {"fqdn": "pool02.contoso.local", "role": "frontend", "site": "Dublin",
             "backup": "pool01.contoso.local", "dns_load_balanced": True, "features": ["conferencing"],
             "members": [fe("fe04", "10.20.1.11"), fe("fe05", "10.20.1.12")]},
            {"fqdn": "edgepool.contoso.local", "role": "edge", "site": "Redmond",
             "next_hop": "pool01.contoso.local", "access_edge_fqdn": "sip.contoso.com",
             "internal_subnets": ["10.10.0.0/16", "10.20.0.0/16"], "internal_gateway": "172.16.10.1",
             "members": [edge("edge01", "172.16.10.11", "198.51.100.11"),
                         edge("edge02", "172.16.10.12", "198.51.100.12")]},
            {"fqdn": "owas.contoso.local", "role": "owas", "site": "Redmond", "homes_users": False,
             "members": [fe("owas01", "10.10.1.31")]},
            # seed 004: a Standard Edition server (the pool is the server) backed up by another pool
            {"fqdn": "se01.contoso.local", "role": "frontend", "edition": "standard", "site": "Dublin",
             "backup": "pool01.contoso.local", "backup_mutual": False, "dns_load_balanced": False,
             "features": ["conferencing", "enterprise_voice", "mediation_collocated"],
             "members": [fe("se01", "10.20.1.21")]},
            {"fqdn": "dir01.contoso.local", "role": "director", "site": "Redmond", "homes_users": False,
             "dns_load_balanced": False, "members": [fe("dir01", "10.10.1.21")]},
            # coexistence: a legacy Lync Server 2013 Standard Edition server not yet migrated (no backup: Lync 2013
            # cannot be paired with an SfB 2019 pool)
            {"fqdn": "lync01.contoso.local", "role": "frontend", "edition": "standard", "product": "lync2013",
             "site": "Dublin", "dns_load_balanced": False, "features": ["conferencing"],
             "members": [fe("lync01", "10.20.1.31")]},
        ],
        "policy": {"cert_expiry_days": 30, "event_lookback_hours": 168, "replication_max_age_hours": 24},
        "evidence": "evidence",
    }


def lab_pki(now: datetime) -> LabPki:
    root = pki.make_root("Contoso Root CA", now=now, friendly_name="Contoso Root CA")
    third_party = pki.builtin("Root")  # Windows' own roots and the usual public ones (real certificates)
    public_root = pki.make_root("Example Public Root CA", org="Example Public CA Inc", now=now)
    return LabPki(
        internal_root=root,
        issuing_rsa=pki.make_ca("Contoso Issuing CA 01", root, now=now),
        issuing_ec=pki.make_ca("Contoso Issuing CA 02", root, kind="ec", now=now),
        public_root=public_root,
        public_ca=pki.make_ca("Example Public TLS CA", public_root, org="Example Public CA Inc", now=now),
        other_roots=third_party,
        windows_ca=pki.builtin("CA") + pki.public_intermediates(),  # Root Agency and real public intermediates
    )


def build_lab(now: datetime | None = None, builders: list[SectionBuilder] | None = None,
              inventory: dict[str, Any] | None = None) -> Lab:
    """A clean lab: every implemented requirement passes on it. ``inventory`` (default: the Contoso lab's)
    gives another deployment's shape the same clean evidence."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    lab = Lab(inventory=inventory or lab_inventory(), now=now, pki=lab_pki(now))
    for member in lab.members():
        lab.sections(member["fqdn"])
    lab.runner_sections()
    for build in builders if builders is not None else SECTION_BUILDERS:
        build(lab)
    return lab
