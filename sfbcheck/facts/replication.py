"""CMS replication facts, collected on the CMS master (Get-CsManagementStoreReplicationStatus, its
-CentralManagementStoreStatus view, the File Transfer Agent events) and on each internal server
(Get-SmbShareAccess -Name xds-replica, the computer account's AD groups)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sfbcheck.evidence import Evidence
from sfbcheck.facts.events import Event, recent
from sfbcheck.facts.fields import Reader, readers, single
from sfbcheck.facts.sources import is_wmi_shape

REPLICATION_STATUS = "CsManagementStoreReplicationStatus"
CMS_STATUS = "CsCentralManagementStoreStatus"
SHARE_ACCESS = "SmbShareAccess"
GROUPS = "ADPrincipalGroupMembership"
FTA = "LS File Transfer Agent Service"
FTA_EVENTS = frozenset({1015, 1017, 1034})


@dataclass(frozen=True)
class ReplicaStatus:
    fqdn: str
    up_to_date: bool
    last_status_report: datetime | None
    last_update_creation: datetime | None
    product_version: str

    def __str__(self) -> str:
        def when(t: datetime | None) -> str:
            return t.isoformat(timespec="seconds") if t else "(none)"

        return (f"ReplicaFqdn {self.fqdn}: UpToDate {self.up_to_date}, LastStatusReport "
                f"{when(self.last_status_report)}, LastUpdateCreation {when(self.last_update_creation)}, "
                f"ProductVersion {self.product_version or '(none)'}")


def parse_replicas(evidence: Evidence) -> dict[str, ReplicaStatus]:
    out = {}
    for r in readers(evidence, REPLICATION_STATUS):
        fqdn = r.text("ReplicaFqdn").rstrip(".").lower()
        out[fqdn] = ReplicaStatus(fqdn, r.boolean("UpToDate"), r.time("LastStatusReport"),
                                  r.time("LastUpdateCreation"), r.text("ProductVersion", required=False))
    return out


def replicas(evidence: Evidence) -> dict[str, ReplicaStatus]:
    """Get-CsManagementStoreReplicationStatus on the CMS master, by lower-case replica FQDN."""
    return evidence.parsed("replicas", parse_replicas)


@dataclass(frozen=True)
class CmsStatus:
    active_master: str
    file_transfer_agents: tuple[str, ...]
    active_replicas: tuple[str, ...]

    def __str__(self) -> str:
        return (f"ActiveMasterFqdn {self.active_master or '(empty)'}; ActiveFileTransferAgents "
                f"{', '.join(self.file_transfer_agents) or '(none)'}")


def parse_cms_status(evidence: Evidence) -> CmsStatus:
    r = single(evidence, CMS_STATUS)
    return CmsStatus(r.text("ActiveMasterFqdn", required=False).rstrip(".").lower(),
                     tuple(a.lower() for a in r.strings("ActiveFileTransferAgents")),
                     tuple(a.lower() for a in r.strings("ActiveReplicas")))


def cms_status(evidence: Evidence) -> CmsStatus:
    """Get-CsManagementStoreReplicationStatus -CentralManagementStoreStatus on the CMS master."""
    return evidence.parsed("cms-status", parse_cms_status)


# -- File Transfer Agent events (seed 001) -------------------------------------------------------------
@dataclass(frozen=True)
class TransferFailure:
    event: Event
    targets: tuple[str, ...]  # replica FQDNs or share paths quoted in the text
    detail: str  # the failure reason quoted in the text


_1017 = re.compile(r"Replica file transfer failures:\s*(.+?)(?:\r?\n|$)", re.I)
_1017_ITEM = re.compile(r"([A-Za-z0-9][\w.-]*\.[\w.-]+):\s*([^,;]+)")
_1015 = re.compile(r"Reason:\s*(.+?)(?:\r?\n\r?\n|\r?\nCause:|$)", re.I | re.S)
_1015_HOST = re.compile(r"host=([^,\s]+)", re.I)
_1034 = re.compile(r"(Access denied\.?)\s*\((\\\\[^)]+)\)", re.I)


def explain(event: Event) -> TransferFailure:
    text = event.message
    if event.id == 1017:
        found = _1017.search(text)
        items = _1017_ITEM.findall(found.group(1)) if found else []
        detail = "; ".join(f"{h}: {why.strip()}" for h, why in items) or (found.group(1) if found else "")
        return TransferFailure(event, tuple(h.lower() for h, _ in items), detail)
    if event.id == 1015:
        found = _1015.search(text)
        reason = " ".join(found.group(1).split()) if found else ""
        return TransferFailure(event, tuple(h.lower() for h in _1015_HOST.findall(reason)), reason)
    found = _1034.search(text)
    return TransferFailure(event, (found.group(2),) if found else (), found.group(1) if found else "")


def transfer_failures(evidence: Evidence, lookback_hours: int) -> list[TransferFailure]:
    """LS File Transfer Agent Service events 1015, 1017 and 1034 within the lookback window."""
    return [explain(e) for e in recent(evidence, FTA, FTA_EVENTS, lookback_hours)]


# -- xds-replica share and the replicator group (seed 001, scenario 3) -------------------------------------
@dataclass(frozen=True)
class ShareAccess:
    share: str
    account: str
    control: str  # Allow / Deny
    right: str  # Full / Change / Read / Custom

    def __str__(self) -> str:
        return f"{self.share}: {self.account} {self.control} {self.right}"


# Win32_ACE AccessMask of the three share permissions (Get-SmbShareAccess's AccessRight names).
_SHARE_RIGHTS = {2032127: "Full", 1245631: "Change", 1179817: "Read"}


def _wmi_share_access(r: Reader) -> ShareAccess:
    """Win32_LogicalShareSecuritySetting.GetSecurityDescriptor() ACE (2008 R2): Trustee, AccessMask, AceType."""
    mask, ace = r.record.get("AccessMask"), r.record.get("AceType")
    if not isinstance(mask, int) or isinstance(mask, bool) or ace not in (0, 1):
        raise r.gap("AccessMask is not a number or AceType is not 0 (allow) / 1 (deny)")
    domain, name = r.text("TrusteeDomain", required=False), r.text("TrusteeName", required=False)
    account = f"{domain}\\{name}" if domain else name or r.text("SIDString")
    return ShareAccess(r.text("Name"), account, "Deny" if ace == 1 else "Allow", _SHARE_RIGHTS.get(mask, "Custom"))


def parse_share_access(evidence: Evidence) -> tuple[ShareAccess, ...]:
    """Get-SmbShareAccess records (2012+) or the WMI ACEs of the share (2008 R2; sfbcheck.facts.sources)."""
    records = readers(evidence, SHARE_ACCESS)
    if is_wmi_shape(evidence, SHARE_ACCESS, [r.record for r in records], "AccessMask"):
        return tuple(_wmi_share_access(r) for r in records)
    return tuple(ShareAccess(r.text("Name"), r.text("AccountName"), r.text("AccessControlType"),
                             r.text("AccessRight")) for r in records)


def share_access(evidence: Evidence) -> tuple[ShareAccess, ...]:
    """Get-SmbShareAccess -Name xds-replica (ACL entries of the replica share)."""
    return evidence.parsed("share-access", parse_share_access)


@dataclass(frozen=True)
class Group:
    name: str
    sam_account_name: str
    sid: str

    def __str__(self) -> str:
        return f"{self.sam_account_name or self.name} ({self.sid})" if self.sid else self.sam_account_name or self.name


def parse_groups(evidence: Evidence) -> tuple[Group, ...]:
    return tuple(Group(r.text("Name"), r.text("SamAccountName", required=False), r.text("SID", required=False))
                 for r in readers(evidence, GROUPS))


def groups(evidence: Evidence) -> tuple[Group, ...]:
    """Get-ADPrincipalGroupMembership of this server's computer account."""
    return evidence.parsed("ad-groups", parse_groups)
