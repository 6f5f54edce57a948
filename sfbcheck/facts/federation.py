"""Global federation, hybrid and OAuth settings read on a Front End (Get-CsSipDomain, Get-CsHostingProvider,
Get-CsAllowedDomain, Get-CsPushNotificationConfiguration, Get-CsOAuthConfiguration) and the DNS answer for
the Exchange autodiscover host as the Front End resolves it (Resolve-DnsName)."""

from __future__ import annotations

from dataclasses import dataclass

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence
from sfbcheck.facts.fields import readers, single

SIP_DOMAINS = "CsSipDomain"
HOSTING_PROVIDERS = "CsHostingProvider"
ALLOWED_DOMAINS = "CsAllowedDomain"
ACCESS_EDGE = "CsAccessEdgeConfiguration"
PUSH = "CsPushNotificationConfiguration"
OAUTH = "CsOAuthConfiguration"
AUTODISCOVER_DNS = "ResolveDnsNameAutodiscover"


def parse_sip_domains(evidence: Evidence) -> tuple[str, ...]:
    return tuple(r.text("Name").rstrip(".").lower() for r in readers(evidence, SIP_DOMAINS))


def sip_domains(evidence: Evidence) -> tuple[str, ...]:
    return evidence.parsed("sip-domains", parse_sip_domains)


@dataclass(frozen=True)
class HostingProvider:
    identity: str
    proxy_fqdn: str
    enabled: bool
    verification_level: str
    shared_address_space: bool
    hosts_ocs_users: bool
    autodiscover_url: str

    def __str__(self) -> str:
        return (f"{self.identity}: ProxyFqdn {self.proxy_fqdn}, Enabled {self.enabled}, VerificationLevel "
                f"{self.verification_level}, EnabledSharedAddressSpace {self.shared_address_space}, "
                f"HostsOCSUsers {self.hosts_ocs_users}, AutodiscoverUrl {self.autodiscover_url or '(empty)'}")


def parse_hosting_providers(evidence: Evidence) -> tuple[HostingProvider, ...]:
    return tuple(HostingProvider(r.text("Identity"), r.text("ProxyFqdn").rstrip(".").lower(),  # mandatory
                                 r.boolean("Enabled"), r.text("VerificationLevel", required=False),
                                 r.boolean("EnabledSharedAddressSpace"), r.boolean("HostsOCSUsers"),
                                 r.text("AutodiscoverUrl", required=False))
                 for r in readers(evidence, HOSTING_PROVIDERS))


def hosting_providers(evidence: Evidence) -> tuple[HostingProvider, ...]:
    return evidence.parsed("hosting-providers", parse_hosting_providers)


def parse_allowed_domains(evidence: Evidence) -> tuple[str, ...]:
    return tuple(r.text("Domain").rstrip(".").lower() for r in readers(evidence, ALLOWED_DOMAINS))


def allowed_domains(evidence: Evidence) -> tuple[str, ...]:
    return evidence.parsed("allowed-domains", parse_allowed_domains)


def parse_partner_discovery(evidence: Evidence) -> bool:
    return single(evidence, ACCESS_EDGE).boolean("EnablePartnerDiscovery")


def partner_discovery(evidence: Evidence) -> bool:
    """Get-CsAccessEdgeConfiguration EnablePartnerDiscovery: federation with any domain found through DNS SRV."""
    return evidence.parsed("partner-discovery", parse_partner_discovery)


@dataclass(frozen=True)
class PushConfiguration:
    apple: bool
    microsoft: bool


def parse_push(evidence: Evidence) -> PushConfiguration:
    r = single(evidence, PUSH)
    return PushConfiguration(r.boolean("EnableApplePushNotificationService"),
                             r.boolean("EnableMicrosoftPushNotificationService"))


def push_configuration(evidence: Evidence) -> PushConfiguration:
    return evidence.parsed("push", parse_push)


def autodiscover_url(evidence: Evidence) -> str:
    """Get-CsOAuthConfiguration's ExchangeAutodiscoverUrl ("" when not set)."""
    return evidence.parsed("oauth-url", lambda e: single(e, OAUTH).text("ExchangeAutodiscoverUrl", required=False))


@dataclass(frozen=True)
class DnsRecord:
    name: str
    type: str
    target: str  # NameHost of a CNAME, IPAddress of an A/AAAA

    def __str__(self) -> str:
        return f"{self.name} {self.type} {self.target}"


_TYPES = {1: "A", 5: "CNAME", 28: "AAAA"}


