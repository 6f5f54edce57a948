"""What a compliance test is parametrized over, chosen by its argument names.

A test that takes ``edge`` runs once per Edge server; one that takes ``edge, internal_subnet`` runs
once per Edge server and internal subnet, with ids such as ``edge01.contoso.local-10.10.0.0/16``.
Each target yields :class:`Case` objects; ``host`` is the server (or pool) the result is about and
``needs`` lists the servers whose evidence must load before the test runs (else it errors once).
``scope`` says what kind of object ``host`` is (``server``, ``pool``, ``domain``, ``partner``, ``endpoint``).
A pool-level case's host is the pool FQDN, or ``pool:<fqdn>`` when a server has the same name (a Standard
Edition server, a one-server Edge pool, an Office Web Apps farm of one), so that pool-level and server-level
results stay apart in ids, JUnit, JSON and the matrix (:meth:`Inventory.pool_host`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sfbcheck.evidence import EvidenceStore
from sfbcheck.host import Host
from sfbcheck.inventory import Edition, Inventory, Pool, Role, Server


@dataclass(frozen=True)
class Case:
    id: str
    values: tuple[Any, ...]
    host: str
    role: str
    needs: tuple[str, ...] = field(default=())
    scope: str = "server"


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


# -- Front End side (CMS replication, backup pool): see sfbcheck/checks/{replication,backup}.py ----------
REPLICA_ROLES = (Role.frontend, Role.edge, Role.director, Role.mediation)  # servers that run the REPLICA agent
INTERNAL_ROLES = (Role.frontend, Role.director, Role.mediation)  # servers with an xds-replica file share


@dataclass(frozen=True)
class Replica:
    """A replica of the CMS (a topology server), judged from the CMS master's evidence."""

    server: Server
    cms: Host  # the CMS master Front End, where Get-CsManagementStoreReplicationStatus is collected

    fqdn = property(lambda self: self.server.fqdn)
    role = property(lambda self: self.server.role)

    def __str__(self) -> str:
        return self.fqdn


