"""CMS replication, judged from the CMS master's evidence (and each internal server's xds-replica share).

Sources: seed 000 (Edge replication troubleshooter: Get-CsManagementStoreReplicationStatus shows the Edge
False with no LastStatusReport or ProductVersion; try routing, firewall, DNS suffix, DNS/hosts, SCHANNEL,
certificates, in that order), seed 001 (CMS replication failures: events 1017, 1015, 1034; TCP 4443 to
the Edge, same PKI, xds-replica share ACL, RTCUniversalConfigReplicator), seed 004 (the active master).
"""

from __future__ import annotations

from datetime import timedelta

from sfbcheck.errors import EvidenceGap
from sfbcheck.facts.fields import same_name
from sfbcheck.facts.replication import (
    ReplicaStatus,
    TransferFailure,
    cms_status,
    groups,
    replicas,
    share_access,
    transfer_failures,
)
from sfbcheck.host import Host
from sfbcheck.inventory import Role
from sfbcheck.problems import Problem
from sfbcheck.targets import Replica

EDGE_CAUSES = (
    "Likely causes for an Edge replica, most common first (seed 000):",
    "1. routing: persistent routes to the LAN via the internal DMZ gateway, no internal default gateway "
    "(EDGE-NIC-01, EDGE-ROUTE-01, EDGE-ROUTE-02)",
    "2. firewall: TCP 4443 (and 443) from the CMS Front End to the Edge internal interface (EDGE-FW-01, EDGE-FW-03)",
    "3. DNS suffix: the Edge's primary DNS suffix is the domain of its topology FQDN (EDGE-DNS-02)",
    "4. DNS / hosts file: the Edge resolves the Front Ends and pools, they resolve the Edge "
    "(EDGE-DNS-03, EDGE-DNS-04, EDGE-HOSTS-01)",
    "5. SCHANNEL: ClientAuthTrustMode 2 and SendTrustedIssuerList 0, then a reboot (SCHANNEL-01, SCHANNEL-02)",
    "6. certificates: the internal certificate, its chain and the certificate stores (CERT-*, STORE-*)",
)
INTERNAL_CAUSES = (
    "Likely causes for an internal replica (seed 001):",
    "1. the Replica Replicator Agent (REPLICA) is stopped (CMS-04)",
    "2. SMB (TCP 445) from the CMS Front End is blocked (CMS-07)",
    "3. the xds-replica share ACL or the RTCUniversalConfigReplicator membership (CMS-06)",
    "4. certificates of the replica (CERT-*, STORE-*)",
)


def _causes(replica: Replica) -> str:
    return "\n".join(EDGE_CAUSES if replica.role is Role.edge else INTERNAL_CAUSES)


def _retry(fqdn: str) -> str:
    return (f"then: Invoke-CsManagementStoreReplication -ReplicaFqdn {fqdn}\n"
            f"      Get-CsManagementStoreReplicationStatus -ReplicaFqdn {fqdn}")


def _related_events(replica: Replica) -> list[str]:
    """File Transfer Agent events on the CMS master that name this replica (quoted as extra evidence)."""
    try:
        failures = transfer_failures(replica.cms.evidence, replica.cms.inventory.policy.event_lookback_hours)
    except EvidenceGap:  # the events are only a hint here; CMS-05 judges them
        return []
    return [str(f.event) for f in failures
            if any(replica.fqdn in t.lower() for t in f.targets) or replica.fqdn in f.event.message.lower()]


def _status(replica: Replica) -> ReplicaStatus | None:
    return replicas(replica.cms.evidence).get(replica.fqdn)


def _missing(replica: Replica) -> Problem:
    """The replica is not listed; the evidence names those that are (sorted only here: once per replica it would
    cost the deployment's size for every replica)."""
    listed = ", ".join(sorted(replicas(replica.cms.evidence))) or "(no replica at all)"
    return Problem(
        f"{replica.fqdn} is not in Get-CsManagementStoreReplicationStatus on the CMS master {replica.cms.fqdn}: "
        "the topology server is not a replica (topology not published, or its replica agent never registered)",
        fix=(f"Publish the topology, run Step 2 'Setup or Remove Skype for Business Server Components' of the "
             f"Deployment Wizard on {replica.fqdn} (or import the configuration with Export-CsConfiguration / "
             f"Import-CsConfiguration -LocalStore on an Edge),\n{_retry(replica.fqdn)}"),
        evidence=f"replicas reported: {listed}")


