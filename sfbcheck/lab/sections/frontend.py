"""Lab evidence of the Front Ends: topology-wide settings (SIP domains, hosting providers, allowed domains,
Access Edge configuration, OAuth, push notifications), CMS replication, backup pool, and Office Web Apps.

Where each section lives (see docs/evidence.md): global settings (``Get-CsSipDomain``, ``Get-CsHostingProvider``,
``Get-CsAllowedDomain``, ``Get-CsAccessEdgeConfiguration``, ...) come from the CMS and read the same on any
Front End; the lab writes them on every Front End. Replication status and the CMS file share are collected
on the CMS master only; backup sections on every Front End of a pool with a backup.
"""

from __future__ import annotations

from typing import Any

from sfbcheck.lab.model import Lab

O365_PROXY_FQDN = "sipfed.online.lync.com"
O365_AUTODISCOVER = "https://webdir.online.lync.com/Autodiscover/AutodiscoverService.svc/root"
PUSH_DOMAIN = "push.lync.com"


def sip_domains(lab: Lab) -> list[dict[str, Any]]:
    """Get-CsSipDomain: every SIP domain of the inventory (on-premises and online), the first is the default."""
    return [{"Identity": d["name"], "Name": d["name"], "IsDefault": i == 0}
            for i, d in enumerate(lab.inventory["sip_domains"])]


def hosting_providers(lab: Lab) -> list[dict[str, Any]]:
    """Get-CsHostingProvider: the Office 365 provider (shared SIP address space when domains are online)."""
    shared = any(d.get("homed") == "online" for d in lab.inventory["sip_domains"])
    return [
        {"Identity": "LyncOnline", "Name": "LyncOnline", "ProxyFqdn": O365_PROXY_FQDN, "Enabled": True,
         "VerificationLevel": "UseSourceVerification", "EnabledSharedAddressSpace": shared,
         "HostsOCSUsers": True, "IsLocal": False, "AutodiscoverUrl": O365_AUTODISCOVER},
    ]


def allowed_domain(domain: str, comment: str = "") -> dict[str, Any]:
    return {"Identity": domain, "Domain": domain, "ProxyFqdn": "", "Comment": comment, "MarkForMonitoring": False}


def allowed_domains(lab: Lab) -> list[dict[str, Any]]:
    """Get-CsAllowedDomain: the federation partners, plus push.lync.com when a SIP domain uses mobile push."""
    domains = [allowed_domain(p["domain"]) for p in lab.inventory.get("federation_partners", [])]
    if any(d.get("mobile_push") for d in lab.inventory["sip_domains"]):
        domains.append(allowed_domain(PUSH_DOMAIN, "Push notifications for mobile clients"))
    return domains


def access_edge_configuration(lab: Lab) -> dict[str, Any]:
    """Get-CsAccessEdgeConfiguration (Identity Global). UseDnsSrvRouting is RoutingMethod -eq 'UseDnsSrvRouting'."""
    return {"Identity": "Global", "AllowAnonymousUsers": True, "AllowFederatedUsers": True,
            "AllowOutsideUsers": True, "BeClearingHouse": False, "EnablePartnerDiscovery": False,
            "RoutingMethod": "UseDnsSrvRouting", "UseDnsSrvRouting": True,
            "DiscoveredPartnerVerificationLevel": "AlwaysVerifiable", "EnableArchivingDisclaimer": False,
            "KeepCrlsUpToDateForPeers": True, "MarkSourceVerifiableOnOutgoingMessages": True,
            "OutgoingTlsCountForFederatedPartners": 4}


def build(lab: Lab) -> None:
    for member in lab.members("frontend"):
        sections = lab.sections(member["fqdn"])
        sections["CsSipDomain"] = sip_domains(lab)
        sections["CsHostingProvider"] = hosting_providers(lab)
        sections["CsAllowedDomain"] = allowed_domains(lab)
        sections["CsAccessEdgeConfiguration"] = access_edge_configuration(lab)
