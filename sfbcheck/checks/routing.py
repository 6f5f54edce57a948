"""Edge routing: one default gateway on the external side, persistent routes to the LAN on the internal side.

Source: seed 000 (Edge replication troubleshooter, "Routing"): the default gateway MUST be on the
external DMZ interface, the internal interface has none, and every internal subnet gets a static
route added with ``route add … -p`` so that it survives a reboot.
"""

from __future__ import annotations

import ipaddress

from sfbcheck.facts.network import Interface, NetworkFacts, Route, network
from sfbcheck.host import Host
from sfbcheck.problems import Problem


def _sides(edge: Host, facts: NetworkFacts) -> tuple[Interface | None, Interface | None]:
    """The internal interface (holding the inventory's IP) and the external one (its external IP, or the one
    other adapter with a usable address; None when a third NIC leaves it ambiguous)."""
    internal = facts.interface_with(edge.member.ip)
    external = facts.interface_with(edge.member.external_ip)
    if external is None and internal is not None:
        others = [i for index, i in facts.adapters(internal.address.version).items() if index != internal.index]
        external = others[0] if len(others) == 1 else None
    return internal, external


def _no_internal_interface(edge: Host, facts: NetworkFacts) -> Problem:
    listed = "\n".join(str(i) for i in facts.interfaces) or "(no IP addresses in evidence)"
    return Problem(f"no interface holds the inventory's internal IP {edge.member.ip}",
                   fix=f"Give the internal interface {edge.member.ip}, or correct the inventory's ip for {edge.fqdn}.",
                   evidence=listed)


def _route_commands(subnet: ipaddress.IPv4Network | ipaddress.IPv6Network, gateway: object, index: int) -> str:
    if subnet.version == 4:
        classic = f"route -p add {subnet.network_address} mask {subnet.netmask} {gateway} if {index}"
    else:
        classic = f"netsh interface ipv6 add route {subnet} {index} {gateway} store=persistent"
    return (f"{classic}\n"
            f"New-NetRoute -DestinationPrefix {subnet} -InterfaceIndex {index} -NextHop {gateway}"
            "  # adds it to both ActiveStore and PersistentStore")


def default_gateway(edge: Host) -> list[Problem]:
    """EDGE-NIC-01: exactly one default route, on the external interface; none on the internal one."""
    facts = network(edge.evidence)
    internal, external = _sides(edge, facts)
    if internal is None:
        return [_no_internal_interface(edge, facts)]
    defaults = {(r.index, r.next_hop): r for r in facts.routes if r.is_default and r.prefix.version == 4}
    routes = sorted(defaults.values(), key=lambda r: (r.index, str(r.next_hop)))
    shown = "\n".join(str(r) for r in routes) or "(no 0.0.0.0/0 route)"
    problems = []
    on_internal = [r for r in routes if r.index == internal.index]
    for r in on_internal:
        problems.append(Problem(
            f"the internal interface {internal.alias} has a default gateway ({r.next_hop})",
            fix=(f"Remove the default gateway from {internal.alias} (IPv4 properties: leave Default gateway blank):\n"
                 f"Remove-NetRoute -DestinationPrefix 0.0.0.0/0 -InterfaceIndex {internal.index} -NextHop {r.next_hop}"
                 "\nand reach the LAN through persistent routes (EDGE-ROUTE-01)."),
            evidence=shown))
    if not routes:
        problems.append(Problem("there is no default route at all; the external interface needs the default gateway",
                                fix=f"Set the default gateway on {external.alias if external else 'the external side'}"
                                    " (the external DMZ firewall/NAT address).", evidence=shown))
    elif len(routes) > 1 and not on_internal:
        problems.append(Problem(f"{len(routes)} default routes; exactly one is allowed, on the external interface",
                                fix="Keep only the external interface's default gateway.", evidence=shown))
    elif external is not None and not any(r.index == external.index for r in routes):
        problems.append(Problem(f"the default route is not on the external interface {external}",
                                fix=f"Move the default gateway to {external.alias}.", evidence=shown))
    return problems


def persistent_route(edge: Host, subnet: ipaddress.IPv4Network | ipaddress.IPv6Network) -> list[Problem]:
    """EDGE-ROUTE-01: a persistent route to ``subnet`` via the internal DMZ gateway on the internal interface."""
    facts = network(edge.evidence)
    internal, _ = _sides(edge, facts)
    if internal is None:
        return [_no_internal_interface(edge, facts)]
    gateway = edge.pool.internal_gateway
    fix = _route_commands(subnet, gateway, internal.index)

    def covering(routes: list[Route]) -> list[Route]:
        return [r for r in routes if not r.is_default and r.prefix.version == subnet.version
                and subnet.subnet_of(r.prefix)]  # type: ignore[arg-type]

    persistent, active = covering(facts.persistent), covering(facts.active)
    shown = "\n".join(str(r) for r in persistent + active) or f"(no route covers {subnet})"
    good = [r for r in persistent if r.next_hop == gateway and r.index == internal.index]
    if good:
        return []
    if persistent:
        wrong = persistent[0]
        what = (f"next hop {wrong.next_hop}, not the internal DMZ gateway {gateway}" if wrong.next_hop != gateway
                else f"interface {wrong.alias} (ifIndex {wrong.index}), not the internal interface {internal}")
        return [Problem(f"the persistent route to {subnet} uses {what}",
                        fix=f"route -p delete {wrong.prefix.network_address}\n{fix}", evidence=shown)]
    if any(r.next_hop == gateway for r in active):
        return [Problem(f"the route to {subnet} is not persistent: lost at next reboot (it is only in the ActiveStore)",
                        fix=f"Add it again with -p so it is stored in the PersistentStore:\n{fix}", evidence=shown)]
    return [Problem(f"no route to internal subnet {subnet} via the internal DMZ gateway {gateway}"
                    + (" (traffic to it would leave through the external default gateway)" if not active else ""),
                    fix=fix, evidence=shown)]


def meant_for_internal_side(route: Route, internal: Interface, edge: Host) -> bool:
    """A route on the internal interface, or one to (part of) an inventory internal subnet on any interface;
    a partner route through the external interface's own gateway is not the internal side's business. A
    persisted route of Windows Server 2008 R2 (Win32_IP4PersistedRouteTable) has no interface; when its next hop
    is on no interface's subnet (index -1) no side can use it, so it is judged here."""
    if route.index in (internal.index, -1):
        return True
    return any(route.prefix.version == subnet.version and route.prefix.overlaps(subnet)  # type: ignore[arg-type]
               for subnet in edge.pool.internal_subnets)


def persistent_next_hops(edge: Host) -> list[Problem]:
    """EDGE-ROUTE-02: every persistent route meant for the internal side has its next hop inside the internal
    interface's subnet (seed 000); routes on the external NIC to other networks (partners) are left alone."""
    facts = network(edge.evidence)
    internal, _ = _sides(edge, facts)
    if internal is None:
        return [_no_internal_interface(edge, facts)]
    problems = []
    for r in facts.persistent:
        if r.is_default or r.is_on_link or r.next_hop.version != internal.address.version:
            continue
        if not meant_for_internal_side(r, internal, edge):
            continue
        if r.next_hop not in internal.network:
            problems.append(Problem(
                f"persistent route {r.prefix} has next hop {r.next_hop}, outside the internal subnet "
                f"{internal.network} of {internal.alias}",
                fix=(f"route -p delete {r.prefix.network_address}\n"
                     + _route_commands(r.prefix, edge.pool.internal_gateway, internal.index)),
                evidence=str(r)))
    return problems