def replica_up_to_date(replica: Replica) -> list[Problem]:
    """CMS-01: the replica is listed by Get-CsManagementStoreReplicationStatus with UpToDate True (000, 001)."""
    status = _status(replica)
    if status is None:
        return [_missing(replica)]
    if status.up_to_date:
        return []
    shown = "\n".join([str(status), *_related_events(replica)])
    return [Problem(f"replica {replica.fqdn} is not up to date (UpToDate False)",
                    fix=f"{_causes(replica)}\n{_retry(replica.fqdn)}", evidence=shown)]


def replica_reported_recently(replica: Replica) -> list[Problem]:
    """CMS-02: the replica has a LastStatusReport within policy.replication_max_age_hours of CollectedAt,
    and a ProductVersion (000)."""
    status = _status(replica)
    if status is None:
        return [_missing(replica)]
    limit = replica.cms.inventory.policy.replication_max_age_hours
    collected = replica.cms.evidence.judged_at()  # no CollectedAt: cannot judge the age, never a pass
    problems = []
    if status.last_status_report is None:
        problems.append(Problem(f"replica {replica.fqdn} has never reported its status (no LastStatusReport)",
                                fix=f"{_causes(replica)}\n{_retry(replica.fqdn)}", evidence=str(status)))
    elif collected - status.last_status_report > timedelta(hours=limit):
        age = collected - status.last_status_report
        problems.append(Problem(
            f"replica {replica.fqdn} last reported {age.days} d {age.seconds // 3600} h before the evidence was "
            f"collected; the policy allows {limit} h",
            fix=f"{_causes(replica)}\n{_retry(replica.fqdn)}",
            evidence=f"{status}\nCollectedAt {collected.isoformat()}"))
    if not status.product_version and status.last_status_report is not None:
        problems.append(Problem(f"replica {replica.fqdn} reports no ProductVersion",
                                fix=f"Check the Replica Replicator Agent on {replica.fqdn} (CMS-04).\n"
                                    f"{_retry(replica.fqdn)}", evidence=str(status)))
    return problems


def active_master(cms: Host) -> list[Problem]:
    """CMS-03: ActiveMasterFqdn (-CentralManagementStoreStatus) is the inventory's CMS pool (001, 004)."""
    status = cms_status(cms.evidence)
    pool = cms.inventory.pool(cms.inventory.cms.pool)
    members = {m.fqdn for m in pool.members} | {pool.fqdn}
    if status.active_master in members:
        return []
    if not status.active_master:
        return [Problem("the CMS has no active master (ActiveMasterFqdn is empty): the Central Management "
                        "Server is unavailable",
                        fix=(f"Bring the CMS pool {pool.fqdn} back, or fail the CMS over to its backup pool: "
                             f"Invoke-CsManagementServerFailover -BackupSqlServerFqdn <backup pool SQL> "
                             f"-BackupSqlInstanceName RTC -Force"), evidence=str(status))]
    elsewhere = cms.inventory.pool_of(status.active_master).fqdn if _known(cms, status.active_master) else "?"
    return [Problem(f"the active CMS master is {status.active_master} (pool {elsewhere}), not the inventory's CMS "
                    f"pool {pool.fqdn}: the CMS is failed over, or the inventory is out of date",
                    fix=(f"Fail the CMS back once {pool.fqdn} is healthy: Invoke-CsManagementServerFailover "
                         f"-BackupSqlServerFqdn <{pool.fqdn} SQL back end> -BackupSqlInstanceName RTC -Force\n"
                         f"or, if the move is permanent, set cms.pool in the inventory to {elsewhere}."),
                    evidence=str(status))]


def _known(cms: Host, fqdn: str) -> bool:
    try:
        cms.inventory.pool_of(fqdn)
    except KeyError:
        return False
    return True


EVENT_CAUSES = {
    1017: ("File Transfer Agent could not reach the replica over HTTPS (\"Https destination unavailable\"): "
           "routing or a firewall between the CMS Front End and TCP 4443 of the Edge internal interface",
           "Check routing (EDGE-ROUTE-01) and the firewall (EDGE-FW-01): Test-NetConnection {target} -Port 4443 "
           "from the CMS Front End; make sure the Replica Replicator Agent runs on {target} (CMS-04)."),
    1015: ("the replica presented a certificate that does not match its host/cluster name: the Edge internal "
           "certificate is wrong, or something intercepts TCP 4443",
           "Assign an internal certificate whose subject/SAN names {target}, issued by the same PKI as the Front "
           "Ends (CERT-04, CERT-06), with its private key (CERT-03); check nothing intercepts 4443 (EDGE-FW-03)."),
    1034: ("access denied on the replica's xds-replica share: the share ACL, or stale cached credentials of the "
           "CMS Front End's computer account",
           "On the server of {target}: grant 'RTC Local Config Replicator' Change on the xds-replica share, and make "
           "the CMS Front End's computer account a member of RTCUniversalConfigReplicator (CMS-06); restart the "
           "File Transfer Agent (FTA) service on the CMS Front End."),
}


