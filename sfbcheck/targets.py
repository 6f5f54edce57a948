"""What a compliance test is parametrized over, chosen by its argument names.

A test that takes ``edge`` runs once per Edge server; one that takes ``edge, internal_subnet`` runs
once per Edge server and internal subnet, with ids such as ``edge01.contoso.local-10.10.0.0/16``.
Each target yields :class:`Case` objects; ``host`` is the server (or pool) the result is about and
``needs`` lists the servers whose evidence must load before the test runs (else it errors once).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sfbcheck.evidence import EvidenceStore
from sfbcheck.host import Host
from sfbcheck.inventory import Inventory, Role


@dataclass(frozen=True)
class Case:
    id: str
    values: tuple[Any, ...]
    host: str
    role: str
    needs: tuple[str, ...] = field(default=())


Generator = Callable[[Inventory, EvidenceStore], Iterator[Case]]
TARGETS: dict[tuple[str, ...], Generator] = {}


def target(*argnames: str) -> Callable[[Generator], Generator]:
    def register(fn: Generator) -> Generator:
        TARGETS[argnames] = fn
        return fn

    return register


def choose(fixturenames: list[str]) -> tuple[tuple[str, ...], Generator] | None:
    """The target whose argument names the test uses; the one naming the most arguments wins."""
    fitting = [names for names in TARGETS if set(names) <= set(fixturenames)]
    if not fitting:
        return None
    best = max(fitting, key=len)
    return best, TARGETS[best]


def _hosts(inv: Inventory, store: EvidenceStore, role: Role | None) -> Iterator[Case]:
    for server in inv.servers(role):
        yield Case(server.fqdn, (Host(server, inv, store),), server.fqdn, server.role.value, (server.fqdn,))


@target("server")
def every_server(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    yield from _hosts(inv, store, None)


@target("edge")
def edge_servers(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    yield from _hosts(inv, store, Role.edge)


@target("frontend")
def frontend_servers(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    yield from _hosts(inv, store, Role.frontend)


@target("owas")
def owas_servers(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    yield from _hosts(inv, store, Role.owas)


@target("edge", "internal_subnet")
def edge_internal_subnets(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    for server in inv.servers(Role.edge):
        for subnet in server.pool.internal_subnets:
            yield Case(f"{server.fqdn}-{subnet}", (Host(server, inv, store), subnet), server.fqdn, "edge",
                       (server.fqdn,))


# -- certificates (CERT-*) ----------------------------------------------------------------------
@dataclass(frozen=True)
class EdgePool:
    """An Edge pool and its member servers (CERT-08 compares them)."""

    fqdn: str
    members: tuple[Host, ...]

    def __str__(self) -> str:
        return self.fqdn


def _certificate_cases(inv: Inventory, store: EvidenceStore, named: bool) -> Iterator[Case]:
    from sfbcheck.facts.assignments import NAMED_USES, certificate_uses

    for server in inv.servers():
        uses = NAMED_USES.get(server.role, ()) if named else certificate_uses(server.role, store, server.fqdn)
        for use in uses:
            yield Case(f"{server.fqdn}-{use}", (Host(server, inv, store), use), server.fqdn, server.role.value,
                       (server.fqdn,))


@target("server", "certificate_use")
def server_certificate_uses(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Per server and certificate use (the uses its role requires plus any other its evidence assigns)."""
    yield from _certificate_cases(inv, store, named=False)


@target("server", "named_use")
def server_named_uses(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Per server and certificate use whose certificate must carry the pool / server names (CERT-04)."""
    yield from _certificate_cases(inv, store, named=True)


@target("edge_pool")
def edge_pools(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """One case per Edge pool (host = the pool FQDN); every member's evidence must load."""
    for pool in inv.pools:
        if pool.role is Role.edge:
            members = tuple(Host(inv.server(m.fqdn), inv, store) for m in pool.members)
            yield Case(pool.fqdn, (EdgePool(pool.fqdn, members),), pool.fqdn, "edge",
                       tuple(m.fqdn for m in pool.members))


@target("edge", "frontends")
def edge_with_frontends(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Per Edge server, with every Front End server (CERT-06, CERT-11 compare the Edge with the Front Ends)."""
    frontends = tuple(Host(s, inv, store) for s in inv.servers(Role.frontend))
    for server in inv.servers(Role.edge):
        yield Case(server.fqdn, (Host(server, inv, store), frontends), server.fqdn, "edge",
                   (server.fqdn, *(f.fqdn for f in frontends)))


# -- host requirements (SVC-02 on Lync servers, CMS-04, TLS-01, EDGE-DNS-04): see sfbcheck/checks/edge_dns.py --
LYNC_ROLES = (Role.frontend, Role.director, Role.edge, Role.mediation)  # servers running Lync/SfB Server itself


@target("lync_server")
def lync_servers(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Every server that runs Lync/SfB Server (all roles but Office Web Apps)."""
    for server in inv.servers():
        if server.role in LYNC_ROLES:
            yield Case(server.fqdn, (Host(server, inv, store),), server.fqdn, server.role.value, (server.fqdn,))


@target("edge", "resolved_name")
def edge_resolved_names(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Per Edge and name it must resolve: the next-hop pool, its members, the other Edges of its pool."""
    from sfbcheck.checks.edge_dns import names_to_resolve

    for server in inv.servers(Role.edge):
        for name in names_to_resolve(inv, server):
            yield Case(f"{server.fqdn}-{name.fqdn}", (Host(server, inv, store), name), server.fqdn, "edge",
                       (server.fqdn,))
