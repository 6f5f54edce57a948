"""The Edge's own identity and name resolution: workgroup membership (EDGE-DNS-01), primary DNS suffix
(EDGE-DNS-02) and what the Edge resolves for its next hop and its peers (EDGE-DNS-04).

Sources: seed 000 ("DNS Suffix": the Edge MUST be in a WORKGROUP with the internal domain as its primary DNS
suffix, set under System Properties and followed by a reboot; "DNS": the Edge resolves the Front Ends, the
pool and the other Edges through perimeter DNS or its HOSTS file) and seed 003 (hosts-file format).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from sfbcheck.errors import EvidenceGap
from sfbcheck.facts.hosts import hosts_file
from sfbcheck.facts.registry import TCPIP_PARAMETERS, registry
from sfbcheck.facts.resolution import resolutions
from sfbcheck.facts.system import computer_system
from sfbcheck.host import Host
from sfbcheck.inventory import Inventory, Server
from sfbcheck.problems import Problem

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SUFFIX_CLICK_PATH = ("System Properties (sysdm.cpl) → Computer Name → Change… → More… → "
                     "Primary DNS suffix of this computer")


def _suffix_fix(domain: str) -> str:
    return (f"Set the primary DNS suffix to {domain}: {SUFFIX_CLICK_PATH} = {domain} (leave 'Change primary DNS "
            "suffix when domain membership changes' as it is), OK, then reboot (the prompt follows). "
            f"The value is stored as 'NV Domain' under {TCPIP_PARAMETERS}:\n"
            f"Set-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters' "
            f"-Name 'NV Domain' -Value '{domain}'; Restart-Computer")


def not_domain_member(edge: Host) -> list[Problem]:
    """EDGE-DNS-01: the Edge is in a workgroup (or a perimeter domain), not the internal AD domain (000)."""
    system = computer_system(edge.evidence)
    internal = edge.inventory.ad_domain
    if not system.part_of_domain:
        return []
    domain = system.domain.strip().rstrip(".").lower()
    if domain != internal and not domain.endswith("." + internal):
        return []  # a separate perimeter forest is allowed
    return [Problem(
        f"the Edge is joined to the internal AD domain {system.domain}; an Edge must be in a WORKGROUP "
        "(or a perimeter domain)",
        fix=(f"Remove it from the domain: System Properties (sysdm.cpl) → Computer Name → Change… → Member of: "
             f"Workgroup (WORKGROUP), then under More… keep the primary DNS suffix {edge.fqdn.partition('.')[2]}; "
             "OK and reboot (the prompt follows). Or: Remove-Computer -WorkgroupName WORKGROUP -Restart"),
        evidence=str(system))]


def primary_dns_suffix(edge: Host) -> list[Problem]:
    """EDGE-DNS-02: the primary DNS suffix equals the domain part of the Edge's topology FQDN (000)."""
    expected = edge.fqdn.partition(".")[2]
    key = registry(edge.evidence).require(TCPIP_PARAMETERS)

    def text(name: str) -> str:
        value = key.value(name)
        return str(value.value).strip().rstrip(".") if value is not None and value.value is not None else ""

    configured, active = text("NV Domain"), text("Domain")
    shown = key.describe()
    if configured.casefold() != expected:
        what = f"is {configured}" if configured else "is not set"
        return [Problem(f"the primary DNS suffix {what}; the topology names this Edge {edge.fqdn}, so it must be "
                        f"{expected}", fix=_suffix_fix(expected), evidence=shown)]
    if active.casefold() != expected:
        return [Problem(f"the primary DNS suffix is set to {configured} but not in effect (the active Domain value "
                        f"is {active or 'empty'}): reboot pending",
                        fix=f"Reboot the Edge (Restart-Computer) so that the suffix {expected} takes effect.",
                        evidence=shown)]
    return []


# -- EDGE-DNS-04 -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NameToResolve:
    """A name the Edge must resolve, and the addresses the inventory says it has."""

    fqdn: str
    kind: str  # "next-hop pool", "Front End", "Edge"
    addresses: tuple[IPAddress, ...]
    load_balanced: bool = False  # a DNS-load-balanced pool: every member address, one A record each

    def __str__(self) -> str:
        return self.fqdn


