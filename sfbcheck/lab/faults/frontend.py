"""Front End side faults: CMS replication (seeds 000, 001), backup pool (004), hybrid, federation, OAuth and
Office Web Apps (003). Event texts are the seeds' own wording with the lab's names."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sfbcheck.lab.faults import fault
from sfbcheck.lab.model import Lab
from sfbcheck.lab.sections.events import event

FE1, FE3, FE4, FE5 = "fe01.contoso.local", "fe03.contoso.local", "fe04.contoso.local", "fe05.contoso.local"
EDGE1, EDGE2 = "edge01.contoso.local", "edge02.contoso.local"
POOL1, POOL2 = "pool01.contoso.local", "pool02.contoso.local"
SE1 = "se01.contoso.local"  # a Standard Edition server: pool-level results are about pool:se01.contoso.local
OWAS1 = "owas01.contoso.local"
FTA = "LS File Transfer Agent Service"


def _replica(lab: Lab, fqdn: str) -> dict[str, Any]:
    return next(r for r in lab.sections(FE1)["CsManagementStoreReplicationStatus"] if r["ReplicaFqdn"] == fqdn)


def _frontends(lab: Lab, pool: str | None = None) -> list[str]:
    return [m["fqdn"] for p in lab.pools("frontend") if pool in (None, p["fqdn"]) for m in p["members"]]


# -- CMS replication -------------------------------------------------------------------------------------
@fault("edge02-replica-not-replicating", "CMS-01", EDGE2,
       "seed 000: Get-CsManagementStoreReplicationStatus shows the Edge False, with no LastStatusReport or "
       "ProductVersion", also=(("CMS-02", EDGE2),))
def edge_not_replicating(lab: Lab) -> None:
    _replica(lab, EDGE2).update(UpToDate=False, LastStatusReport=None, ProductVersion=None)


@fault("edge01-replica-missing", "CMS-01", EDGE1,
       "the Edge is in the topology but not in the replication status at all (its configuration was never "
       "imported), so it has no status report either", also=(("CMS-02", EDGE1),))
def edge_replica_missing(lab: Lab) -> None:
    statuses = lab.sections(FE1)["CsManagementStoreReplicationStatus"]
    statuses[:] = [r for r in statuses if r["ReplicaFqdn"] != EDGE1]


@fault("edge01-replica-stale-report", "CMS-02", EDGE1,
       "the Edge last reported three days ago; UpToDate still shows True because nothing was published since")
def edge_stale_report(lab: Lab) -> None:
    _replica(lab, EDGE1).update(LastStatusReport=(lab.now - timedelta(days=3)).isoformat(),
                                LastUpdateCreation=(lab.now - timedelta(days=4)).isoformat())


@fault("cms-failed-over-to-pool02", "CMS-03", FE1,
       "seed 004: Invoke-CsManagementServerFailover moved the active master to the backup pool and it was never "
       "failed back")
def cms_failed_over(lab: Lab) -> None:
    lab.sections(FE1)["CsCentralManagementStoreStatus"].update(ActiveMasterFqdn=FE4, ActiveFileTransferAgents=[FE4])


FTA_1017 = """File transfer failed for some replica machines. Microsoft Lync Server, File Transfer Agent will \
continuously attempt to replicate to these machines.
While this condition persists, configuration changes will not be delivered to these replica machines.

Replica file transfer failures: {replica}: Https destination unavailable.

Cause: Possible issues with transferring files to the replicas listed above.

Resolution: Check the accessibility of file shares or https web services listed above."""

FTA_1015 = """File transfer failed. Microsoft Lync Server, File Transfer Agent will continuously attempt to \
transfer the files.

Reason: Unable to match host/cluster against certificate, host={replica}, cluster={replica}, CNn={replica}, \
OU=Certificates, OU=Server, O=Contoso Ltd.

Cause: Microsoft Lync Server, Replica Replicator Agent presented an invalid certificate.

Resolution: Ensure that the certificate configured for Microsoft Lync Server, Replica Replicator Agent is valid."""

FTA_1034 = """Microsoft Lync Server, File Transfer Agent service encountered an error while accessing a file share \
and will continuously attempt to access this file share until this issue is resolved. While this condition \
persists, replication to replica machines might not occur.

