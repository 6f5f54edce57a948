"""The inventory: the deployment as its topology describes it, validated on load.

An inventory is a YAML file (see ``inventories/lab/inventory.yml`` and ``docs/inventory.md``).
``load_inventory`` returns an :class:`Inventory` or raises :class:`InventoryError`, whose message
names the file, the field path and what was expected. Credentials are never read from it.
"""

from __future__ import annotations

import copy
import difflib
import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from sfbcheck import yamlfile
from sfbcheck.errors import InventoryError, InventoryProblem

SECRET_KEYS = {"password", "passwd", "secret", "credential", "credentials", "token", "apikey", "api_key"}


class Role(StrEnum):
    frontend = "frontend"
    edge = "edge"
    director = "director"
    owas = "owas"
    mediation = "mediation"


class Product(StrEnum):
    lync2013 = "lync2013"
    sfb2015 = "sfb2015"
    sfb2019 = "sfb2019"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Connection(Strict):
    """How the suite reaches a server. Credentials come from the environment, never from here."""

    method: Literal["winrm", "file"] = "winrm"
    host: str | None = None
    port: int = Field(default=5986, ge=1, le=65535)
    scheme: Literal["https", "http"] = "https"
    auth: Literal["ntlm", "kerberos", "credssp"] = "kerberos"
    ca_file: str | None = None
    username_env: str = "SFBCHECK_USERNAME"
    password_env: str = "SFBCHECK_PASSWORD"  # noqa: S105 - the name of a variable, not a password

    @field_validator("host")
    @classmethod
    def _host(cls, value: str | None) -> str | None:
        """An IP address, or a host name of RFC 1123 labels (it becomes part of the WinRM URL)."""
        if value is None:
            return None
        try:
            return str(ipaddress.ip_address(value.strip()))
        except ValueError:
            pass
        name = value.strip().rstrip(".").lower()
        if not all(_LABEL.match(label) for label in name.split(".")):
            raise ValueError(f"an IP address or a host name (RFC 1123 labels), got {value[:80]!r}")
        return name


class SipDomain(Strict):
    """A SIP domain and where its users are homed: ``on-premises``, ``online`` (Skype for Business Online), or
    ``split`` (a split-domain hybrid: users of the one domain on both sides, a shared SIP address space; its DNS
    records point on premises)."""

    name: str
    homed: Literal["on-premises", "online", "split"] = "on-premises"
    mobile_push: bool = False

    @property
    def on_premises_users(self) -> bool:
        """Some users of the domain are homed on premises (its SRV/discover records point to the Edge)."""
        return self.homed in ("on-premises", "split")

    @property
    def online_users(self) -> bool:
        """Some users of the domain are homed online (the domain is part of a hybrid)."""
        return self.homed in ("online", "split")

    @field_validator("name")
    @classmethod
    def _lower(cls, value: str) -> str:
        return _fqdn(value)


class Member(Strict):
    fqdn: str
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = Field(description="internal interface IP")
    external_ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    # Edge servers: the other public addresses (web conferencing, A/V) and the NAT'd public address of A/V
    external_ips: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    public_ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = Field(
        default=None, description="the public address the A/V Edge is translated to (NAT), if any")
    connection: Connection = Connection()

    @field_validator("fqdn")
    @classmethod
    def _lower(cls, value: str) -> str:
        return _fqdn(value)


class Edition(StrEnum):
    enterprise = "enterprise"
    standard = "standard"


class Feature(StrEnum):
    """Features a pool has in the topology (Topology Builder's pool options)."""

    enterprise_voice = "enterprise_voice"
    conferencing = "conferencing"
    dialin_conferencing = "dialin_conferencing"
    mediation_collocated = "mediation_collocated"
    persistent_chat = "persistent_chat"
    archiving = "archiving"
    monitoring = "monitoring"


# pools of one server whose FQDN is the server's (Topology Builder: "this pool has one server")
SINGLE_SERVER_ROLES = frozenset({Role.edge, Role.director, Role.mediation, Role.owas})


