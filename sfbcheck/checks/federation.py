"""Federation with partners hosted by a configured hosting provider (FED-01).

Source: seed 003 ("ms-diagnostics 1028"): the partner's ``_sipfederationtls._tcp`` SRV record points to
sipfed.online.lync.com, which the on-premises deployment has configured as a hosting provider (for
hybrid and mobility); such a partner must be an allowed domain (or partner discovery on), else the
Edge refuses it with ms-diagnostics 1028.
"""

from __future__ import annotations

from sfbcheck.checks.dns_records import ask, unanswered
from sfbcheck.facts import federation
from sfbcheck.facts.probes import Runner
from sfbcheck.host import Host
from sfbcheck.inventory import FederationPartner
from sfbcheck.probes.dns import EXTERNAL
from sfbcheck.problems import Problem

MS_DIAGNOSTICS_1028 = ('ms-diagnostics: 1028;reason="Domain resolved by DNS SRV to a configured hosting service '
                       'but the domain is not in the allow list";domain="{domain}";fqdn1="{fqdn}"')


def hosted_partner_allowed(partner: FederationPartner, frontend: Host, runner: Runner) -> list[Problem]:
    """FED-01: a partner whose federation SRV resolves to a configured hosting provider's ProxyFqdn is an allowed
    domain, or partner discovery is on; otherwise ms-diagnostics 1028 (003)."""
    domain = partner.domain.lower()
    name = f"_sipfederationtls._tcp.{domain}"
    evidence = frontend.evidence
    providers = {p.proxy_fqdn: p for p in federation.hosting_providers(evidence) if p.enabled}
    allowed = set(federation.allowed_domains(evidence))
    discovery = federation.partner_discovery(evidence)
    problems = []
    for answer in ask(runner, EXTERNAL, name, "SRV"):
        if not answer.answered:
            problems.append(unanswered(answer, "FED-01"))
            continue
        hosted = [r.data for r in answer.of_type("SRV") if r.data in providers]
        if not hosted or domain in allowed or discovery:
            continue
        fqdn = hosted[0]
        provider = providers[fqdn]
        problems.append(Problem(
            f"{domain} resolves by DNS SRV to {fqdn}, the ProxyFqdn of the hosting provider "
            f"{provider.identity}, but it is not an allowed domain and partner discovery is off: users "
            f"joining its meetings or federating with it get {MS_DIAGNOSTICS_1028.format(domain=domain, fqdn=fqdn)}",
            fix=f"New-CsAllowedDomain -Identity {domain} -Comment 'hosted on {fqdn}'\n"
                "(or open federation: Set-CsAccessEdgeConfiguration -EnablePartnerDiscovery $true; it federates with "
                "every domain, weigh that first)",
            evidence=f"{answer.outcome()}\nGet-CsHostingProvider: {provider.identity} ProxyFqdn {fqdn} "
                     f"Enabled True\nGet-CsAllowedDomain: {', '.join(sorted(allowed)) or '(none)'}\n"
                     f"Get-CsAccessEdgeConfiguration: EnablePartnerDiscovery {discovery}"))
    return problems
