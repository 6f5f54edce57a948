"""Lab evidence of the Front Ends: topology-wide settings (SIP domains, hosting providers, allowed domains,
Access Edge configuration, OAuth, push notifications), CMS replication, backup pool, and Office Web Apps.

Where each section lives (see docs/evidence.md): global settings (``Get-CsSipDomain``, ``Get-CsHostingProvider``,
``Get-CsAllowedDomain``, ``Get-CsAccessEdgeConfiguration``, ...) come from the CMS and read the same on any
Front End; the lab writes them on every Front End. Replication status and the CMS file share are collected
on the CMS master only; backup sections on every Front End of a pool with a backup.
"""

from __future__ import annotations

from datetime import timedelta
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
    shared = any(d.get("homed") in ("online", "split") for d in lab.inventory["sip_domains"])
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


PRODUCT_VERSIONS = {"lync2013": "5.0.8308.0", "sfb2015": "6.0.9319.0", "sfb2019": "7.0.2046.0"}
REPLICA_ROLES = ("frontend", "edge", "director", "mediation")
AUTODISCOVER_HOST = "autodiscover.contoso.com"
EXO_AUTODISCOVER = "autodiscover.outlook.com"


def push_configuration() -> dict[str, Any]:
    """Get-CsPushNotificationConfiguration (Identity Global)."""
    return {"Identity": "Global", "EnableApplePushNotificationService": True,
            "EnableMicrosoftPushNotificationService": True}


def oauth_configuration(url: str) -> dict[str, Any]:
    """Get-CsOAuthConfiguration (Identity Global); Exchange Online behind the vanity autodiscover name."""
    return {"Identity": "Global", "ServiceName": "00000004-0000-0ff1-ce00-000000000000",
            "ClientAuthorizationOAuthServerIdentity": "", "ExchangeAutodiscoverUrl": url,
            "ExchangeAutodiscoverAllowedDomains": "*", "Realm": "contoso.com"}


def dns_answer(name: str, kind: str, target: str) -> dict[str, Any]:
    """One Resolve-DnsName record (Type as the enum name, as ConvertTo-Json writes it with -EnumsAsStrings)."""
    field = "NameHost" if kind == "CNAME" else "IPAddress"
    return {"Name": name, "Type": kind, "TTL": 300, "Section": "Answer", field: target}


def autodiscover_resolution() -> list[dict[str, Any]]:
    """Resolve-DnsName autodiscover.contoso.com on a Front End: a CNAME to Exchange Online (documentation IPs)."""
    return [dns_answer(AUTODISCOVER_HOST, "CNAME", EXO_AUTODISCOVER),
            dns_answer(EXO_AUTODISCOVER, "CNAME", "outlook.ha.office365.com"),
            dns_answer("outlook.ha.office365.com", "A", "203.0.113.10"),
            dns_answer("outlook.ha.office365.com", "A", "203.0.113.11")]


def replication_status(lab: Lab) -> list[dict[str, Any]]:
    """Get-CsManagementStoreReplicationStatus on the CMS master: every replica up to date, reported minutes ago."""
    return [{"ReplicaFqdn": m["fqdn"], "UpToDate": True,
             "LastStatusReport": (lab.now - timedelta(minutes=4 + i)).isoformat(),
             "LastUpdateCreation": (lab.now - timedelta(hours=3)).isoformat(),
             "ProductVersion": PRODUCT_VERSIONS[lab.product(m["fqdn"])]}
            for i, m in enumerate(m for p in lab.pools() if p["role"] in REPLICA_ROLES for m in p["members"])]


def cms_status(lab: Lab) -> dict[str, Any]:
    """Get-CsManagementStoreReplicationStatus -CentralManagementStoreStatus."""
    master = lab.cms_master
    return {"ActiveMasterFqdn": master, "ActiveFileTransferAgents": [master],
            "ActiveReplicas": [m["fqdn"] for p in lab.pools() if p["role"] in REPLICA_ROLES for m in p["members"]],
            "DeletedReplicas": [], "DeletedFileTransferAgents": []}


def share_entry(account: str, right: str, control: str = "Allow") -> dict[str, Any]:
    return {"Name": "xds-replica", "ScopeName": "*", "AccountName": account, "AccessControlType": control,
            "AccessRight": right}


def replica_share(fqdn: str) -> list[dict[str, Any]]:
    """Get-SmbShareAccess -Name xds-replica on an internal server."""
    host = fqdn.split(".")[0].upper()
    return [share_entry("BUILTIN\\Administrators", "Full"),
            share_entry(f"{host}\\RTC Local Config Replicator", "Change")]


def ad_group(name: str, rid: int) -> dict[str, Any]:
    return {"Name": name, "SamAccountName": name, "SID": f"S-1-5-21-1004336348-1177238915-682003330-{rid}",
            "GroupCategory": "Security", "GroupScope": "Universal" if name.startswith("RTCUniversal") else "Global",
            "DistinguishedName": f"CN={name},CN=Users,DC=contoso,DC=local"}


