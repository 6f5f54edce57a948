"""The inventory's cross-field rules (each ``@rule`` yields every problem it finds; all are shown at once).

A rule runs on an inventory whose fields are each valid, and names each pool and server by FQDN
(:func:`sfbcheck.inventory.at`), with the closest known value where one is close (:func:`~sfbcheck.inventory.suggest`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sfbcheck.errors import InventoryProblem
from sfbcheck.inventory import Edition, Feature, Inventory, Pool, Role, _ordinal, at, rule, suggest


@rule
def _unique_names(inv: Inventory) -> Iterator[InventoryProblem]:
    """Pool FQDNs and server FQDNs are unique; a pool of one server (Standard Edition, one-server Edge, Director,
    Mediation pool, Office Web Apps farm of one) may carry its server's FQDN, no other pool may."""
    count: dict[str, int] = {}
    for pool in inv.pools:
        count[pool.fqdn] = count.get(pool.fqdn, 0) + 1
        if count[pool.fqdn] > 1:
            yield InventoryProblem(at(pool, "fqdn"), f"a unique pool FQDN; the {_ordinal(count[pool.fqdn])} pool "
                                   f"named {pool.fqdn} (each pool once)")
    owner: dict[str, Pool] = {}
    for pool in inv.pools:
        for member in pool.members:
            where = at(pool, "fqdn", member)
            if member.fqdn in owner:
                other = owner[member.fqdn]
                yield InventoryProblem(where, f"a unique server FQDN; {member.fqdn} is already a server of pool "
                                       f"{other.fqdn}" if other is not pool else
                                       f"a unique server FQDN; {member.fqdn} is listed twice in this pool")
                continue
            owner[member.fqdn] = pool
            named = inv._pools.get(member.fqdn)
            if named is None:
                continue
            if named is not pool:
                yield InventoryProblem(where, f"a unique FQDN; {member.fqdn} is the FQDN of pool {named.fqdn} "
                                       "(only a pool's own single server may share its name)")
            elif len(pool.members) > 1:
                yield InventoryProblem(where, f"a server FQDN other than the pool's: pool {pool.fqdn} has "
                                       f"{len(pool.members)} servers (only a pool of one server carries its name)")
            elif pool.role is Role.frontend and pool.edition is not Edition.standard:
                yield InventoryProblem(at(pool, "edition"), "standard: a Front End pool named like its one server "
                                       "is a Standard Edition server (an Enterprise pool has its own FQDN)")


@rule
def _pool_references(inv: Inventory) -> Iterator[InventoryProblem]:
    """backup and next_hop name pools of this inventory; a pool does not back up itself; sites are declared."""
    names = list(inv._pools)
    for pool in inv.pools:
        for name in ("backup", "next_hop"):
            ref = getattr(pool, name)
            if ref is not None and ref not in inv._pools:
                yield InventoryProblem(at(pool, name), f"the FQDN of a pool in this inventory, got {ref!r}",
                                       suggest(ref, names))
        if pool.backup == pool.fqdn:
            yield InventoryProblem(at(pool, "backup"), "another pool (a pool cannot back up itself)")
        if inv.sites and pool.site is not None and pool.site not in inv.sites:
            yield InventoryProblem(at(pool, "site"), f"one of the sites {inv.sites}, got {pool.site!r}",
                                   suggest(pool.site, inv.sites))


@rule
def _cms(inv: Inventory) -> Iterator[InventoryProblem]:
    """The CMS is a Front End pool of this inventory; its master replicator one of that pool's servers."""
    pool = inv._pools.get(inv.cms.pool)
    if pool is None:
        yield InventoryProblem("cms.pool", f"the FQDN of a pool in this inventory, got {inv.cms.pool!r}",
                               suggest(inv.cms.pool, [p.fqdn for p in inv.pools if p.role is Role.frontend]))
        return
    if pool.role is not Role.frontend:
        yield InventoryProblem("cms.pool", f"a frontend pool, got the {pool.role.value} pool {inv.cms.pool}")
        return
    members = [m.fqdn for m in pool.members]
    if inv.cms.master and inv.cms.master not in members:
        yield InventoryProblem("cms.master", f"a member of the CMS pool {inv.cms.pool}, got {inv.cms.master!r}",
                               suggest(inv.cms.master, members))


