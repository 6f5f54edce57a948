"""Which certificate serves which use on a server, and who may read its private key.

* ``CsCertificate`` (``Get-CsCertificate``): Use and Thumbprint of every assigned certificate of a Lync / SfB
  server (Front End, Director, Mediation, Edge).
* ``OfficeWebAppsFarm`` (``Get-OfficeWebAppsFarm``): an Office Web Apps server has no Get-CsCertificate; its
  farm names its certificate by Friendly Name (``CertificateName``), which becomes the use ``OfficeWebApps``.
* ``PrivateKeyAccess`` on each LocalMachine\\My entry: the ACL of the private-key file as ``Get-Acl`` reports it
  (IdentityReference, FileSystemRights, AccessControlType).

The certificate of a use is always the My entry whose DER hashes to the assigned thumbprint.

Rollover (``Set-CsCertificate -Type <use> -Thumbprint <new> -Roll -EffectiveDate <date>``): Get-CsCertificate
then lists two entries for the use, the new one with its ``EffectiveDate`` (and ``PreviousThumbprint``, the
certificate it replaces). The one in effect at the evidence's CollectedAt is the assignment every check judges;
the ones whose EffectiveDate is later are *pending* (:func:`pending_assignments`) and are reported separately
(CERT-02, CERT-04, CERT-05). Output shape of a rolled entry: unverified (no public sample found).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence, parse_time
from sfbcheck.facts.certificates import StoredCert, stores
from sfbcheck.inventory import Role

OAUTH_USE = "OAuthTokenIssuer"
OWAS_USE = "OfficeWebApps"
EDGE_EXTERNAL_USES = ("AccessEdgeExternal", "DataEdgeExternal", "AudioVideoAuthentication")

# Uses every server of a role must have assigned (CERT-01); OAuthTokenIssuer is global and owned by CERT-10.
REQUIRED_USES: dict[Role, tuple[str, ...]] = {
    Role.frontend: ("Default", "WebServicesInternal", "WebServicesExternal"),
    Role.director: ("Default", "WebServicesInternal", "WebServicesExternal"),
    Role.mediation: ("Default",),
    Role.edge: ("Internal", *EDGE_EXTERNAL_USES),
    Role.owas: (OWAS_USE,),
}
# Uses a server of a role may have; when one is not assigned, CERT-01 leaves it to its own requirement (CERT-10).
OPTIONAL_USES: dict[Role, tuple[str, ...]] = {Role.frontend: (OAUTH_USE,), Role.director: (OAUTH_USE,)}
# Uses whose certificate must carry the pool / server names (CERT-04); Edge external names are CERT-07's.
NAMED_USES: dict[Role, tuple[str, ...]] = {
    Role.frontend: ("Default", "WebServicesInternal"),
    Role.director: ("Default", "WebServicesInternal"),
    Role.mediation: ("Default",),
    Role.edge: ("Internal",),
    Role.owas: (OWAS_USE,),
}


@dataclass(frozen=True)
class Assignment:
    use: str
    thumbprint: str          # upper case, no spaces
    source: str              # the evidence section it comes from
    record: dict[str, Any]
    effective: datetime | None = None  # EffectiveDate of a rolled assignment (None: in effect since assigned)

    @property
    def previous_thumbprint(self) -> str:
        return _thumb(self.record.get("PreviousThumbprint"))

    def describe(self) -> str:
        when = f", EffectiveDate {self.effective:%Y-%m-%d %H:%M} UTC" if self.effective else ""
        before = f", PreviousThumbprint {self.previous_thumbprint}" if self.previous_thumbprint else ""
        return f"{self.source}: Use {self.use}, Thumbprint {self.thumbprint}{when}{before}"


def _thumb(value: Any) -> str:
    return "".join(str(value or "").split()).upper()


def _in_effect(evidence: Evidence, entries: list[Assignment]) -> tuple[Assignment | None, list[Assignment]]:
    """(the entry in effect at CollectedAt, the pending ones) among a use's Get-CsCertificate entries."""
    if len(entries) == 1 and entries[0].effective is None:
        return entries[0], []
    at = evidence.collected_at
    if at is None:
        raise EvidenceGap(evidence.server, "CollectedAt", "is missing: the use "
                          f"{entries[0].use} has a certificate rollover, and which one is in effect depends on it")
    started = [e for e in entries if e.effective is None or e.effective <= at]
    if sum(e.effective is None for e in started) > 1:
        raise EvidenceGap(evidence.server, "CsCertificate", f"lists {len(entries)} certificates for the use "
                          f"{entries[0].use} and no EffectiveDate tells which is in effect: "
                          + ", ".join(e.thumbprint for e in entries))
    current = max(started, key=lambda e: e.effective or datetime.min.replace(tzinfo=at.tzinfo), default=None)
    return current, [e for e in entries if e.effective is not None and e.effective > at]