class Pool(Strict):
    fqdn: str
    role: Role
    edition: Edition = Field(default=Edition.enterprise,
                             description="Front End pools: standard = a Standard Edition server (one member)")
    site: str | None = None
    members: list[Member] = Field(min_length=1)
    dns_load_balanced: bool = True
    vip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = Field(
        default=None, description="hardware load balancer VIP: the pool FQDN resolves to it")
    features: list[Feature] = []
    backup: str | None = None
    backup_mutual: bool = True
    homes_users: bool = True
    web_internal_fqdn: str | None = None
    # Edge pools only
    next_hop: str | None = None
    federation_route: bool = Field(default=False, description="the Edge pool federation goes through")
    internal_subnets: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    internal_gateway: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    access_edge_fqdn: str | None = None
    webconf_edge_fqdn: str | None = None
    av_edge_fqdn: str | None = None

    @field_validator("fqdn", "backup", "next_hop", "web_internal_fqdn", "access_edge_fqdn", "webconf_edge_fqdn",
                     "av_edge_fqdn")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return None if value is None else _fqdn(value)

    @property
    def single_server(self) -> bool:
        """A pool of one server named like the pool (Standard Edition, one-server Edge/Director/... pool)."""
        return len(self.members) == 1 and self.members[0].fqdn == self.fqdn

    @model_validator(mode="after")
    def _own_fields(self) -> Pool:
        problems = list(_pool_problems(self))
        if problems:
            raise _Problems(problems)
        return self


def _pool_problems(pool: Pool) -> Iterator[InventoryProblem]:
    """What one pool's own fields must agree on (paths relative to the pool)."""
    if pool.role is Role.edge:
        for name in ("next_hop", "internal_gateway"):
            if getattr(pool, name) is None:
                yield InventoryProblem(name, "a value (required for an Edge pool)")
        if not pool.internal_subnets:
            yield InventoryProblem("internal_subnets", "a non-empty list (required for an Edge pool)")
    else:
        for name in ("next_hop", "internal_gateway", "access_edge_fqdn", "webconf_edge_fqdn", "av_edge_fqdn"):
            if getattr(pool, name) is not None:
                yield InventoryProblem(name, f"no value: only Edge pools have it (this is a {pool.role.value} pool)")
        if pool.internal_subnets:
            yield InventoryProblem("internal_subnets", f"no value: only Edge pools have it (this is a "
                                   f"{pool.role.value} pool)")
        if pool.federation_route:
            yield InventoryProblem("federation_route", f"false: only an Edge pool is a federation route (this is a "
                                   f"{pool.role.value} pool)")
    if pool.edition is Edition.standard:
        if pool.role is not Role.frontend:
            yield InventoryProblem("edition", f"enterprise: Standard Edition is a Front End (this is a "
                                   f"{pool.role.value} pool)")
        if len(pool.members) != 1:
            yield InventoryProblem("members", f"exactly one server (a Standard Edition pool is one server), got "
                                   f"{len(pool.members)}")
    if len(set(pool.features)) != len(pool.features):
        yield InventoryProblem("features", "each feature once")
    if Feature.mediation_collocated in pool.features and pool.role is not Role.frontend:
        yield InventoryProblem("features", f"mediation_collocated only on a Front End pool (this is a "
                               f"{pool.role.value} pool)")
    if pool.vip is not None and pool.vip in {m.ip for m in pool.members}:
        yield InventoryProblem("vip", f"the load balancer's virtual IP, not a server's own IP ({pool.vip})")


class PstnGateway(Strict):
    """A PSTN gateway (or IP-PBX / SBC) of the topology, and the Mediation pool it is a trunk of."""

    fqdn: str = Field(description="the gateway's FQDN or IP address as the topology names it")
    site: str | None = None
    mediation_pool: str | None = Field(default=None, description="the pool whose Mediation Servers use it")
    port: int | None = Field(default=None, ge=1, le=65535, description="the gateway's listening port")
    transport: Literal["TCP", "TLS"] | None = None

    @field_validator("fqdn", "mediation_pool")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(ipaddress.ip_address(value.strip()))
        except ValueError:
            return _fqdn(value)


class Cms(Strict):
    pool: str
    master: str | None = Field(default=None, description="Front End that runs the master replicator")

    @field_validator("pool", "master")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return None if value is None else _fqdn(value)


class FederationPartner(Strict):
    domain: str
    note: str | None = None


