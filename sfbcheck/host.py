"""A server under test: inventory facts plus its evidence, loaded once per run."""

from __future__ import annotations

from sfbcheck.evidence import Evidence, EvidenceStore
from sfbcheck.inventory import Inventory, Pool, Product, Role, Server


class Host:
    """What a compliance test receives for a server: ``edge.fqdn``, ``edge.pool``, ``edge.evidence``."""

    def __init__(self, server: Server, inventory: Inventory, store: EvidenceStore) -> None:
        self.server = server
        self.inventory = inventory
        self._store = store

    fqdn = property(lambda self: self.server.fqdn)
    ip = property(lambda self: self.server.ip)
    role: Role = property(lambda self: self.server.role)  # type: ignore[assignment]
    pool: Pool = property(lambda self: self.server.pool)  # type: ignore[assignment]
    member = property(lambda self: self.server.member)
    # the product the inventory says the server runs: its pool's ``product``, else the deployment's
    product: Product = property(lambda self: self.server.product)  # type: ignore[assignment]

    @property
    def evidence(self) -> Evidence:
        return self._store.get(self.fqdn)

    def __repr__(self) -> str:
        return f"Host({self.fqdn})"

    def __str__(self) -> str:
        return self.fqdn
