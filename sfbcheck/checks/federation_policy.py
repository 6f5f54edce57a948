"""The deployment's federation settings (FED-03, FED-04), read on the CMS Front End (global settings).

Sources: OPD rules RDEdgeConfigAllowFederatedUsers, RDEdgeConfigAllowOutsideUsers, RDEdgeConfigUseDnsSrvRouting
(Get-CsAccessEdgeConfiguration), RDCheckEdgePoolCount (Get-CsService -EdgeServer, AccessEdgeExternalSipPort 5061:
more than one federation Edge pool is a problem) and RDCheckDomainApprovedForFederation (Get-CsBlockedDomain with
partner discovery on, Get-CsAllowedDomain with it off).
"""

from __future__ import annotations

from collections import Counter

from sfbcheck.facts import federation
from sfbcheck.host import Host
from sfbcheck.problems import Problem

SETTINGS = (  # (policy field, configuration attribute, cmdlet parameter)
    ("federated_users", "federated_users", "AllowFederatedUsers"),
    ("outside_users", "outside_users", "AllowOutsideUsers"),
    ("partner_discovery", "partner_discovery", "EnablePartnerDiscovery"),
)


def access_edge_matches_policy(frontend: Host) -> list[Problem]:
    """FED-03: AllowFederatedUsers, AllowOutsideUsers, EnablePartnerDiscovery and UseDnsSrvRouting are what the
    inventory's policy says, and (with federation on) exactly one Edge pool of the topology federates (the
    inventory's federation route)."""
    config = federation.access_edge(frontend.evidence)
    policy = frontend.inventory.policy
    problems = []
    for field, attribute, parameter in SETTINGS:
        want, got = getattr(policy, field), getattr(config, attribute)
        if want != got:
            problems.append(Problem(
                f"Get-CsAccessEdgeConfiguration {parameter} is {got}, the inventory's policy.{field} says {want}",
                fix=(f"Set-CsAccessEdgeConfiguration -{parameter} ${str(want).lower()}\n(or, if the deployment "
                     f"changed on purpose, set policy.{field}: {str(got).lower()} in the inventory)"),
                evidence=str(config)))
    if policy.dns_srv_routing != config.dns_srv_routing:
        fix = ("Set-CsAccessEdgeConfiguration -UseDnsSrvRouting" if policy.dns_srv_routing else
               "Set-CsAccessEdgeConfiguration -UseDefaultRouting -DefaultRouteFqdn <the SIP federation provider>")
        problems.append(Problem(
            f"Get-CsAccessEdgeConfiguration RoutingMethod is {config.routing_method or '(empty)'}, the inventory's "
            f"policy.dns_srv_routing says {'UseDnsSrvRouting' if policy.dns_srv_routing else 'a default route'}: "
            "federated partners found by DNS SRV are " + ("not reached" if policy.dns_srv_routing else "reached"),
            fix=fix, evidence=str(config)))
    if config.federated_users:
        services = federation.edge_services(frontend.evidence)
        federating = [s for s in services if s.federation]
        route = frontend.inventory.federation_edge
        listed = "\n".join(f"Get-CsService -EdgeServer: {s}" for s in services) or "Get-CsService -EdgeServer: (none)"
        if len(federating) != 1:
            problems.append(Problem(
                f"{len(federating)} Edge pools of the topology federate (AccessEdgeExternalSipPort 5061): "
                + ("federation needs one" if not federating else
                   f"{', '.join(s.pool for s in federating)}; partners see one federation route, the others' "
                   "traffic is refused or asymmetric"),
                fix=("In Topology Builder, enable federation on exactly one Edge pool (Edit Properties > Enable "
                     "federation, port 5061) and set it as the site's federation route; publish the topology."),
                evidence=listed))
        elif route is not None and federating[0].pool != route.fqdn:
            problems.append(Problem(
                f"the topology federates through {federating[0].pool}, the inventory's federation route is "
                f"{route.fqdn}",
                fix=(f"Move federation to {route.fqdn} in Topology Builder (or mark {federating[0].pool} as "
                     "federation_route in the inventory), and publish."),
                evidence=listed))
    return problems


def partners_not_blocked(frontend: Host) -> list[Problem]:
    """FED-04: no inventory federation partner is a blocked domain (Get-CsBlockedDomain), and no domain is listed
    twice among the allowed domains (Get-CsAllowedDomain)."""
    blocked = set(federation.blocked_domains(frontend.evidence))
    problems = []
    for partner in frontend.inventory.federation_partners:
        domain = partner.domain.lower()
        if domain in blocked:
            problems.append(Problem(
                f"the federation partner {domain} is a blocked domain: the Edge refuses every message to and from it",
                fix=f"Remove-CsBlockedDomain -Identity {domain}",
                evidence=f"Get-CsBlockedDomain: {', '.join(sorted(blocked))}"))
    raw = federation.raw_allowed_domains(frontend.evidence)
    counts = Counter(d.rstrip(".").lower() for d in raw)
    for domain, count in sorted(counts.items()):
        if count > 1:
            spelled = [d for d in raw if d.rstrip(".").lower() == domain]
            problems.append(Problem(
                f"{domain} is listed {count} times among the allowed domains ({', '.join(spelled)}): which entry's "
                "ProxyFqdn and settings apply is undefined",
                fix=(f"Get-CsAllowedDomain | Where-Object Domain -eq '{domain}'; keep one entry and remove the others "
                     "(Remove-CsAllowedDomain -Identity <Identity>)"),
                evidence="Get-CsAllowedDomain: " + ", ".join(raw)))
    return problems