@target("replica")
def cms_replicas(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    master = inv.cms_master
    for server in inv.servers():
        if server.role in REPLICA_ROLES:
            yield Case(server.fqdn, (Replica(server, Host(master, inv, store)),), server.fqdn, server.role.value,
                       (master.fqdn,))


@target("cms_master")
def cms_master_server(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    master = inv.cms_master
    yield Case(master.fqdn, (Host(master, inv, store),), master.fqdn, master.role.value, (master.fqdn,))


@target("internal_server")
def internal_servers(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    for server in inv.servers():
        if server.role in INTERNAL_ROLES:
            yield Case(server.fqdn, (Host(server, inv, store),), server.fqdn, server.role.value, (server.fqdn,))


@target("frontend_pool")
def frontend_pools(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """One case per Front End pool (host = the pool FQDN); the value is the pool's first member, whose
    evidence holds the pool-level sections; every member's evidence must load."""
    for pool in inv.pools:
        if pool.role is Role.frontend:
            first = inv.server(pool.members[0].fqdn)
            host = inv.pool_host(pool)
            yield Case(host, (Host(first, inv, store),), host, "frontend", tuple(m.fqdn for m in pool.members),
                       "pool")


@target("cms_backup_pool")
def cms_backup_pool(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """The backup pool of the CMS pool, if any (host = that pool FQDN; the value is its first member)."""
    backup = inv.pool(inv.cms.pool).backup
    if backup is not None:
        first = inv.server(inv.pool(backup).members[0].fqdn)
        host = inv.pool_host(backup)
        yield Case(host, (Host(first, inv, store),), host, "frontend", (first.fqdn,), "pool")


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
        uses = NAMED_USES.get(server.role, ()) if named else certificate_uses(server.role)
        for use in uses:
            yield Case(f"{server.fqdn}-{use}", (Host(server, inv, store), use), server.fqdn, server.role.value,
                       (server.fqdn,))


@target("server", "certificate_use")
def server_certificate_uses(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Per server and certificate use (the uses its role requires or may have, e.g. OAuthTokenIssuer)."""
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
            host = inv.pool_host(pool)
            yield Case(host, (EdgePool(pool.fqdn, members),), host, "edge", tuple(m.fqdn for m in pool.members),
                       "pool")


@target("edge", "frontends")
def edge_with_frontends(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Per Edge server, with every Front End server (CERT-06, CERT-11 compare the Edge with the Front Ends)."""
    frontends = tuple(Host(s, inv, store) for s in inv.servers(Role.frontend))
    for server in inv.servers(Role.edge):
        yield Case(server.fqdn, (Host(server, inv, store), frontends), server.fqdn, "edge",
                   (server.fqdn, *(f.fqdn for f in frontends)))


@target("oauth_server", "oauth_servers")
def oauth_servers(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Per Front End and Director, with all of them (CERT-13: one OAuth certificate for the deployment)."""
    servers = tuple(Host(s, inv, store) for s in inv.servers() if s.role in (Role.frontend, Role.director))
    for host in servers:
        yield Case(host.fqdn, (host, servers), host.fqdn, host.role.value, tuple(s.fqdn for s in servers))


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


# -- network probes (EDGE-FW-*, CMS-07, DNS, HYB-03, FED-01, TLS-02): see sfbcheck/checks/{firewall,dns_records,…}.py
def _runner(inv: Inventory, store: EvidenceStore) -> Any:
    from sfbcheck.facts.probes import Runner

    return Runner(inv, store)


@target("cms_master", "edge")
def edges_from_cms(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Per Edge server, probed from the CMS master Front End (host = the Edge; both evidence files must load)."""
    master = inv.cms_master
    for server in inv.servers(Role.edge):
        yield Case(server.fqdn, (Host(master, inv, store), Host(server, inv, store)), server.fqdn, "edge",
                   (master.fqdn, server.fqdn))


@target("next_hop_frontend", "edge")
def edges_from_next_hop(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Per Edge server and Front End of its pool's next-hop pool, which probes it (host = the Edge)."""
    for server in inv.servers(Role.edge):
        if server.pool.next_hop is None:
            continue
        for member in inv.pool(server.pool.next_hop).members:
            frontend = inv.server(member.fqdn)
            yield Case(f"{server.fqdn}-from-{frontend.fqdn}", (Host(frontend, inv, store), Host(server, inv, store)),
                       server.fqdn, "edge", (frontend.fqdn, server.fqdn))


@target("cms_master", "internal_server")
def internal_servers_from_cms(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Per internal server with a replica file share (not the CMS master itself), probed from the CMS master."""
    master = inv.cms_master
    for server in inv.servers():
        if server.role in (Role.frontend, Role.director, Role.mediation) and server.fqdn != master.fqdn:
            yield Case(server.fqdn, (Host(master, inv, store), Host(server, inv, store)), server.fqdn,
                       server.role.value, (master.fqdn, server.fqdn))


@target("edge", "runner")
def edges_from_runner(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Per Edge server, judged from the runner's probes (runner.json)."""
    for server in inv.servers(Role.edge):
        yield Case(server.fqdn, (Host(server, inv, store), _runner(inv, store)), server.fqdn, "edge",
                   (server.fqdn, "runner"))


@target("dns_load_balanced_pool", "runner")
def dns_load_balanced_pools(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Per DNS-load-balanced pool (host = the pool FQDN), judged from the runner's DNS answers."""
    for pool in inv.pools:
        if pool.dns_load_balanced:
            host = inv.pool_host(pool)
            yield Case(host, (pool, _runner(inv, store)), host, pool.role.value, ("runner",), "pool")


@target("sip_domain", "runner")
def sip_domains(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Per SIP domain (on-premises and online; host = the domain), judged from the runner's DNS answers."""
    for domain in inv.sip_domains:
        yield Case(domain.name, (domain, _runner(inv, store)), domain.name, "dns", ("runner",), "domain")


@target("on_premises_sip_domain", "runner")
def on_premises_sip_domains(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Per SIP domain with users homed on premises (on-premises or split; host = the domain), judged from the
    runner's DNS answers."""
    for domain in inv.sip_domains:
        if domain.on_premises_users:
            yield Case(domain.name, (domain, _runner(inv, store)), domain.name, "dns", ("runner",), "domain")


@target("federation_partner", "cms_master", "runner")
def federation_partners(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Per federation partner (host = its domain): runner DNS plus the CMS master's federation settings."""
    master = inv.cms_master
    for partner in inv.federation_partners:
        yield Case(partner.domain.lower(), (partner, Host(master, inv, store), _runner(inv, store)),
                   partner.domain.lower(), "hybrid", ("runner", master.fqdn), "partner")


@target("reverse_proxy", "runner")
def reverse_proxy(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """The reverse proxy of the external web services, if the inventory names one (host = its host)."""
    if inv.reverse_proxy is not None:
        yield Case(inv.reverse_proxy.host, (inv.reverse_proxy, _runner(inv, store)), inv.reverse_proxy.host,
                   "tls", ("runner",), "endpoint")


# -- version, pool health, evidence (VER-*, POOL-*, EVID-01): sfbcheck/checks/{version,pool_health,freshness}.py --
def _pool_members(inv: Inventory, store: EvidenceStore, pool: Pool) -> Any:
    from sfbcheck.checks.version import PoolMembers

    return PoolMembers(inv.pool_host(pool), pool.fqdn, pool.role,
                       tuple(Host(inv.server(m.fqdn), inv, store) for m in pool.members))


@target("pool")
def every_pool(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """One case per pool of any role (host = the pool); every member's evidence must load."""
    for pool in inv.pools:
        host = inv.pool_host(pool)
        yield Case(host, (_pool_members(inv, store, pool),), host, pool.role.value,
                   tuple(m.fqdn for m in pool.members), "pool")


@target("enterprise_frontend_pool")
def enterprise_frontend_pools(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """One case per Enterprise Edition Front End pool (host = the pool); every member's evidence must load."""
    for pool in inv.pools:
        if pool.role is Role.frontend and pool.edition is Edition.enterprise:
            host = inv.pool_host(pool)
            yield Case(host, (_pool_members(inv, store, pool),), host, "frontend",
                       tuple(m.fqdn for m in pool.members), "pool")


@target("registrar_server")
def registrar_servers(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Front End and Director servers (they run the SIP registrar on 5061)."""
    for server in inv.servers():
        if server.role in (Role.frontend, Role.director):
            yield Case(server.fqdn, (Host(server, inv, store),), server.fqdn, server.role.value, (server.fqdn,))


@target("internal_host", "runner")
def internal_hosts_from_runner(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Every server of an internal role (all but Edge), judged from the runner's internal DNS answers."""
    for server in inv.servers():
        if server.role is not Role.edge:
            yield Case(server.fqdn, (Host(server, inv, store), _runner(inv, store)), server.fqdn, server.role.value,
                       ("runner",))


@target("server", "snapshot")
def servers_in_snapshot(inv: Inventory, store: EvidenceStore) -> Iterator[Case]:
    """Per server, with the whole snapshot (EVID-01 compares collection times across every server); only the
    server itself must load: another server's unusable evidence errors on that server, not here."""
    from sfbcheck.checks.freshness import Snapshot

    snapshot = Snapshot(inv, store)
    for server in inv.servers():
        yield Case(server.fqdn, (Host(server, inv, store), snapshot), server.fqdn, server.role.value, (server.fqdn,))
