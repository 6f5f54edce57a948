"""The inventory: the deployment as its topology describes it, validated on load.

An inventory is a YAML file (see ``inventories/lab/inventory.yml`` and ``docs/inventory.md``).
``load_inventory`` returns an :class:`Inventory` or raises :class:`InventoryError`, whose message
names the file, the field path and what was expected. Credentials are never read from it.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from sfbcheck.errors import InventoryProblem


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
    product: Product | None = Field(
        default=None, description="the pool's product when it differs from the deployment's (coexistence during a "
                                  "migration: a Lync Server 2013 pool beside SfB pools); default the inventory's")
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
    if pool.product is not None and pool.role is Role.owas:
        yield InventoryProblem("product", "no value: an Office Web Apps / Office Online Server farm runs no Lync or "
                               "Skype for Business Server product")
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
    # VER-01: minimum update (its name in sfbcheck/data/builds.yml, or a version); per product ({sfb2019: ...}) in a
    # deployment of several products (coexistence), a product not named held to its latest
    min_update: str | dict[Product, str] | None = None
    updates_behind: int = Field(default=0, ge=0)  # VER-01: how many updates of the build table below the minimum pass
    federated_users: bool = True  # FED-03: Get-CsAccessEdgeConfiguration AllowFederatedUsers expected
    outside_users: bool = True  # FED-03: AllowOutsideUsers (remote users) expected
    partner_discovery: bool = False  # FED-03: EnablePartnerDiscovery (open federation) expected
    dns_srv_routing: bool = True  # FED-03: RoutingMethod UseDnsSrvRouting expected (false: a SIP federation provider)
    evidence_max_age_hours: int | None = Field(default=24, ge=1)  # EVID-01: age at the run (null: not judged)
    evidence_max_spread_hours: int = Field(default=6, ge=0)  # EVID-01: collected this close to its pool and CMS master
    tls12_required: bool = False  # TLS-04: judge the TLS 1.2 prerequisites even where TLS 1.0/1.1 is enabled
    waiver_max_days: int = Field(default=365, ge=1)  # waivers: the longest a waiver may run from today
    collection_timeout_seconds: float = Field(default=900.0, gt=0)  # live: total deadline per server
    host_memory_gb: dict[str, float] = {}  # HOST-02: minimum memory per role instead of Microsoft's (frontend: 32)
    host_cores: dict[str, int] = {}  # HOST-02: minimum processor cores per role instead of Microsoft's (frontend: 12)
    disk_free_percent: float = Field(default=10.0, ge=0, le=100)  # HOST-03: free space per data drive, at least
    disk_free_gb: float = Field(default=10.0, ge=0)  # HOST-03: and at least this many GB free
    boot_max_age_days: int = Field(default=90, ge=1)  # HOST-04: last boot at most this many days before collection
    probe_concurrency: int = Field(default=16, ge=1, le=64)  # collector: TCP probes of one server at once

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

    def product_of(self, pool: Pool | str) -> Product:
        """The product a pool runs: its own ``product``, else the deployment's (``product``)."""
        pool = pool if isinstance(pool, Pool) else self.pool_of(pool)
        return pool.product or self.product

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
        self._servers = [Server(member, pool, pool.product or self.product) for pool in self.pools
                         for member in pool.members]
        self._by_fqdn = {}
        for server in self._servers:
            self._by_fqdn.setdefault(server.fqdn, server)
        problems = [problem for check in RULES for problem in check(self)]
        if problems:
            raise _Problems(problems)
        return self


class Server:
    """One inventory server: its member entry, the pool it belongs to and the product that pool runs (the pool's
    ``product``, else the inventory's)."""

    def __init__(self, member: Member, pool: Pool, product: Product = Product.sfb2019) -> None:
        self.member = member
        self.pool = pool
        self.product = product

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


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


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


# the rules register themselves; loading (and its messages) lives in sfbcheck.inventory_load, re-exported here
from sfbcheck import inventory_rules  # noqa: E402,F401

LOADING = ("load_inventory", "validate", "placeholders", "named_path")


def __getattr__(name: str) -> Any:
    """``from sfbcheck.inventory import load_inventory`` (and the other loading functions), imported on first use
    so that sfbcheck.inventory_load can import the models."""
    if name in LOADING:
        from sfbcheck import inventory_load

        return getattr(inventory_load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