def computer_groups() -> list[dict[str, Any]]:
    """Get-ADPrincipalGroupMembership of the CMS Front End's computer account."""
    return [ad_group("Domain Computers", 515), ad_group("RTCUniversalConfigReplicator", 1121),
            ad_group("RTCComponentUniversalServices", 1118), ad_group("RTCHSUniversalServices", 1117)]


def sql_backend(pool_fqdn: str) -> str:
    return f"sql-{pool_fqdn.split('.')[0]}.contoso.local"


def backup_relationships(lab: Lab) -> list[dict[str, Any]]:
    """Get-CsPoolBackupRelationship -PoolFqdn <pool> for every Front End pool."""
    return [{"PoolFqdn": p["fqdn"], "BackupPoolFqdn": p.get("backup") or ""} for p in lab.pools("frontend")]


def registrars(lab: Lab) -> list[dict[str, Any]]:
    """Get-CsService -Registrar (TimeSpans as ToString()): Topology Builder's default detection intervals."""
    return [{"Identity": f"Registrar:{p['fqdn']}", "PoolFqdn": p["fqdn"],
             "BackupRegistrar": f"Registrar:{p['backup']}" if p.get("backup") else "",
             "EnableAutomaticFailover": bool(p.get("backup")), "FailureDetectionInterval": "00:05:00",
             "FailbackDetectionInterval": "00:10:00", "SipPort": 5061} for p in lab.pools("frontend")]


def backup_status(pool: dict[str, Any], is_cms_pool: bool) -> dict[str, Any]:
    """Get-CsBackupServiceStatus -PoolFqdn <pool> with BackupModules expanded."""
    def module(identity: str, export: str) -> dict[str, Any]:
        return {"Identity": identity, "ExportStatus": export, "ImportStatus": "NormalState"}

    return {"PoolFqdn": pool["fqdn"], "OverallExportStatus": "SteadyState", "OverallImportStatus": "NormalState",
            "BackupModules": [module("UserServices.PresenceFocus", "SteadyState"),
                              module("ConfServices.DataConf", "FinalState"),
                              module("CentralMgmt.CMSMaster", "SteadyState" if is_cms_pool else "NotInitialized")]}


def cms_database(pool_fqdn: str) -> list[dict[str, Any]]:
    """Test-CsDatabase -CentralManagementDatabase -SqlServerFqdn <this pool's back end> -SqlInstanceName RTC."""
    return [{"SqlServerFqdn": sql_backend(pool_fqdn), "SqlInstanceName": "RTC", "DatabaseName": name,
             "DataSource": f"{sql_backend(pool_fqdn)}\\RTC", "ExpectedVersion": version,
             "InstalledVersion": version, "Succeed": True}
            for name, version in (("xds", "10.13.2"), ("lis", "3.1.1"))]


def owas_sections(lab: Lab, fqdn: str) -> None:
    sections = lab.sections(fqdn)
    sections["Win32_Product"] = [
        {"Name": "Microsoft Office Online Server", "Version": "16.0.10338.20039", "Vendor": "Microsoft Corporation",
         "InstallLocation": "C:\\Program Files\\Microsoft Office Web Apps\\"},
    ]
    # Win32_OperatingSystem may also be written by another area's builder: only make sure SystemDrive is there
    sections.setdefault("Win32_OperatingSystem", {"Caption": "Microsoft Windows Server 2016 Datacenter",
                                                  "Version": "10.0.14393"}).setdefault("SystemDrive", "C:")


def build(lab: Lab) -> None:
    cms_pool = lab.inventory["cms"]["pool"]
    master = lab.cms_master
    url = f"http://{AUTODISCOVER_HOST}/autodiscover/autodiscover.svc"
    for pool in lab.pools("frontend"):
        for member in pool["members"]:
            sections = lab.sections(member["fqdn"])
            sections["CsSipDomain"] = sip_domains(lab)
            sections["CsHostingProvider"] = hosting_providers(lab)
            sections["CsAllowedDomain"] = allowed_domains(lab)
            sections["CsAccessEdgeConfiguration"] = access_edge_configuration(lab)
            sections["CsPushNotificationConfiguration"] = push_configuration()
            sections["CsOAuthConfiguration"] = oauth_configuration(url)
            sections["ResolveDnsNameAutodiscover"] = autodiscover_resolution()
            sections["SmbShareAccess"] = replica_share(member["fqdn"])
            sections["CsPoolBackupRelationship"] = backup_relationships(lab)
            sections["CsServiceRegistrar"] = registrars(lab)
            sections["CsDatabaseCentralManagement"] = cms_database(pool["fqdn"])
            if pool.get("backup"):
                sections["CsBackupServiceStatus"] = backup_status(pool, pool["fqdn"] == cms_pool)
    for pool in lab.pools():
        if pool["role"] in ("director", "mediation"):
            for member in pool["members"]:
                lab.sections(member["fqdn"])["SmbShareAccess"] = replica_share(member["fqdn"])
    sections = lab.sections(master)
    sections["CsManagementStoreReplicationStatus"] = replication_status(lab)
    sections["CsCentralManagementStoreStatus"] = cms_status(lab)
    sections["ADPrincipalGroupMembership"] = computer_groups()
    for member in lab.members("owas"):
        owas_sections(lab, member["fqdn"])
