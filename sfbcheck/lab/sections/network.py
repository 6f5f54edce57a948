"""Lab evidence: NetIPAddress and NetRoute (both policy stores), as Get-NetIPAddress / Get-NetRoute emit them on
Windows Server 2019: each adapter's IPv4 address and its IPv6 link-local address (``fe80::…%ifIndex``, PrefixOrigin
WellKnown, SuffixOrigin Link), the loopback (``Loopback Pseudo-Interface 1``, ifIndex 1: 127.0.0.1/8 and ::1/128,
WellKnown), and the IPv6 on-link routes Windows adds (fe80::/64, ff00::/8, ::1/128). Sample: see
selftest/data/real/README.md (Get-NetIPAddress).
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any

from sfbcheck.lab.model import Lab

INTERNAL_INDEX, EXTERNAL_INDEX = 12, 14


LOOPBACK = "Loopback Pseudo-Interface 1"


def address(alias: str, index: int, ip: str, prefix: int, origin: str = "Manual",
            state: str = "Preferred") -> dict[str, Any]:
    family = "IPv6" if ":" in ip else "IPv4"
    return {"InterfaceAlias": alias, "InterfaceIndex": index, "IPAddress": ip, "PrefixLength": prefix,
            "AddressFamily": family, "PrefixOrigin": origin, "AddressState": state}


def link_local(alias: str, index: int, seed: str) -> dict[str, Any]:
    """The adapter's IPv6 link-local address (random interface ID, as Windows makes it), with its zone."""
    digest = hashlib.sha256(seed.encode()).digest()
    words = [int.from_bytes(digest[i:i + 2], "big") for i in range(0, 8, 2)]
    ip = str(ipaddress.ip_address("fe80::" + ":".join(f"{w:x}" for w in words)))
    return address(alias, index, f"{ip}%{index}", 64, origin="WellKnown")


def loopback_addresses() -> list[dict[str, Any]]:
    return [address(LOOPBACK, 1, "::1", 128, origin="WellKnown"),
            address(LOOPBACK, 1, "127.0.0.1", 8, origin="WellKnown")]


def route(prefix: str, next_hop: str, alias: str, index: int, store: str, metric: int = 0) -> dict[str, Any]:
    return {"DestinationPrefix": prefix, "NextHop": next_hop, "InterfaceAlias": alias, "InterfaceIndex": index,
            "RouteMetric": metric, "AddressFamily": "IPv6" if ":" in prefix else "IPv4", "Store": store}


def ipv6_on_link(alias: str, index: int, link_local_ip: str) -> list[dict[str, Any]]:
    plain = link_local_ip.split("%")[0]
    return [route("fe80::/64", "::", alias, index, "ActiveStore", 256),
            route(f"{plain}/128", "::", alias, index, "ActiveStore", 256),
            route("ff00::/8", "::", alias, index, "ActiveStore", 256)]


def in_both_stores(prefix: str, next_hop: str, alias: str, index: int, metric: int = 0) -> list[dict[str, Any]]:
    return [route(prefix, next_hop, alias, index, store, metric) for store in ("ActiveStore", "PersistentStore")]


def on_link(alias: str, index: int, ip: str, prefix: int) -> list[dict[str, Any]]:
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    return [route(str(network), "0.0.0.0", alias, index, "ActiveStore", 256),
            route(f"{ip}/32", "0.0.0.0", alias, index, "ActiveStore", 256),
            route(f"{network.broadcast_address}/32", "0.0.0.0", alias, index, "ActiveStore", 256)]


def build(lab: Lab) -> None:
    for pool in lab.pools():
        for member in pool["members"]:
            sections = lab.sections(member["fqdn"])
            if pool["role"] == "edge":
                internal, external = member["ip"], member["external_ip"]
                gateway = pool["internal_gateway"]
                external_gateway = str(ipaddress.ip_network(f"{external}/24", strict=False).network_address + 1)
                nics = [("Internal", INTERNAL_INDEX, internal), ("External", EXTERNAL_INDEX, external)]
                sections["NetIPAddress"] = [address("Internal", INTERNAL_INDEX, internal, 24),
                                            address("External", EXTERNAL_INDEX, external, 24)]
                routes = in_both_stores("0.0.0.0/0", external_gateway, "External", EXTERNAL_INDEX)
                for subnet in pool["internal_subnets"]:
                    routes += in_both_stores(subnet, gateway, "Internal", INTERNAL_INDEX, 1)
                routes += on_link("Internal", INTERNAL_INDEX, internal, 24)
                routes += on_link("External", EXTERNAL_INDEX, external, 24)
            else:
                ip = member["ip"]
                gateway = str(ipaddress.ip_network(f"{ip}/24", strict=False).network_address + 1)
                nics = [("Ethernet", INTERNAL_INDEX, ip)]
                sections["NetIPAddress"] = [address("Ethernet", INTERNAL_INDEX, ip, 24)]
                routes = in_both_stores("0.0.0.0/0", gateway, "Ethernet", INTERNAL_INDEX)
                routes += on_link("Ethernet", INTERNAL_INDEX, ip, 24)
            for alias, index, _ in nics:
                local = link_local(alias, index, f"{member['fqdn']}/{alias}")
                sections["NetIPAddress"].append(local)
                routes += ipv6_on_link(alias, index, local["IPAddress"])
            sections["NetIPAddress"] += loopback_addresses()
            routes.append(route("127.0.0.0/8", "0.0.0.0", LOOPBACK, 1, "ActiveStore", 256))
            routes.append(route("::1/128", "::", LOOPBACK, 1, "ActiveStore", 256))
            sections["NetRoute"] = routes