Access denied. (\\\\{replica}\\xds-replica\\from-master\\data.zip)

Cause: Possible issues with file share permissions. This can occur if the computer hosting the file share has \
outdated cached credentials for the computer that is trying to access the file share.

Resolution: For details about how to resolve file share permission issues, see the product documentation"""


def _fta_event(lab: Lab, event_id: int, text: str) -> None:
    lab.sections(FE1)["WinEvent"].append(event(lab, FE1, FTA, event_id, text, hours_ago=5))


@fault("fta-1017-edge01-https-unavailable", "CMS-05", FE1,
       "seed 001 scenario 1: event 1017, TCP 4443 to the Edge internal interface unreachable (routing/firewall)")
def fta_1017(lab: Lab) -> None:
    _fta_event(lab, 1017, FTA_1017.format(replica=EDGE1))


@fault("fta-1015-edge02-certificate-mismatch", "CMS-05", FE1,
       "seed 001 scenario 2: event 1015, the Edge's Replica Replicator Agent presented a certificate that does "
       "not match its host/cluster")
def fta_1015(lab: Lab) -> None:
    _fta_event(lab, 1015, FTA_1015.format(replica=EDGE2))


@fault("fta-1034-fe04-share-access-denied", "CMS-05", FE1,
       "seed 001 scenario 3: event 1034, access denied on fe04's xds-replica share (stale cached credentials)")
def fta_1034(lab: Lab) -> None:
    _fta_event(lab, 1034, FTA_1034.format(replica=FE4))


@fault("fe04-xds-replica-share-without-replicator", "CMS-06", FE4,
       "seed 001 scenario 3: the xds-replica share ACL lost its RTC Local Config Replicator entry")
def share_without_replicator(lab: Lab) -> None:
    acl = lab.sections(FE4)["SmbShareAccess"]
    acl[:] = [e for e in acl if "RTC Local Config Replicator" not in e["AccountName"]]


@fault("fe01-not-in-config-replicator-group", "CMS-06", FE1,
       "seed 001 scenario 3: the CMS Front End's computer account is not a member of RTCUniversalConfigReplicator")
def not_in_replicator_group(lab: Lab) -> None:
    groups = lab.sections(FE1)["ADPrincipalGroupMembership"]
    groups[:] = [g for g in groups if g["Name"] != "RTCUniversalConfigReplicator"]


# -- backup pool -------------------------------------------------------------------------------------------
@fault("pool02-backup-association-removed", "BACKUP-01", POOL2,
       "seed 004: the associated backup pool was removed from pool02 only; pool01's pairing is no longer mutual",
       also=(("BACKUP-01", POOL1),))
def backup_association_removed(lab: Lab) -> None:
    for fe in _frontends(lab):
        for rel in lab.sections(fe)["CsPoolBackupRelationship"]:
            if rel["PoolFqdn"] == POOL2:
                rel["BackupPoolFqdn"] = ""


@fault("se01-backup-pool-never-associated", "BACKUP-01", f"pool:{SE1}",
       "seed 004: the Standard Edition server was published without its associated backup pool (Topology Builder "
       "→ Resiliency left unchecked), so Get-CsPoolBackupRelationship gives se01 no backup")
def standard_edition_without_backup(lab: Lab) -> None:
    for fe in _frontends(lab):
        for rel in lab.sections(fe)["CsPoolBackupRelationship"]:
            if rel["PoolFqdn"] == SE1:
                rel["BackupPoolFqdn"] = ""


@fault("pool02-backup-service-error", "BACKUP-03", POOL2,
       "seed 004: conference data of pool02 no longer reaches its backup pool (DataConf export in ErrorState)")
def backup_service_error(lab: Lab) -> None:
    for fe in _frontends(lab, POOL2):
        status = lab.sections(fe)["CsBackupServiceStatus"]
        status["OverallExportStatus"] = "ErrorState"
        for module in status["BackupModules"]:
            if module["Identity"] == "ConfServices.DataConf":
                module["ExportStatus"] = "ErrorState"


@fault("pool02-no-standby-cms-database", "BACKUP-04", POOL2,
       "seed 004: Step 2 on the backup pool failed with 'Can not update database XDS': no standby CMS database")
def no_standby_cms(lab: Lab) -> None:
    for fe in _frontends(lab, POOL2):
        for test in lab.sections(fe)["CsDatabaseCentralManagement"]:
            test.update(InstalledVersion="", Succeed=False)


@fault("pool01-lab-failover-30s", "BACKUP-05", POOL1,
       "seed 004: failover and failback detection set to the lab's 30 seconds in production")
def lab_failover_intervals(lab: Lab) -> None:
    for fe in _frontends(lab):
        for registrar in lab.sections(fe)["CsServiceRegistrar"]:
            if registrar["PoolFqdn"] == POOL1:
                registrar.update(FailureDetectionInterval="00:00:30", FailbackDetectionInterval="00:00:30")


# -- hybrid, federation, OAuth, Office Web Apps (seed 003) ---------------------------------------------------
@fault("fabrikam-online-domain-not-on-premises", "HYB-01", FE1,
       "seed 003: fabrikam.com was added to Office 365 only, not as a SIP domain of the on-premises topology")
def online_domain_missing(lab: Lab) -> None:
    for fe in _frontends(lab):
        domains = lab.sections(fe)["CsSipDomain"]
        domains[:] = [d for d in domains if d["Name"] != "fabrikam.com"]


@fault("o365-provider-no-shared-address-space", "HYB-02", FE1,
       "seed 003: the sipfed.online.lync.com provider was created for Lync Mobility push only "
       "(EnableSharedAddressSpace False, HostsOCSUsers False) although fabrikam.com is homed online")
def provider_not_shared(lab: Lab) -> None:
    for fe in _frontends(lab):
        for provider in lab.sections(fe)["CsHostingProvider"]:
            provider.update(EnabledSharedAddressSpace=False, HostsOCSUsers=False)


@fault("push-lync-com-not-allowed", "FED-02", FE1,
       "seed 003: push.lync.com is missing from Allowed Domains while contoso.com uses mobile push")
def push_not_allowed(lab: Lab) -> None:
    for fe in _frontends(lab):
        domains = lab.sections(fe)["CsAllowedDomain"]
        domains[:] = [d for d in domains if d["Domain"] != "push.lync.com"]


@fault("oauth-https-to-vanity-cname", "OAUTH-01", FE1,
       "seed 003: ExchangeAutodiscoverUrl is https to autodiscover.contoso.com, a CNAME to Office 365 (refused)")
def oauth_https_vanity(lab: Lab) -> None:
    for fe in _frontends(lab):
        lab.sections(fe)["CsOAuthConfiguration"]["ExchangeAutodiscoverUrl"] = \
            "https://autodiscover.contoso.com/autodiscover/autodiscover.svc"


STORAGE_32054 = """Storage Service had an EWS Autodiscovery failure.