def names_to_resolve(inventory: Inventory, edge: Server) -> list[NameToResolve]:
    """The next-hop pool FQDN (its VIP behind a hardware load balancer, else every member), each of its members,
    and every other Edge of the Edge's pool."""
    names = []
    if edge.pool.next_hop:
        hop = inventory.pool(edge.pool.next_hop)
        if hop.vip is not None:
            names.append(NameToResolve(hop.fqdn, "next-hop pool (hardware load balancer VIP)", (hop.vip,)))
        elif hop.dns_load_balanced or len(hop.members) == 1:
            names.append(NameToResolve(hop.fqdn, "next-hop pool", tuple(m.ip for m in hop.members),
                                       hop.dns_load_balanced))
        else:
            names.append(NameToResolve(hop.fqdn, "next-hop pool", ()))  # neither DNS-LB nor a VIP: unknown
        names += [NameToResolve(m.fqdn, f"{hop.role.value} server of the next hop", (m.ip,)) for m in hop.members]
    names += [NameToResolve(m.fqdn, "Edge of the same pool", (m.ip,)) for m in edge.pool.members
              if m.fqdn != edge.fqdn]
    return names


def _resolution_fix(edge: Host, name: NameToResolve) -> str:
    lines = "\n".join(f"{ip}\t{name.fqdn}" for ip in name.addresses)
    return (f"Give the Edge the inventory's address(es) for {name.fqdn}: in perimeter DNS (A records), or in "
            f"C:\\Windows\\System32\\drivers\\etc\\hosts on {edge.fqdn}, one name per line:\n{lines}\n"
            "then ipconfig /flushdns and Resolve-DnsName " + name.fqdn)


def _in_hosts_file(edge: Host, name: str) -> str:
    if not edge.evidence.has("HostsFile"):
        return ""
    lines = [str(e) for e in hosts_file(edge.evidence).with_name(name)]
    return ("\nhosts file: " + "; ".join(lines)) if lines else "\nhosts file: no line for it"


def resolves_to_inventory(edge: Host, name: NameToResolve) -> list[Problem]:
    """EDGE-DNS-04: from the Edge, ``name`` resolves to the inventory's address(es) (000, 003)."""
    found = resolutions(edge.evidence).get(name.fqdn)
    if found is None:
        return [Problem(f"the evidence has no Resolve-DnsName result for {name.fqdn} ({name.kind}): it was not "
                        "resolved on the Edge", fix=f"Collect it on {edge.fqdn}: Resolve-DnsName {name.fqdn}",
                        evidence="ResolveDnsName: " + (", ".join(sorted(resolutions(edge.evidence))) or "(empty)"))]
    if not name.addresses:
        raise EvidenceGap("inventory", "pools[].vip", f"is not set for {name.fqdn}, which is not DNS load balanced: "
                          "the address it must resolve to (its hardware load balancer's VIP) is unknown")
    evidence = found.describe() + _in_hosts_file(edge, name.fqdn)
    expected = set(name.addresses)
    got = list(dict.fromkeys(found.addresses))
    shown = ", ".join(str(ip) for ip in name.addresses)
    if not got:
        return [Problem(f"the Edge cannot resolve {name.fqdn} ({name.kind}): {found.error or 'no address'}",
                        fix=_resolution_fix(edge, name), evidence=evidence)]
    wrong = [ip for ip in got if ip not in expected]
    if wrong:
        return [Problem(f"{name.fqdn} ({name.kind}) resolves on the Edge to {', '.join(str(ip) for ip in wrong)}, "
                        f"not the inventory's {shown}", fix=_resolution_fix(edge, name), evidence=evidence)]
    if name.load_balanced and len(expected) > 1 and len(got) == 1:
        via = f" through CNAME {found.cnames[0][1]}" if found.cnames else ""
        return [Problem(f"the DNS-load-balanced pool {name.fqdn} resolves on the Edge to only one member ({got[0]})"
                        f"{via}: when it is down the Edge does not fail over to the others",
                        fix=_resolution_fix(edge, name) + ("\n(An alias on a hosts-file line becomes a CNAME to "
                                                           "the line's first name: see EDGE-HOSTS-01.)"
                                                           if found.cnames else ""),
                        evidence=evidence)]
    missing = [ip for ip in name.addresses if ip not in got]
    if name.load_balanced and missing:
        return [Problem(f"the pool {name.fqdn} resolves on the Edge without the member address(es) "
                        f"{', '.join(str(ip) for ip in missing)}", fix=_resolution_fix(edge, name), evidence=evidence)]
    return []
