"""Hybrid (split domain) and federation settings, judged on the CMS Front End (global settings read the same
on any Front End).

Source: seed 003 (field notes: online SIP domains must also be on-premises SIP domains; the Office 365
hosting provider; push.lync.com in Allowed Domains for mobile push), Microsoft "Configure hybrid connectivity".
"""

from __future__ import annotations

from sfbcheck.facts.federation import allowed_domains, hosting_providers, push_configuration, sip_domains
from sfbcheck.host import Host
from sfbcheck.problems import Problem

O365_PROXY_FQDN = "sipfed.online.lync.com"
O365_AUTODISCOVER = "https://webdir.online.lync.com/Autodiscover/AutodiscoverService.svc/root"
PUSH_DOMAIN = "push.lync.com"


def online_domains_on_premises(fe: Host) -> list[Problem]:
    """HYB-01: every SIP domain homed in Skype for Business Online is also an on-premises SIP domain (003)."""
    configured = sip_domains(fe.evidence)
    problems = []
    for domain in fe.inventory.sip_domains:
        if domain.online_users and domain.name not in configured:
            problems.append(Problem(
                f"SIP domain {domain.name} is homed {domain.homed} but is not a SIP domain of the on-premises "
                "topology: "
                "online users of it cannot see presence of or IM on-premises users (504, 'domain ... is not shared')",
                fix=(f"Topology Builder: Skype for Business Server > Edit Properties > SIP domain: add {domain.name} "
                     "as an additional supported SIP domain; publish; re-request the Edge external certificate "
                     f"with sip.{domain.name} (CERT-07)."),
                evidence="Get-CsSipDomain: " + (", ".join(configured) or "(none)")))
    return problems


def no_hybrid(fe: Host) -> str:
    """Why HYB-02 does not apply ('' if it does): no SIP domain has users homed online. A sipfed.online.lync.com
    provider may then exist for mobile push alone (seed 003: "LyncOnline", EnableSharedAddressSpace False,
    HostsOCSUsers False, no AutodiscoverUrl, configured for Lync Mobility) and need not look like a hybrid one."""
    if any(d.online_users for d in fe.inventory.sip_domains):
        return ""
    return ("no SIP domain of the inventory is homed online or split (no hybrid); a sipfed.online.lync.com hosting "
            "provider used for mobile push or federation only is not judged")


def office365_hosting_provider(fe: Host) -> list[Problem]:
    """HYB-02: in a hybrid (a SIP domain homed online or split), the hosting provider whose ProxyFqdn is
    sipfed.online.lync.com (its Identity differs by version: LyncOnline, SkypeOnline, Office365) is Enabled,
    UseSourceVerification, shares the SIP address space, hosts users, and autodiscovers on
    webdir.online.lync.com (003, Microsoft "Configure hybrid connectivity")."""
    providers = hosting_providers(fe.evidence)
    if no_hybrid(fe):
        return []
    shared = True  # a hybrid shares the SIP address space between on premises and online
    shown = "\n".join(str(p) for p in providers) or "(no hosting provider)"
    o365 = [p for p in providers if p.proxy_fqdn == O365_PROXY_FQDN]
    if not o365:
        return [Problem(f"no hosting provider has ProxyFqdn {O365_PROXY_FQDN} (Office 365 is not configured)",
                        fix=(f"New-CsHostingProvider -Identity Office365 -ProxyFqdn {O365_PROXY_FQDN} -Enabled $true "
                             f"-EnabledSharedAddressSpace ${str(shared).lower()} -HostsOCSUsers $true "
                             f"-VerificationLevel UseSourceVerification -IsLocal $false "
                             f"-AutodiscoverUrl {O365_AUTODISCOVER}"), evidence=shown)]
    provider = o365[0]
    wrong = []
    if not provider.enabled:
        wrong.append(("Enabled", "$true", str(provider.enabled)))
    if provider.verification_level.casefold() != "usesourceverification":
        wrong.append(("VerificationLevel", "UseSourceVerification", provider.verification_level or "(empty)"))
    if provider.shared_address_space != shared:
        wrong.append(("EnabledSharedAddressSpace", f"${str(shared).lower()}", str(provider.shared_address_space)))
    if not provider.hosts_ocs_users:
        wrong.append(("HostsOCSUsers", "$true", str(provider.hosts_ocs_users)))
    if not provider.autodiscover_url.lower().startswith("https://webdir.online.lync.com/"):
        wrong.append(("AutodiscoverUrl", O365_AUTODISCOVER, provider.autodiscover_url or "(empty)"))
    if not wrong:
        return []
    settings = " ".join(f"-{name} {want}" for name, want, _ in wrong)
    return [Problem(f"the Office 365 hosting provider {provider.identity} has "
                    + ", ".join(f"{name} {got} (want {want.lstrip('$')})" for name, want, got in wrong),
                    fix=f"Set-CsHostingProvider -Identity {provider.identity} {settings}", evidence=str(provider))]


def push_allowed(fe: Host) -> list[Problem]:
    """FED-02: where a SIP domain uses mobile push, push.lync.com is an allowed domain and a push service is
    enabled (003: push notifications for Lync Mobility)."""
    pushing = [d.name for d in fe.inventory.sip_domains if d.mobile_push]
    if not pushing:
        return []
    allowed = allowed_domains(fe.evidence)
    problems = []
    if PUSH_DOMAIN not in allowed:
        problems.append(Problem(
            f"{PUSH_DOMAIN} is not an allowed domain, so mobile clients of {', '.join(pushing)} get no push "
            "notifications",
            fix=f'New-CsAllowedDomain -Identity "{PUSH_DOMAIN}" -Comment "Push notifications for mobile clients"',
            evidence="Get-CsAllowedDomain: " + (", ".join(allowed) or "(none)")))
    push = push_configuration(fe.evidence)
    if not (push.apple or push.microsoft):
        problems.append(Problem("push notifications are disabled for both Apple and Microsoft push services",
                                fix="Set-CsPushNotificationConfiguration -EnableApplePushNotificationService $true "
                                    "-EnableMicrosoftPushNotificationService $true",
                                evidence=f"EnableApplePushNotificationService {push.apple}, "
                                         f"EnableMicrosoftPushNotificationService {push.microsoft}"))
    return problems