def _parse_cs_certificate(evidence: Evidence) -> tuple[dict[str, Assignment], list[Assignment]]:
    by_use: dict[str, list[Assignment]] = defaultdict(list)
    for record in evidence.records("CsCertificate"):
        use, thumbprint = record.get("Use"), _thumb(record.get("Thumbprint"))
        if not isinstance(use, str) or not use or not thumbprint:
            raise EvidenceGap(evidence.server, "CsCertificate",
                              f"is malformed: an entry has no Use or Thumbprint: {record!r:.120}")
        raw_date = record.get("EffectiveDate")
        effective = parse_time(raw_date)
        if raw_date not in (None, "") and effective is None:
            raise EvidenceGap(evidence.server, "CsCertificate", f"has an EffectiveDate that is not a date for the "
                                                                f"use {use}: {raw_date!r:.60}")
        by_use[use.casefold()].append(Assignment(use, thumbprint, "CsCertificate", record, effective))
    current: dict[str, Assignment] = {}
    pending: list[Assignment] = []
    for key, entries in by_use.items():
        now, later = _in_effect(evidence, entries)
        if now is not None:
            current[key] = now
        pending += later
    return current, pending


def cs_certificates(evidence: Evidence) -> tuple[dict[str, Assignment], list[Assignment]]:
    """Get-CsCertificate: (the assignment in effect per case-folded use, the pending rollovers), parsed once."""
    return evidence.parsed("cs-certificate-rollover", _parse_cs_certificate)


def pending_assignments(evidence: Evidence) -> list[Assignment]:
    """Rolled assignments whose EffectiveDate is after CollectedAt (``Set-CsCertificate -Roll``)."""
    if not evidence.has("CsCertificate"):
        return []
    return cs_certificates(evidence)[1]


def parse_assignments(evidence: Evidence) -> dict[str, Assignment]:
    if evidence.has("CsCertificate"):
        return cs_certificates(evidence)[0]
    if evidence.has("OfficeWebAppsFarm"):
        farm = evidence.section("OfficeWebAppsFarm", dict)
        name = farm.get("CertificateName")
        if not isinstance(name, str) or not name:
            raise EvidenceGap(evidence.server, "OfficeWebAppsFarm", "has no CertificateName")
        named = [c for c in stores(evidence)["My"] if c.friendly_name.casefold() == name.casefold()]
        if not named:  # the farm names a certificate that is not there: an assignment to nothing
            return {OWAS_USE.casefold(): Assignment(OWAS_USE, "", "OfficeWebAppsFarm", farm)}
        return {OWAS_USE.casefold(): Assignment(OWAS_USE, named[0].thumbprint, "OfficeWebAppsFarm", farm)}
    raise EvidenceGap(evidence.server, "CsCertificate",
                      "is missing (and there is no OfficeWebAppsFarm section for an Office Web Apps server)")


def assignments(evidence: Evidence) -> dict[str, Assignment]:
    """The server's certificate assignments by case-folded use, parsed once per run."""
    return evidence.parsed("certificate-assignments", parse_assignments)


def assignment(evidence: Evidence, use: str) -> Assignment | None:
    return assignments(evidence).get(use.casefold())


def in_personal_store(evidence: Evidence, thumbprint: str) -> StoredCert | None:
    """The LocalMachine\\My entry whose DER has this SHA-1 thumbprint; EvidenceGap if that entry is unreadable."""
    if not thumbprint:
        return None
    for entry in stores(evidence)["My"]:
        if entry.cert is not None and entry.thumbprint == thumbprint:
            return entry
    for entry in stores(evidence)["My"]:
        if entry.cert is None and _thumb(entry.record.get("Thumbprint")) == thumbprint:
            raise EvidenceGap(evidence.server, "CertificateStores.My",
                              f"has the entry {thumbprint} but its certificate cannot be read: {entry.error}")
    return None


def certificate_uses(role: Role) -> tuple[str, ...]:
    """The uses judged on a server of ``role``: those it requires, then those it may have (OAuthTokenIssuer).
    Chosen from the role, not the evidence, so test ids are stable and collection reads no evidence."""
    return REQUIRED_USES.get(role, ()) + OPTIONAL_USES.get(role, ())


# -- private-key ACL --------------------------------------------------------------------------
READ_NAMES = {"read", "readdata", "readandexecute", "modify", "fullcontrol", "genericread", "genericall"}
READ_BITS = 0x1 | 0x80000000 | 0x10000000  # ReadData, GENERIC_READ, GENERIC_ALL


