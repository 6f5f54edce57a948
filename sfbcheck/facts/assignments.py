"""Which certificate serves which use on a server, and who may read its private key.

* ``CsCertificate`` (``Get-CsCertificate``): Use and Thumbprint of every assigned certificate of a Lync / SfB
  server (Front End, Director, Mediation, Edge).
* ``OfficeWebAppsFarm`` (``Get-OfficeWebAppsFarm``): an Office Web Apps server has no Get-CsCertificate; its
  farm names its certificate by Friendly Name (``CertificateName``), which becomes the use ``OfficeWebApps``.
* ``PrivateKeyAccess`` on each LocalMachine\\My entry: the ACL of the private-key file as ``Get-Acl`` reports it
  (IdentityReference, FileSystemRights, AccessControlType).

The certificate of a use is always the My entry whose DER hashes to the assigned thumbprint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence
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

    def describe(self) -> str:
        return f"{self.source}: Use {self.use}, Thumbprint {self.thumbprint}"


def _thumb(value: Any) -> str:
    return "".join(str(value or "").split()).upper()


def parse_assignments(evidence: Evidence) -> dict[str, Assignment]:
    if evidence.has("CsCertificate"):
        out: dict[str, Assignment] = {}
        for record in evidence.records("CsCertificate"):
            use, thumbprint = record.get("Use"), _thumb(record.get("Thumbprint"))
            if not isinstance(use, str) or not use or not thumbprint:
                raise EvidenceGap(evidence.server, "CsCertificate",
                                  f"is malformed: an entry has no Use or Thumbprint: {record!r:.120}")
            out[use.casefold()] = Assignment(use, thumbprint, "CsCertificate", record)
        return out
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


@dataclass(frozen=True)
class AccessRule:
    identity: str
    rights: str
    allow: bool

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
        rules.append(AccessRule(str(identity), str(rights), str(kind) in ("Allow", "0")))
    return rules