StoreWebException: code=ErrorEwsAutodiscover, reason=GetUserSettings failed,, Autodiscover \
Uri=https://autodiscover.contoso.com/autodiscover/autodiscover.svc, Autodiscover WebProxy=<NULL>, \
WebExceptionStatus=ConnectFailure ---> System.Net.WebException: Unable to connect to the remote server ---> \
System.Net.Sockets.SocketException: No connection could be made because the target machine actively refused it

Cause: Autodiscovery Uri was not correctly configured or unreachable, that there is a problem with the Proxy, or \
other errors."""


@fault("fe03-storage-service-32054", "OAUTH-02", FE3,
       "seed 003: LS Storage Service logged event 32054 (EWS autodiscovery failure, connection refused)")
def storage_32054(lab: Lab) -> None:
    lab.sections(FE3)["WinEvent"].append(event(lab, FE3, "LS Storage Service", 32054, STORAGE_32054, hours_ago=20))


@fault("owas01-installed-on-d-drive", "OWAS-01", OWAS1,
       "seed 003: Office Web Apps Server installed on D:\\ (unsupported: PowerPoint presentations fail)")
def owas_on_d(lab: Lab) -> None:
    for product in lab.sections(OWAS1)["Win32_Product"]:
        product["InstallLocation"] = "D:\\Program Files\\Microsoft Office Web Apps\\"