# Well-known SIDs (Microsoft "Well-known SIDs"): the same on every Windows whatever its language, unlike the
# account names (NT AUTHORITY\\NETWORK SERVICE is NT-AUTORITÄT\\NETZWERKDIENST on a German server).
NETWORK_SERVICE_SID = "S-1-5-20"
LOCAL_SYSTEM_SID = "S-1-5-18"
BROAD_SIDS = {"S-1-1-0": "Everyone", "S-1-5-11": "Authenticated Users", "S-1-5-32-545": "Users"}


@dataclass(frozen=True)
class AccessRule:
    identity: str
    rights: str
    allow: bool
    sid: str = ""   # the IdentityReference translated to a SecurityIdentifier by the collector ('' if it could not)

    @property
    def grants_read(self) -> bool:
        return grants_read(self.rights)

    @property
    def account(self) -> str:
        """The account without its domain or machine prefix, case-folded (``NETWORK SERVICE``)."""
        return self.identity.rpartition("\\")[2].casefold()

    def __str__(self) -> str:
        return f"{self.identity}: {'Allow' if self.allow else 'Deny'} {self.rights}"


def grants_read(rights: str) -> bool:
    """Whether FileSystemRights (names such as 'Read, Synchronize' or a number such as -1610612736) include read."""
    text = str(rights).strip()
    try:
        value = int(text, 0)
    except ValueError:
        return any(part.strip().replace(" ", "").casefold() in READ_NAMES for part in text.split(","))
    return bool((value & 0xFFFFFFFF) & READ_BITS)


def private_key_access(evidence: Evidence, entry: StoredCert) -> list[AccessRule] | None:
    """The private-key ACL of a My entry; None if the collector did not report it."""
    raw = entry.record.get("PrivateKeyAccess")
    if raw is None:
        return None
    raw = [raw] if isinstance(raw, dict) else raw
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise EvidenceGap(evidence.server, "CertificateStores.My.PrivateKeyAccess",
                          f"is malformed for {entry.thumbprint}: expected a list of access rules")
    rules = []
    for r in raw:
        identity, rights, kind = r.get("IdentityReference"), r.get("FileSystemRights"), r.get("AccessControlType")
        if not identity or rights in (None, "") or str(kind) not in ("Allow", "Deny", "0", "1"):
            raise EvidenceGap(evidence.server, "CertificateStores.My.PrivateKeyAccess",
                              f"is malformed for {entry.thumbprint}: {r!r:.120}")
        sid = r.get("Sid")
        rules.append(AccessRule(str(identity), str(rights), str(kind) in ("Allow", "0"),
                                sid.strip().upper() if isinstance(sid, str) else ""))
    return rules


RTC_GROUPS = ("rtc server local group", "rtc component local group")


def rtc_group_sids(evidence: Evidence) -> set[str] | None:
    """CERT-09: the SIDs of this machine's RTC Server / RTC Component Local Group (``LocalGroup``: Win32_Group,
    local accounts named RTC*); None when the evidence has no such section (an older collector)."""
    if not evidence.has("LocalGroup"):
        return None
    sids = set()
    for record in evidence.records("LocalGroup"):
        name, sid = record.get("Name"), record.get("SID")
        if not isinstance(name, str) or not isinstance(sid, str) or not sid.upper().startswith("S-1-"):
            raise EvidenceGap(evidence.server, "LocalGroup", f"is malformed: {record!r:.120}")
        if name.strip().casefold() in RTC_GROUPS:
            sids.add(sid.strip().upper())
    return sids


def private_key_file(evidence: Evidence, entry: StoredCert) -> str | None:
    """CERT-03: the private-key file the collector found for a My entry (CAPI ``Crypto\\RSA\\MachineKeys``, CNG
    ``Crypto\\Keys``, or ``Crypto\\SystemKeys``), or None when it found none. EvidenceGap when the collector did
    not report it (an older collector): HasPrivateKey alone does not prove the key file exists."""
    if "PrivateKeyFile" not in entry.record:
        raise EvidenceGap(evidence.server, "CertificateStores.My.PrivateKeyFile",
                          f"is missing for {entry.thumbprint}: HasPrivateKey alone does not show the key file exists "
                          "(re-collect with the current collector)")
    value = entry.record.get("PrivateKeyFile")
    if value is not None and not isinstance(value, str):
        raise EvidenceGap(evidence.server, "CertificateStores.My.PrivateKeyFile",
                          f"is malformed for {entry.thumbprint}: {value!r:.80}")
    return value or None
