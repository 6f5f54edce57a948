"""Interfaces and routes from NetIPAddress / NetRoute evidence (Get-NetIPAddress, Get-NetRoute)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_ROUTES = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))
ON_LINK = (ipaddress.ip_address("0.0.0.0"), ipaddress.ip_address("::"))


@dataclass(frozen=True)
class Interface:
    alias: str
    index: int
    address: IPAddress
    network: IPNetwork

    def __str__(self) -> str:
        return f"{self.alias} (ifIndex {self.index}, {self.address}/{self.network.prefixlen})"


@dataclass(frozen=True)
class Route:
    prefix: IPNetwork
    next_hop: IPAddress
    alias: str
    index: int
    store: str
    metric: int

    @property
    def is_default(self) -> bool:
        return self.prefix in DEFAULT_ROUTES

    @property
    def is_on_link(self) -> bool:
        return self.next_hop in ON_LINK

    def __str__(self) -> str:
        return f"{self.prefix} via {self.next_hop} on {self.alias} (ifIndex {self.index}) [{self.store}]"


@dataclass(frozen=True)
class NetworkFacts:
    interfaces: tuple[Interface, ...]
    routes: tuple[Route, ...]

    def interface_with(self, ip: IPAddress | None) -> Interface | None:
        return next((i for i in self.interfaces if ip is not None and i.address == ip), None)

    def in_store(self, store: str) -> list[Route]:
        return [r for r in self.routes if r.store == store]

    @property
    def persistent(self) -> list[Route]:
        return self.in_store("PersistentStore")

    @property
    def active(self) -> list[Route]:
        return self.in_store("ActiveStore")


def _field(record: dict, name: str, section: str, server: str) -> object:
    if name not in record:
        raise EvidenceGap(server, section, f"is malformed: an entry has no {name}: {record}")
    return record[name]


def parse_network(evidence: Evidence) -> NetworkFacts:
    """Interfaces and routes of a server; EvidenceGap if the sections are missing or malformed."""
    interfaces, routes = [], []
    try:
        for rec in evidence.records("NetIPAddress"):
            ip = ipaddress.ip_address(str(_field(rec, "IPAddress", "NetIPAddress", evidence.server)).split("%")[0])
            prefix = int(_field(rec, "PrefixLength", "NetIPAddress", evidence.server))
            interfaces.append(Interface(str(rec.get("InterfaceAlias", "")), int(rec.get("InterfaceIndex", -1)), ip,
                                        ipaddress.ip_network(f"{ip}/{prefix}", strict=False)))
        for rec in evidence.records("NetRoute"):
            routes.append(Route(
                ipaddress.ip_network(str(_field(rec, "DestinationPrefix", "NetRoute", evidence.server)), strict=False),
                ipaddress.ip_address(str(_field(rec, "NextHop", "NetRoute", evidence.server))),
                str(rec.get("InterfaceAlias", "")), int(rec.get("InterfaceIndex", -1)),
                str(_field(rec, "Store", "NetRoute", evidence.server)), int(rec.get("RouteMetric") or 0)))
    except (ValueError, TypeError, OverflowError) as exc:  # OverflowError: int(Infinity)
        raise EvidenceGap(evidence.server, "NetIPAddress/NetRoute", f"is malformed: {exc}") from None
    return NetworkFacts(tuple(interfaces), tuple(routes))


def network(evidence: Evidence) -> NetworkFacts:
    return evidence.parsed("network", parse_network)