@rule
def _federation_route(inv: Inventory) -> Iterator[InventoryProblem]:
    """At most one Edge pool is the federation route."""
    marked = [p for p in inv.pools if p.federation_route]
    for pool in marked[1:]:
        yield InventoryProblem(at(pool, "federation_route"), f"false: {marked[0].fqdn} is already the federation "
                               "route (a deployment federates through one Edge pool)")


@rule
def _pstn_gateways(inv: Inventory) -> Iterator[InventoryProblem]:
    """Each gateway once, in a declared site, trunked to a Mediation pool (or a Front End pool with a collocated
    Mediation Server)."""
    seen: set[str] = set()
    mediation = [p.fqdn for p in inv.pools
                 if p.role is Role.mediation or Feature.mediation_collocated in p.features]
    for gateway in inv.pstn_gateways:
        where = f"pstn_gateways[{gateway.fqdn}]"
        if gateway.fqdn in seen:
            yield InventoryProblem(f"{where}.fqdn", f"a unique gateway; {gateway.fqdn} is listed twice")
        seen.add(gateway.fqdn)
        if gateway.mediation_pool is not None and gateway.mediation_pool not in mediation:
            yield InventoryProblem(f"{where}.mediation_pool", "a Mediation pool, or a Front End pool with feature "
                                   f"mediation_collocated, got {gateway.mediation_pool!r}",
                                   suggest(gateway.mediation_pool, mediation))
        if inv.sites and gateway.site is not None and gateway.site not in inv.sites:
            yield InventoryProblem(f"{where}.site", f"one of the sites {inv.sites}, got {gateway.site!r}",
                                   suggest(gateway.site, inv.sites))


@rule
def _unique_addresses(inv: Inventory) -> Iterator[InventoryProblem]:
    """Each server's internal IP and each load balancer VIP belongs to one server or pool only (a duplicate
    lets one server's probe answer for another's, e.g. EDGE-FW-01)."""
    owner: dict[Any, str] = {}
    for pool in inv.pools:
        for member in pool.members:
            if member.ip in owner:
                yield InventoryProblem(at(pool, "ip", member), f"a unique IP address; {member.ip} is already the "
                                       f"address of {owner[member.ip]}")
            else:
                owner[member.ip] = member.fqdn
    for pool in inv.pools:
        if pool.vip is not None and pool.vip in owner and owner[pool.vip] not in {m.fqdn for m in pool.members}:
            yield InventoryProblem(at(pool, "vip"), f"a unique IP address; {pool.vip} is already the address of "
                                   f"{owner[pool.vip]}")
        elif pool.vip is not None:
            owner.setdefault(pool.vip, f"pool {pool.fqdn}")


@rule
def _sensible_references(inv: Inventory) -> Iterator[InventoryProblem]:
    """An Edge pool's next hop is a Front End or Director pool; a backup pool is a Front End pool backing a Front
    End pool; an Edge's internal gateway is of its servers' address family and none of their addresses."""
    for pool in inv.pools:
        hop = inv._pools.get(pool.next_hop) if pool.next_hop else None
        if hop is not None and hop.role not in (Role.frontend, Role.director):
            yield InventoryProblem(at(pool, "next_hop"), f"a Front End or Director pool, got the {hop.role.value} "
                                   f"pool {hop.fqdn}")
        backup = inv._pools.get(pool.backup) if pool.backup else None
        if backup is not None and (backup.role is not Role.frontend or pool.role is not Role.frontend):
            yield InventoryProblem(at(pool, "backup"), f"a Front End pool backing a Front End pool, got the "
                                   f"{backup.role.value} pool {backup.fqdn} for this {pool.role.value} pool")
        gateway = pool.internal_gateway
        if pool.role is Role.edge and gateway is not None:
            if any(m.ip.version != gateway.version for m in pool.members):
                yield InventoryProblem(at(pool, "internal_gateway"), f"an IPv{pool.members[0].ip.version} address "
                                       f"like the Edge servers' internal IPs, got {gateway}")
            elif gateway in {m.ip for m in pool.members}:
                yield InventoryProblem(at(pool, "internal_gateway"), f"the router of the internal DMZ subnet, not an "
                                       f"Edge server's own address ({gateway})")
