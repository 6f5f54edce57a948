"""Interfaces and routes from NetIPAddress / NetRoute evidence (Get-NetIPAddress, Get-NetRoute).

Real servers list more than their NICs' addresses: the loopback (``Loopback Pseudo-Interface 1``: 127.0.0.1/8 and
::1/128, PrefixOrigin WellKnown), an IPv6 link-local fe80::/64 address on every adapter, on older Windows the
ISATAP (``isatap.{GUID}``, fe80::5efe:<IPv4>) and Teredo (``Teredo Tunneling Pseudo-Interface``, 2001::/32)
tunnels, and adapters without a usable address (a disconnected or DHCP-less NIC: 169.254.0.0/16, an AddressState
other than Preferred). ``NetworkFacts.adapters`` keeps the adapters that carry a usable address.

Two shapes (sfbcheck.facts.sources): Get-NetIPAddress / Get-NetRoute (Windows Server 2012 and later), or on
2008 R2 Win32_NetworkAdapterConfiguration (IPAddress[] with IPSubnet[], DefaultIPGateway[], NetConnectionID as
the alias) and Win32_IP4RouteTable (ActiveStore) + Win32_IP4PersistedRouteTable (PersistentStore: the
``route -p`` routes, which carry no interface: the interface is the one whose subnet holds the next hop, as
Windows chooses it). On 2008 R2 the gateway set on an adapter is not a persisted route but DefaultIPGateway:
it is read as that adapter's persistent default route, which is what Get-NetRoute -PolicyStore PersistentStore
shows for it on 2012 and later.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence
from sfbcheck.facts.sources import is_wmi_shape

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_ROUTES = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))
ON_LINK = (ipaddress.ip_address("0.0.0.0"), ipaddress.ip_address("::"))
TEREDO = ipaddress.ip_network("2001::/32")
PSEUDO_ALIASES = ("isatap.", "teredo tunneling pseudo-interface", "6to4 adapter", "loopback pseudo-interface")
# MSFT_NetIPAddress AddressState (the collector writes the name; ConvertTo-Json alone would write the number)
ADDRESS_STATES = {0: "Invalid", 1: "Tentative", 2: "Duplicate", 3: "Deprecated", 4: "Preferred"}


@dataclass(frozen=True)
class Interface:
    """One address of one interface (Get-NetIPAddress lists one object per address)."""

    alias: str
    index: int
    address: IPAddress
    network: IPNetwork
    state: str = "Preferred"

    @property
    def is_pseudo(self) -> bool:
        """Loopback or a tunnel pseudo-interface (ISATAP, Teredo, 6to4), not a network adapter."""
        address = self.address
        isatap = address.version == 6 and address.packed[8:12] in (b"\x00\x00\x5e\xfe", b"\x02\x00\x5e\xfe")
        return (address.is_loopback or self.alias.casefold().startswith(PSEUDO_ALIASES) or isatap
                or (address.version == 6 and address in TEREDO))

    @property
    def usable(self) -> bool:
        """An adapter's address that carries traffic: not a pseudo-interface, not link-local, Preferred."""
        return not self.is_pseudo and not self.address.is_link_local and self.state.casefold() == "preferred"

    def __str__(self) -> str:
        state = "" if self.state == "Preferred" else f", {self.state}"
        return f"{self.alias} (ifIndex {self.index}, {self.address}/{self.network.prefixlen}{state})"


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

    def adapters(self, version: int = 4) -> dict[int, Interface]:
        """Interface index -> its first usable address of that IP version (disconnected NICs, loopback,
        ISATAP/Teredo and link-local-only adapters left out)."""
        out: dict[int, Interface] = {}
        for interface in self.interfaces:
            if interface.usable and interface.address.version == version:
                out.setdefault(interface.index, interface)
        return out

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


# MSFT_NetRoute.Store: 0 PersistentStore, 1 ActiveStore (a plain ConvertTo-Json writes the number)
STORES = {"persistentstore": "PersistentStore", "activestore": "ActiveStore", 0: "PersistentStore", 1: "ActiveStore"}


def _store(value: object) -> str:
    """The route's policy store by its name; ValueError for anything else (never silently "other")."""
    key = value.strip().casefold() if isinstance(value, str) else value
    if isinstance(key, bool) or not isinstance(key, (str, int)) or key not in STORES:
        raise ValueError(f"Store is {value!r:.40}, not PersistentStore or ActiveStore")
    return STORES[key]


def _prefix_length(subnet: object, ip: IPAddress) -> int:
    """IPSubnet entry: a dotted mask for IPv4 ("255.255.255.0"), a prefix length for IPv6 ("64")."""
    text = str(subnet).strip()
    if text.isdigit():
        return int(text)
    return ipaddress.ip_network(f"0.0.0.0/{text}").prefixlen if ip.version == 4 else int(text)


