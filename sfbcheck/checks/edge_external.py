"""The Edge's half of the internal path and its external federation lookups (EDGE-FW-05, EDGE-DNS-05).

Sources: Microsoft "Edge Server port summary" (the Access Edge connects to its next hop on TCP 5061); OPD rules
RDCheckEdgeExternalDNS (the Edge resolves sipfed.online.lync.com for hybrid / hosting providers) and
RDCheckFederatedDomainDNSRecords (a partner's _sipfederationtls._tcp SRV record).
"""

from __future__ import annotations

from sfbcheck.errors import EvidenceGap
from sfbcheck.facts import federation
from sfbcheck.facts.federation_dns import SECTION, federation_lookups
from sfbcheck.facts.fields import readers
from sfbcheck.facts.probes import tcp_probes
from sfbcheck.host import Host
from sfbcheck.probes.dns import OFFICE365_FEDERATION
from sfbcheck.problems import Problem

SIP_PORT = 5061


def next_hop_sip(edge: Host) -> list[Problem]:
    """EDGE-FW-05: from the Edge's internal interface, TCP 5061 to each member of its next-hop pool connects."""
    hop = edge.pool.next_hop
    if hop is None:
        return []
    probes = tcp_probes(edge.evidence)
    problems = []
    for member in edge.inventory.pool(hop).members:
        found = [p for p in probes if p.port == SIP_PORT and p.address in (str(member.ip), member.fqdn)]
        if not found:
            raise EvidenceGap(edge.fqdn, "TcpProbe", f"has no probe of {member.fqdn} ({member.ip}):{SIP_PORT} from "
                                                     "the Edge (collect with -ProbeTargets including it)")
        for probe in found:
            if probe.succeeded:
                continue
            problems.append(Problem(
                f"the Edge {edge.fqdn} cannot reach its next hop {member.fqdn} ({member.ip}) on TCP {SIP_PORT}: "
                "SIP from outside (remote users, federation, the Access Edge's own registrations) stops at the Edge",
                fix=(f"Allow TCP {SIP_PORT} from the Edge's internal address {edge.ip} to {member.ip} on the internal "
                     f"firewall (and on {member.fqdn}'s Windows Firewall: rule 'Lync Server' / 'Skype for Business "
                     "Server' for the Front End service); then Test-NetConnection "
                     f"{member.ip} -Port {SIP_PORT} on the Edge."),
                evidence=str(probe)))
    return problems


def _proxied_partners(frontend: Host) -> set[str]:
    """Allowed domains with a ProxyFqdn: their federation goes to that name, not through DNS SRV."""
    return {r.text("Domain").rstrip(".").lower() for r in readers(frontend.evidence, federation.ALLOWED_DOMAINS)
            if r.text("ProxyFqdn", required=False)}


def needs_office365(frontend: Host, edge: Host) -> bool:
    hybrid = any(d.homed == "online" for d in edge.inventory.sip_domains)
    providers = [p for p in federation.hosting_providers(frontend.evidence) if p.enabled]
    return hybrid or any(p.proxy_fqdn == OFFICE365_FEDERATION for p in providers)


def federation_names_resolve(frontend: Host, edge: Host) -> list[Problem]:
    """EDGE-DNS-05: from the Edge, sipfed.online.lync.com resolves where hybrid or an Office 365 hosting provider is
    configured, and each inventory partner's _sipfederationtls._tcp SRV record resolves (unless the partner is an
    allowed domain with its own ProxyFqdn)."""
    problems = []
    fix_dns = (f"On {edge.fqdn}, check the DNS servers of the external interface (Get-DnsClientServerAddress) and that "
               "they resolve public names: Resolve-DnsName {name} -Type {kind}; an Edge resolves external names "
               "through external DNS (or the internal DNS forwarding them), never through its hosts file only.")
    lookups = federation_lookups(edge.evidence)
    if needs_office365(frontend, edge):
        found = lookups.get((OFFICE365_FEDERATION, "A"))
        if found is None:
            raise EvidenceGap(edge.fqdn, SECTION, f"has no lookup of {OFFICE365_FEDERATION}")
        if not found.answered:
            problems.append(Problem(
                f"the Edge {edge.fqdn} cannot resolve {OFFICE365_FEDERATION} ({found.error or 'no address'}): "
                "hybrid users and partners hosted in Microsoft 365 cannot be reached",
                fix=fix_dns.format(name=OFFICE365_FEDERATION, kind="A"),
                evidence=found.describe()))
    proxied = _proxied_partners(frontend)
    for partner in edge.inventory.federation_partners:
        domain = partner.domain.lower()
        if domain in proxied:
            continue
        name = f"_sipfederationtls._tcp.{domain}"
        found = lookups.get((name, "SRV"))
        if found is None:
            raise EvidenceGap(edge.fqdn, SECTION, f"has no lookup of {name} SRV")
        if not found.answered:
            problems.append(Problem(
                f"the Edge {edge.fqdn} cannot resolve {name} SRV ({found.error or 'no SRV record'}): federation "
                f"with {domain} by DNS SRV fails from this Edge",
                fix=(fix_dns.format(name=name, kind="SRV") + f"\nIf {domain} publishes no SRV record, federate "
                     f"with its Access Edge directly: New-CsAllowedDomain -Identity {domain} -ProxyFqdn "
                     f"<{domain}'s Access Edge FQDN>"),
                evidence=found.describe()))
    return problems