def _explained(failure: TransferFailure) -> Problem:
    cause, fix = EVENT_CAUSES[failure.event.id]
    target = ", ".join(failure.targets) or "(no replica named in the event text)"
    return Problem(f"event {failure.event.id} at {failure.event.time.isoformat(timespec='seconds')} names "
                   f"{target}: {cause}" + (f" ({failure.detail})" if failure.detail else ""),
                   fix=fix.format(target=target) + "\nThen: Invoke-CsManagementStoreReplication",
                   evidence=failure.event.message.strip())


def file_transfer_events(cms: Host) -> list[Problem]:
    """CMS-05: no LS File Transfer Agent Service event 1017, 1015 or 1034 in the lookback window; each found
    is explained by its documented cause and names the replica or share quoted in it (001)."""
    return [_explained(f) for f in transfer_failures(cms.evidence, cms.inventory.policy.event_lookback_hours)]


LOCAL_REPLICATOR = "rtc local config replicator"
UNIVERSAL_REPLICATOR = "rtcuniversalconfigreplicator"
GRANTING_RIGHTS = {"full", "change"}
EVERYONE = {"everyone", "s-1-1-0"}


def _account(name: str) -> str:
    return name.rpartition("\\")[2].strip().casefold()


def replica_share_and_group(server: Host) -> list[Problem]:
    """CMS-06: the xds-replica share grants RTC Local Config Replicator Change or Full, denies it nothing; on
    the CMS Front End, its computer account is a member of RTCUniversalConfigReplicator (001, scenario 3)."""
    entries = [e for e in share_access(server.evidence) if same_name(e.share, "xds-replica")]
    shown = "\n".join(str(e) for e in entries) or "(no ACL entry for the xds-replica share)"
    grant = (f"Grant-SmbShareAccess -Name xds-replica -AccountName '{server.fqdn.split('.')[0].upper()}\\RTC Local "
             "Config Replicator' -AccessRight Change -Force")
    problems = []
    replicator = [e for e in entries if _account(e.account) == LOCAL_REPLICATOR]
    denied = [e for e in entries if e.control.casefold() == "deny" and _account(e.account) in {LOCAL_REPLICATOR,
                                                                                                *EVERYONE}]
    if not entries:
        problems.append(Problem("the xds-replica share is missing (no ACL entries)",
                                fix=f"Re-run Step 2 of the Deployment Wizard on {server.fqdn} (it creates "
                                    f"<drive>:\\RTCReplicaRoot\\xds-replica), then:\n{grant}", evidence=shown))
    elif denied:
        problems.append(Problem(f"the xds-replica share denies {', '.join(e.account for e in denied)}: the File "
                                "Transfer Agent gets 'Access denied' (event 1034)",
                                fix="\n".join([*(f"Revoke-SmbShareAccess -Name xds-replica -AccountName "
                                                 f"'{e.account}' -Force" for e in denied), grant]),
                                evidence=shown))
    elif not any(e.control.casefold() == "allow" and e.right.casefold() in GRANTING_RIGHTS for e in replicator):
        problems.append(Problem("the xds-replica share does not grant RTC Local Config Replicator Change or Full "
                                "control: the File Transfer Agent gets 'Access denied' (event 1034)",
                                fix=grant, evidence=shown))
    if server.fqdn == server.inventory.cms_master.fqdn:
        member_of = groups(server.evidence)
        names = {g.sam_account_name.casefold() for g in member_of} | {g.name.casefold() for g in member_of}
        if UNIVERSAL_REPLICATOR not in names:
            host = server.fqdn.split(".")[0].upper()
            problems.append(Problem(
                f"the CMS Front End's computer account {host}$ is not a member of RTCUniversalConfigReplicator",
                fix=(f"Add-ADGroupMember -Identity RTCUniversalConfigReplicator -Members (Get-ADComputer {host})\n"
                     f"then restart {server.fqdn} (or klist -li 0x3e7 purge) so its ticket carries the group."),
                evidence="groups of the computer account: " + (", ".join(str(g) for g in member_of) or "(none)")))
    return problems
