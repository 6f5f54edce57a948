"""The inventory: the deployment as its topology describes it, validated on load.

An inventory is a YAML file (see ``inventories/lab/inventory.yml`` and ``docs/inventory.md``).
``load_inventory`` returns an :class:`Inventory` or raises :class:`InventoryError`, whose message
names the file, the field path and what was expected. Credentials are never read from it.
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from sfbcheck.errors import InventoryError

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


class SipDomain(Strict):
    name: str
    homed: Literal["on-premises", "online"] = "on-premises"
    mobile_push: bool = False

    @field_validator("name")
    @classmethod
    def _lower(cls, value: str) -> str:
        return _fqdn(value)


class Member(Strict):
    fqdn: str
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = Field(description="internal interface IP")
    external_ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    connection: Connection = Connection()

    @field_validator("fqdn")
    @classmethod
    def _lower(cls, value: str) -> str:
        return _fqdn(value)


class Pool(Strict):
    fqdn: str
    role: Role
    site: str | None = None
    members: list[Member] = Field(min_length=1)
    dns_load_balanced: bool = True
    backup: str | None = None
    backup_mutual: bool = True
    homes_users: bool = True
    web_internal_fqdn: str | None = None
    # Edge pools only
    next_hop: str | None = None
    internal_subnets: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    internal_gateway: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    access_edge_fqdn: str | None = None

    @field_validator("fqdn", "backup", "next_hop", "web_internal_fqdn", "access_edge_fqdn")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return None if value is None else _fqdn(value)

    @model_validator(mode="after")
    def _edge_fields(self) -> Pool:
        if self.role is Role.edge:
            missing = [n for n in ("next_hop", "internal_gateway") if getattr(self, n) is None]
            if not self.internal_subnets:
                missing.append("internal_subnets")
            if missing:
                raise ValueError(f"{', '.join(missing)} (required for an edge pool)")
        return self


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

    def pool_of(self, server: Server | str) -> Pool:
        fqdn = server.fqdn if isinstance(server, Server) else server.lower()
        return self._by_fqdn[fqdn].pool

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
        pools: dict[str, Pool] = {}
        servers: list[Server] = []
        for i, pool in enumerate(self.pools):
            if pool.fqdn in pools:
                raise _at(f"pools[{i}].fqdn", f"a unique FQDN; {pool.fqdn} is already used")
            pools[pool.fqdn] = pool
        seen: dict[str, str] = dict.fromkeys(pools, "a pool")
        for i, pool in enumerate(self.pools):
            for j, member in enumerate(pool.members):
                if member.fqdn in seen:
                    raise _at(f"pools[{i}].members[{j}].fqdn",
                              f"a unique FQDN; {member.fqdn} is already used by {seen[member.fqdn]}")
                seen[member.fqdn] = f"pools[{i}]"
                servers.append(Server(member=member, pool=pool))
        for i, pool in enumerate(self.pools):
            for name in ("backup", "next_hop"):
                ref = getattr(pool, name)
                if ref is not None and ref not in pools:
                    raise _at(f"pools[{i}].{name}", f"the FQDN of a pool in this inventory, got {ref!r}")
            if pool.backup == pool.fqdn:
                raise _at(f"pools[{i}].backup", "another pool (a pool cannot back up itself)")
        if self.cms.pool not in pools:
            raise _at("cms.pool", f"the FQDN of a pool in this inventory, got {self.cms.pool!r}")
        if pools[self.cms.pool].role is not Role.frontend:
            raise _at("cms.pool", f"a frontend pool, got the {pools[self.cms.pool].role.value} pool {self.cms.pool}")
        if self.cms.master and self.cms.master not in {m.fqdn for m in pools[self.cms.pool].members}:
            raise _at("cms.master", f"a member of the CMS pool {self.cms.pool}, got {self.cms.master!r}")
        self._pools = pools
        self._servers = servers
        self._by_fqdn = {s.fqdn: s for s in servers}
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


class _FieldProblem(ValueError):
    def __init__(self, path: str, expected: str) -> None:
        super().__init__(expected)
        self.path = path
        self.expected = expected


def _at(path: str, expected: str) -> _FieldProblem:
    return _FieldProblem(path, expected)


def _fqdn(value: str) -> str:
    value = value.strip().rstrip(".").lower()
    labels = value.split(".")
    if len(labels) < 2 or not all(labels) or any(" " in label for label in labels):
        raise ValueError(f"a fully qualified domain name, got {value!r}")
    return value


def _find_secrets(node: Any, path: str = "") -> str | None:
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if str(key).lower() in SECRET_KEYS:
                return here
            found = _find_secrets(value, here)
            if found:
                return found
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found = _find_secrets(value, f"{path}[{i}]")
            if found:
                return found
    return None


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-", "union")) or any(t in str(part) for t in ("Address", "Network")):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


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
    if kind == "enum":
        return f"one of {error.get('ctx', {}).get('expected', '')}, got {got!r}"
    msg = msg.removeprefix("Value error, ")
    return f"{msg}" if got is None or isinstance(got, (dict, list)) else f"{msg} (got {got!r})"


def load_inventory(path: str | Path) -> Inventory:
    """Load and validate an inventory file; raise InventoryError naming file, field and expectation."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InventoryError(path, "(file)", f"a readable inventory file ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise InventoryError(path, where, f"valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise InventoryError(path, "(top level)",
                             "a mapping with deployment, ad_domain, sip_domains, pools, cms")
    secret = _find_secrets(data)
    if secret:
        raise InventoryError(path, secret, "no credential in the inventory file: set them in environment "
                             "variables (SFBCHECK_USERNAME / SFBCHECK_PASSWORD), a keyring or Kerberos")
    try:
        inventory = Inventory.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        ctx_error = first.get("ctx", {}).get("error")
        if isinstance(ctx_error, _FieldProblem):
            raise InventoryError(path, ctx_error.path, ctx_error.expected) from None
        raise InventoryError(path, _loc(first["loc"]), _expected(first)) from None
    inventory._source = path.resolve()
    return inventory
