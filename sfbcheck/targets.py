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