def parse_dns(evidence: Evidence) -> tuple[DnsRecord, ...]:
    out = []
    for r in readers(evidence, AUTODISCOVER_DNS):
        raw_type = r.record.get("Type")
        kind = _TYPES.get(raw_type, "") if isinstance(raw_type, int) else str(raw_type or "").upper()
        if not kind:
            raise r.gap(f"Type is {raw_type!r}")
        if kind == "CNAME":
            target = r.text("NameHost")
        elif kind in ("A", "AAAA"):
            target = r.text("IPAddress")
        else:
            continue
        out.append(DnsRecord(r.text("Name").rstrip(".").lower(), kind, target.rstrip(".").lower()))
    return tuple(out)


def cname_chain(evidence: Evidence, host: str) -> list[str]:
    """``host`` followed by every name it is a CNAME to, as resolved on the server (Resolve-DnsName)."""
    records = evidence.parsed("autodiscover-dns", parse_dns)
    chain, current = [host.lower()], host.lower()
    cnames = {r.name: r.target for r in records if r.type == "CNAME"}
    if not any(r.name == current for r in records):
        raise EvidenceGap(evidence.server, AUTODISCOVER_DNS,
                          f"does not hold the resolution of {host} (the host of ExchangeAutodiscoverUrl)")
    while current in cnames and cnames[current] not in chain:
        current = cnames[current]
        chain.append(current)
    return chain


# -- FED-03, FED-04: the Access Edge configuration, the Edge services, blocked domains ---------------------------
BLOCKED_DOMAINS = "CsBlockedDomain"
EDGE_SERVICES = "CsServiceEdgeServer"


@dataclass(frozen=True)
class AccessEdgeConfiguration:
    """Get-CsAccessEdgeConfiguration (global). UseDnsSrvRouting is RoutingMethod -eq 'UseDnsSrvRouting'."""

    federated_users: bool
    outside_users: bool
    partner_discovery: bool
    dns_srv_routing: bool
    routing_method: str

    def __str__(self) -> str:
        return (f"Get-CsAccessEdgeConfiguration: AllowFederatedUsers {self.federated_users}, AllowOutsideUsers "
                f"{self.outside_users}, EnablePartnerDiscovery {self.partner_discovery}, RoutingMethod "
                f"{self.routing_method or '(empty)'}")


def parse_access_edge(evidence: Evidence) -> AccessEdgeConfiguration:
    r = single(evidence, ACCESS_EDGE)
    method = r.text("RoutingMethod", required=False)
    srv = r.boolean("UseDnsSrvRouting") if "UseDnsSrvRouting" in r.record else method == "UseDnsSrvRouting"
    return AccessEdgeConfiguration(r.boolean("AllowFederatedUsers"), r.boolean("AllowOutsideUsers"),
                                   r.boolean("EnablePartnerDiscovery"), srv, method)


def access_edge(evidence: Evidence) -> AccessEdgeConfiguration:
    return evidence.parsed("access-edge", parse_access_edge)


def parse_blocked_domains(evidence: Evidence) -> tuple[str, ...]:
    return tuple(r.text("Domain").rstrip(".").lower() for r in readers(evidence, BLOCKED_DOMAINS))


def blocked_domains(evidence: Evidence) -> tuple[str, ...]:
    """Get-CsBlockedDomain: the domains federation is refused with (lower case)."""
    return evidence.parsed("blocked-domains", parse_blocked_domains)


def raw_allowed_domains(evidence: Evidence) -> tuple[str, ...]:
    """Get-CsAllowedDomain Domain values as written (duplicates kept; FED-04 looks for them)."""
    return tuple(r.text("Domain") for r in readers(evidence, ALLOWED_DOMAINS))


@dataclass(frozen=True)
class EdgeService:
    """One Get-CsService -EdgeServer entry (an Edge pool of the topology)."""

    identity: str
    pool: str
    external_sip_port: int | None

    @property
    def federation(self) -> bool:
        """Federation is enabled on the pool: its Access Edge listens for federation on 5061 (OPD's reading)."""
        return self.external_sip_port == 5061

    def __str__(self) -> str:
        return f"{self.identity}: PoolFqdn {self.pool}, AccessEdgeExternalSipPort {self.external_sip_port}"


def parse_edge_services(evidence: Evidence) -> tuple[EdgeService, ...]:
    out = []
    for r in readers(evidence, EDGE_SERVICES):
        port = r.record.get("AccessEdgeExternalSipPort")
        if port is not None and (isinstance(port, bool) or not str(port).strip().isdigit()):
            raise r.gap(f"AccessEdgeExternalSipPort is {port!r}, not a port number")
        out.append(EdgeService(r.text("Identity"), r.text("PoolFqdn").rstrip(".").lower(),
                               int(port) if port is not None else None))
    return tuple(out)


def edge_services(evidence: Evidence) -> tuple[EdgeService, ...]:
    return evidence.parsed("edge-services", parse_edge_services)