def _wmi_interfaces(records: list[dict], server: str) -> tuple[list[Interface], list[Route]]:
    """Win32_NetworkAdapterConfiguration: the addresses, and each DefaultIPGateway as a persistent default route."""
    interfaces, gateways = [], []
    for rec in records:
        addresses = rec.get("IPAddress") or []
        subnets = rec.get("IPSubnet") or []
        if not isinstance(addresses, list) or not isinstance(subnets, list) or len(addresses) != len(subnets):
            raise EvidenceGap(server, "NetIPAddress", f"is malformed: IPAddress and IPSubnet do not pair up: {rec}")
        alias = str(rec.get("NetConnectionID") or rec.get("Description") or "")
        index = int(rec.get("InterfaceIndex", rec.get("Index", -1)))
        for raw, subnet in zip(addresses, subnets, strict=True):
            ip = ipaddress.ip_address(str(raw).split("%")[0])
            prefix = _prefix_length(subnet, ip)
            interfaces.append(Interface(alias, index, ip, ipaddress.ip_network(f"{ip}/{prefix}", strict=False)))
        for raw in rec.get("DefaultIPGateway") or []:
            hop = ipaddress.ip_address(str(raw).split("%")[0])
            gateways.append(Route(DEFAULT_ROUTES[0] if hop.version == 4 else DEFAULT_ROUTES[1], hop, alias, index,
                                  "PersistentStore", 0))
    return interfaces, gateways


def _wmi_route(rec: dict, interfaces: list[Interface], server: str) -> Route:
    """One Win32_IP4RouteTable / Win32_IP4PersistedRouteTable entry (Destination + Mask, NextHop, Metric1)."""
    prefix = ipaddress.ip_network(f"{_field(rec, 'Destination', 'NetRoute', server)}/"
                                  f"{_field(rec, 'Mask', 'NetRoute', server)}", strict=False)
    hop = ipaddress.ip_address(str(_field(rec, "NextHop", "NetRoute", server)))
    index = rec.get("InterfaceIndex")
    if index is None:  # a persisted route: the interface whose subnet holds the next hop
        on = next((i for i in interfaces if hop in i.network), None)
    else:
        on = next((i for i in interfaces if i.index == int(index)), None)
    if any(i.address == hop for i in interfaces):
        hop = ON_LINK[0]  # the route table shows the interface's own address for an on-link route
    alias = on.alias if on else ""
    found = on.index if on else (int(index) if index is not None else -1)
    return Route(prefix, hop, alias, found, _store(_field(rec, "Store", "NetRoute", server)),
                 int(rec.get("Metric1") or 0))


def parse_network(evidence: Evidence) -> NetworkFacts:
    """Interfaces and routes of a server; EvidenceGap if the sections are missing or malformed."""
    interfaces: list[Interface] = []
    routes: list[Route] = []
    try:
        addresses = evidence.records("NetIPAddress")
        if is_wmi_shape(evidence, "NetIPAddress", addresses, "IPSubnet"):
            interfaces, routes = _wmi_interfaces(addresses, evidence.server)
        else:
            for rec in addresses:
                ip = ipaddress.ip_address(str(_field(rec, "IPAddress", "NetIPAddress", evidence.server)).split("%")[0])
                prefix = int(_field(rec, "PrefixLength", "NetIPAddress", evidence.server))
                state = rec.get("AddressState", "Preferred")
                state = ADDRESS_STATES.get(state, str(state)) if isinstance(state, int) else str(state or "Preferred")
                interfaces.append(Interface(str(rec.get("InterfaceAlias", "")), int(rec.get("InterfaceIndex", -1)),
                                            ip, ipaddress.ip_network(f"{ip}/{prefix}", strict=False), state))
        table = evidence.records("NetRoute")
        if is_wmi_shape(evidence, "NetRoute", table, "Mask"):
            routes += [_wmi_route(rec, interfaces, evidence.server) for rec in table]
        else:
            for rec in table:
                routes.append(Route(
                    ipaddress.ip_network(str(_field(rec, "DestinationPrefix", "NetRoute", evidence.server)),
                                         strict=False),
                    ipaddress.ip_address(str(_field(rec, "NextHop", "NetRoute", evidence.server))),
                    str(rec.get("InterfaceAlias", "")), int(rec.get("InterfaceIndex", -1)),
                    _store(_field(rec, "Store", "NetRoute", evidence.server)), int(rec.get("RouteMetric") or 0)))
    except (ValueError, TypeError, OverflowError) as exc:  # OverflowError: int(Infinity)
        raise EvidenceGap(evidence.server, "NetIPAddress/NetRoute", f"is malformed: {exc}") from None
    return NetworkFacts(tuple(interfaces), tuple(routes))


def network(evidence: Evidence) -> NetworkFacts:
    return evidence.parsed("network", parse_network)
