"""Lab evidence: NetIPAddress and NetRoute (both policy stores), as Get-NetIPAddress / Get-NetRoute emit them."""

from __future__ import annotations

import ipaddress
from typing import Any

from sfbcheck.lab.model import Lab

INTERNAL_INDEX, EXTERNAL_INDEX = 12, 14


def address(alias: str, index: int, ip: str, prefix: int) -> dict[str, Any]:
    return {"InterfaceAlias": alias, "InterfaceIndex": index, "IPAddress": ip, "PrefixLength": prefix,
            "AddressFamily": "IPv4", "PrefixOrigin": "Manual", "AddressState": "Preferred"}


def route(prefix: str, next_hop: str, alias: str, index: int, store: str, metric: int = 0) -> dict[str, Any]:
    return {"DestinationPrefix": prefix, "NextHop": next_hop, "InterfaceAlias": alias, "InterfaceIndex": index,
            "RouteMetric": metric, "AddressFamily": "IPv4", "Store": store}


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
                sections["NetIPAddress"] = [address("Ethernet", INTERNAL_INDEX, ip, 24)]
                routes = in_both_stores("0.0.0.0/0", gateway, "Ethernet", INTERNAL_INDEX)
                routes += on_link("Ethernet", INTERNAL_INDEX, ip, 24)
            routes.append(route("127.0.0.0/8", "0.0.0.0", "Loopback Pseudo-Interface 1", 1, "ActiveStore", 256))
            sections["NetRoute"] = routes