class ReverseProxy(Strict):
    """The reverse proxy publishing the external web services (TLS-02 probes it from the runner)."""

    host: str = Field(min_length=1, description="FQDN or IP address the runner connects to")
    port: int = Field(default=443, ge=1, le=65535)
    server_name: str | None = Field(default=None, description="TLS SNI name (default: host)")


class Bounds(Strict):
    min: int = Field(ge=0)
    max: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if self.min > self.max:
            raise ValueError(f"min ≤ max, got min {self.min} and max {self.max}")
        return self


class Policy(Strict):
    cert_expiry_days: int = Field(default=30, ge=0)
    event_lookback_hours: int = Field(default=168, ge=1)
    replication_max_age_hours: int = Field(default=24, ge=1)
    dns_timeout_seconds: float = Field(default=3.0, gt=0)
    probe_timeout_seconds: float = Field(default=5.0, gt=0)
    live_concurrency: int = Field(default=8, ge=1)
    reverse_proxy_tls_versions: list[Literal["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]] = ["TLSv1.2"]
    failover_detection_seconds: Bounds = Bounds(min=120, max=600)
    failback_detection_seconds: Bounds = Bounds(min=300, max=1200)
    warnings_fail: bool = False  # warning level (every requirement): warnings fail the run like failures
    # warning level: per requirement ID, the impact instead of the catalog's (a non-warning impact makes the
    # requirement's warnings failures; "warning" makes its failures warnings)
    impact: dict[str, Literal["critical", "high", "medium", "low", "warning"]] = {}
    tls12_required: bool = False  # TLS-04: judge the TLS 1.2 prerequisites even where TLS 1.0/1.1 is enabled
    waiver_max_days: int = Field(default=365, ge=1)  # waivers: the longest a waiver may run from today
    collection_timeout_seconds: float = Field(default=900.0, gt=0)  # live: total deadline per server

    @field_validator("impact")
    @classmethod
    def _known_requirements(cls, value: dict[str, str]) -> dict[str, str]:
        from sfbcheck.catalog import catalog

        unknown = sorted(set(value) - set(catalog()))
        if unknown:
            raise ValueError(f"requirement IDs of sfbcheck/catalog.yml, got {', '.join(unknown)}")
        return value


class Inventory(Strict):
    deployment: str
    product: Product = Product.sfb2019
    ad_domain: str
    sip_domains: list[SipDomain] = Field(min_length=1)
    sites: list[str] = []
    pools: list[Pool] = Field(min_length=1)
    cms: Cms
    dns_servers: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    dns_port: int = Field(default=53, ge=1, le=65535)
    external_dns_servers: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    external_dns_port: int = Field(default=53, ge=1, le=65535)
    reverse_proxy: ReverseProxy | None = None
    federation_partners: list[FederationPartner] = []
    pstn_gateways: list[PstnGateway] = []
    policy: Policy = Policy()
    evidence: str = "evidence"

    _source: Path | None = PrivateAttr(default=None)
    _pools: dict[str, Pool] = PrivateAttr(default_factory=dict)
    _servers: list[Server] = PrivateAttr(default_factory=list)
    _by_fqdn: dict[str, Server] = PrivateAttr(default_factory=dict)

    @property
    def source(self) -> Path | None:
        """The inventory file this was loaded from."""
        return self._source

    @field_validator("ad_domain")
    @classmethod
    def _lower(cls, value: str) -> str:
        return _fqdn(value)

    # -- lookups -------------------------------------------------------------------------
    def pool(self, fqdn: str) -> Pool:
        return self._pools[fqdn.lower()]

    def servers(self, role: Role | str | None = None) -> list[Server]:
        role = Role(role) if role is not None else None
        return [s for s in self._servers if role is None or s.role is role]

    def server(self, fqdn: str) -> Server:
        return self._by_fqdn[fqdn.lower()]

    def pool_of(self, name: Server | str) -> Pool:
        """The pool of a server, or the pool itself given a pool FQDN (or a ``pool:`` result host)."""
        if isinstance(name, Server):
            return name.pool
        fqdn = name.lower()
        if fqdn in self._by_fqdn and not fqdn.startswith(POOL_PREFIX):
            return self._by_fqdn[fqdn].pool
        return self._pools[fqdn.removeprefix(POOL_PREFIX)]

    def pool_host(self, pool: Pool | str) -> str:
        """The host a pool-level result is about: the pool FQDN, or ``pool:<fqdn>`` when a server has that name
        (Standard Edition, one-server pools), so pool results and server results stay apart."""
        fqdn = pool.fqdn if isinstance(pool, Pool) else pool.lower()
        return f"{POOL_PREFIX}{fqdn}" if fqdn in self._by_fqdn else fqdn

    @property
    def federation_edge(self) -> Pool | None:
        """The Edge pool federation goes through: the one marked ``federation_route``, else the only Edge pool."""
        edges = [p for p in self.pools if p.role is Role.edge]
        marked = [p for p in edges if p.federation_route]
        return marked[0] if marked else (edges[0] if len(edges) == 1 else None)

    @property
    def cms_master(self) -> Server:
        """The Front End that hosts the master replicator (the probe source for CMS checks)."""
        pool = self.pool(self.cms.pool)
        return self.server(self.cms.master or pool.members[0].fqdn)

    @property
    def evidence_dir(self) -> Path:
        base = self.source.parent if self.source else Path.cwd()
        return (base / self.evidence).resolve()

    # -- cross-field validation -----------------------------------------------------------
    @model_validator(mode="after")
    def _references(self) -> Inventory:
        self._pools = {}
        for pool in self.pools:
            self._pools.setdefault(pool.fqdn, pool)
        self._servers = [Server(member, pool) for pool in self.pools for member in pool.members]
        self._by_fqdn = {}
        for server in self._servers:
            self._by_fqdn.setdefault(server.fqdn, server)
        problems = [problem for check in RULES for problem in check(self)]
        if problems:
            raise _Problems(problems)
        return self


class Server:
    """One inventory server: its member entry plus the pool it belongs to."""

    def __init__(self, member: Member, pool: Pool) -> None:
        self.member = member
        self.pool = pool

    fqdn = property(lambda self: self.member.fqdn)
    ip = property(lambda self: self.member.ip)
    role = property(lambda self: self.pool.role)
    domain = property(lambda self: self.fqdn.partition(".")[2])

    def __repr__(self) -> str:
        return f"Server({self.fqdn})"

    def __str__(self) -> str:
        return self.fqdn


# -- validation rules: every problem is collected, then all are shown at once --------------------------
POOL_PREFIX = "pool:"
Rule = Callable[["Inventory"], Iterator[InventoryProblem]]
RULES: list[Rule] = []


def rule(check: Rule) -> Rule:
    """Register a cross-field rule: a function of the (field-valid) inventory yielding its problems."""
    RULES.append(check)
    return check


class _Problems(ValueError):
    """Carries every problem a validator found through pydantic to :func:`load_inventory`."""

    def __init__(self, problems: list[InventoryProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def at(pool: Pool, field: str = "", member: Member | None = None) -> str:
    """The path of a pool's (or one of its members') field, naming them by FQDN: ``pools[p].members[m].ip``."""
    path = f"pools[{pool.fqdn}]"
    if member is not None:
        path += f".members[{member.fqdn}]"
    return f"{path}.{field}" if field else path


def suggest(value: str | None, known: Iterable[str]) -> str | None:
    """The known value closest to a mistyped one, if one is close."""
    if not value:
        return None
    by_lower = {k.lower(): k for k in known}
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


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


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


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


def _fqdn(value: str) -> str:
    """A fully qualified domain name of RFC 1123 labels (letters, digits, inner hyphens; at most 253 characters),
    lower-cased without a trailing dot: never a path, a wildcard, markup or a control character."""
    value = value.strip().rstrip(".").lower()
    labels = value.split(".")
    if len(labels) < 2 or len(value) > 253 or not all(_LABEL.match(label) for label in labels) \
            or labels[-1].isdigit():
        raise ValueError(f"a fully qualified domain name (RFC 1123: letters, digits and hyphens in dot-separated "
                         f"labels), got {value[:80]!r}")
    return value


def _find_secrets(node: Any, loc: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    """The location of the first credential-like key (the value is never read)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if str(key).lower() in SECRET_KEYS:
                return (*loc, key)
            found = _find_secrets(value, (*loc, key))
            if found:
                return found
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found = _find_secrets(value, (*loc, i))
            if found:
                return found
    return None


_UNION_TAGS = ("Address", "Network")  # pydantic's location parts for union members and internal validators
_TYPE_TAGS = ("str", "int", "bool", "float", "list", "dict", "none")


def _name_of(item: Any) -> str | None:
    if isinstance(item, dict):
        for key in ("fqdn", "name", "domain"):
            value = item.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip().rstrip(".").lower()
    return None


def _data_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """A pydantic location without its internal parts (union members, validators): keys and indexes only."""
    return tuple(part for part in loc if isinstance(part, int) or not (
        "[" in str(part) or str(part).endswith(_UNION_TAGS) or str(part) in _TYPE_TAGS))


def named_path(loc: tuple[Any, ...], data: Any) -> str:
    """A pydantic location as a path naming pools, servers, domains and gateways by FQDN, not by index."""
    out, node = "", data
    for part in _data_loc(loc):
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            out += f"[{_name_of(item) or part}]"
            node = item
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model that holds the last part of ``loc``."""
    model: type[BaseModel] | None = Inventory
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(str(part)) if model is not None else None
        model = _model_in(info.annotation) if info is not None else None
        if model is None:
            return []
    return list(model.model_fields) if model is not None else []


def _choices(error: dict[str, Any]) -> list[str]:
    return re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))


def _expected(error: dict[str, Any]) -> str:
    kind, msg = error["type"], error["msg"]
    got = error.get("input")
    if kind == "missing":
        return "a value (this field is required)"
    if kind == "extra_forbidden":
        return "no such field (unknown field; check its spelling)"
    if kind in ("ip_v4_address", "ip_v6_address", "ip_any_address"):
        return f"an IPv4 or IPv6 address, got {got!r}"
    if kind in ("ip_v4_network", "ip_v6_network", "ip_any_network"):
        return f"an IP network such as 10.10.0.0/16, got {got!r}"
    simple = {"int_parsing": "a whole number", "int_type": "a whole number", "float_parsing": "a number",
              "bool_parsing": "true or false", "bool_type": "true or false", "string_type": "a text value",
              "list_type": "a list", "dict_type": "a mapping", "model_type": "a mapping",
              "too_short": "a non-empty list", "greater_than_equal": msg.removeprefix("Input should be ").lower(),
              "less_than_equal": msg.removeprefix("Input should be ").lower(),
              "greater_than": msg.removeprefix("Input should be ").lower()}
    if kind in simple:
        return f"{simple[kind]}, got {got!r}"
    if kind in ("enum", "literal_error"):
        return f"one of {error.get('ctx', {}).get('expected', '')}, got {got!r}"
    msg = msg.removeprefix("Value error, ")
    return f"{msg}" if got is None or isinstance(got, (dict, list)) else f"{msg} (got {got!r})"


def _suggestion(error: dict[str, Any]) -> str | None:
    got = error.get("input")
    if error["type"] in ("enum", "literal_error") and isinstance(got, str):
        return suggest(got, _choices(error))
    if error["type"] == "extra_forbidden" and error["loc"]:
        return suggest(str(error["loc"][-1]), _fields_at(error["loc"]))
    return None


def _problems_of(exc: ValidationError, data: Any) -> list[InventoryProblem]:
    problems: list[InventoryProblem] = []
    for error in exc.errors():
        where = named_path(error["loc"], data)
        carried = error.get("ctx", {}).get("error")
        if isinstance(carried, _Problems):
            prefix = "" if where == "(top level)" else where + "."
            problems += [InventoryProblem(prefix + p.field, p.expected, p.suggestion) for p in carried.problems]
        else:
            problems.append(InventoryProblem(where, _expected(error), _suggestion(error)))
    return problems


# documentation addresses (RFC 5737, RFC 3849) standing in for a mistyped one, of the family it was meant to be
_STAND_IN = {4: ("192.0.2.{n}", "192.0.2.{n}/32"), 6: ("2001:db8:5fbc::{n:x}", "2001:db8:5fbc::{n:x}/128")}


def _repaired(data: dict[str, Any], errors: list[Any]) -> tuple[dict[str, Any], list[str]] | None:
    """A copy of the data with each field error mended so the cross-references can still be checked: an unknown
    field removed, a mistyped address replaced by a documentation address that stands in for it (returned, so
    that problems naming one are dropped). None when an error cannot be mended that way."""
    repaired, stand_ins, removals = copy.deepcopy(data), [], []
    for error in errors:
        loc = _data_loc(error["loc"])
        parent = repaired
        try:
            for part in loc[:-1]:
                parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return None
        if not loc or not isinstance(parent, (dict, list)):
            return None
        if error["type"] == "extra_forbidden":
            removals.append((parent, loc[-1]))
        elif error["type"].startswith(("ip_v4", "ip_v6", "ip_any")) and len(stand_ins) < 250:
            address, network = _STAND_IN[6 if ":" in str(error.get("input")) else 4]
            stand_ins.append(address.format(n=len(stand_ins) + 1))
            parent[loc[-1]] = (network if "network" in error["type"] else address).format(n=len(stand_ins))
        else:
            return None
    for parent, key in sorted(removals, key=lambda r: -r[1] if isinstance(r[1], int) else 0):
        del parent[key]
    return repaired, stand_ins


def _cross_references(data: dict[str, Any], errors: list[Any]) -> list[InventoryProblem] | None:
    """The cross-reference problems of data whose fields are wrong, or None if they cannot be checked yet."""
    mended = _repaired(data, errors)
    if mended is None:
        return None
    repaired, stand_ins = mended
    try:
        Inventory.model_validate(repaired)
    except ValidationError as exc:
        carried = [e.get("ctx", {}).get("error") for e in exc.errors()]
        if len(carried) != 1 or exc.errors()[0]["loc"] or not isinstance(carried[0], _Problems):
            return None
        return [p for p in carried[0].problems if not any(s in f"{p.field} {p.expected}" for s in stand_ins)]
    return []


def placeholders(node: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every ``TODO`` a generated inventory still holds (the importer writes them where the topology is silent)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from placeholders(value, (*loc, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from placeholders(value, (*loc, i))
    elif isinstance(node, str) and node.lstrip().upper().startswith("TODO"):
        yield loc, node


def _first_per_field(problems: list[InventoryProblem]) -> list[InventoryProblem]:
    seen: set[str] = set()
    kept = []
    for problem in problems:
        if problem.field not in seen:
            seen.add(problem.field)
            kept.append(problem)
    return kept


def validate(data: Any, source: str | Path = "(inventory)") -> Inventory:
    """Validate inventory data; raise InventoryError listing every problem at once."""
    if not isinstance(data, dict):
        raise InventoryError(source, "(top level)",
                             "a mapping with deployment, ad_domain, sip_domains, pools, cms")
    problems: list[InventoryProblem] = []
    secret = _find_secrets(data)
    if secret:
        problems.append(InventoryProblem(named_path(secret, data), "no credential in the inventory file: set them "
                                         "in environment variables (SFBCHECK_USERNAME / SFBCHECK_PASSWORD), a "
                                         "keyring or Kerberos"))
    problems += [InventoryProblem(named_path(loc, data), f"a value in place of the placeholder {text!r}")
                 for loc, text in placeholders(data)]
    inventory, note = None, ""
    try:
        inventory = Inventory.model_validate(data)
    except ValidationError as exc:
        problems += _problems_of(exc, data)
        if not any(not e["loc"] and isinstance(e.get("ctx", {}).get("error"), _Problems) for e in exc.errors()):
            cross = _cross_references(data, exc.errors())
            if cross is None:
                note = ("the cross-references (backup, next hop, CMS, sites, gateways, unique names and addresses) "
                        "are checked once these fields are right")
            else:
                problems += cross
    if problems:
        raise InventoryError.of(source, _first_per_field(problems), note)
    assert inventory is not None
    return inventory


def load_inventory(path: str | Path) -> Inventory:
    """Load and validate an inventory file; raise InventoryError naming file, fields and expectations.

    Read through :mod:`sfbcheck.yamlfile`: UTF-8 or UTF-16, bounded in size, nesting and alias expansion,
    duplicate keys refused.
    """
    path = Path(path)
    try:
        data = yamlfile.load(path)
    except OSError as exc:
        raise InventoryError(path, "(file)", f"a readable inventory file ({exc.strerror or exc})") from None
    except yamlfile.YamlFileError as exc:
        raise InventoryError(path, exc.where, exc.expected) from None
    inventory = validate(data, path)
    inventory._source = path.resolve()
    return inventory
