"""Certificate-store hygiene: the six checks of seed 000 (STORE-01 … STORE-06), decided from DER.

Source: seed 000 (Edge replication troubleshooter), checks #1 to #6; KB2464556 and KB2880390 for the
trusted-issuer list limit. Windows Server 2012 R2 and later refuse or truncate the list of trusted
issuers SCHANNEL sends when Root holds non-root certificates or too many of them.
"""

from __future__ import annotations

from collections import defaultdict

from sfbcheck.evidence import Evidence
from sfbcheck.facts.certificates import StoredCert, stores
from sfbcheck.problems import Problem

ROOT_AGENCY_THUMBPRINT = "FEE449EE0E3965A5246F000E87FDE2A065FD89D4"
MAX_ROOTS = 100
MAX_ISSUER_LIST_BYTES = 16 * 1024


def _unreadable(entries: list[StoredCert]) -> list[Problem]:
    return [Problem(f"LocalMachine\\{c.store} entry {c.thumbprint or '?'} cannot be judged: {c.error}",
                    fix="Re-collect the evidence; if it persists, export the certificate and inspect it.",
                    evidence=f"Subject {c.record.get('Subject', '?')}") for c in entries if c.error]


def _move(c: StoredCert, to: str) -> str:
    return f"Move-Item -Path Cert:\\LocalMachine\\{c.store}\\{c.thumbprint} -Destination Cert:\\LocalMachine\\{to}"


def root_only_self_signed(evidence: Evidence) -> list[Problem]:
    """STORE-01: LocalMachine\\Root holds only self-signed certificates (signature checked, not names)."""
    root = stores(evidence)["Root"]
    problems = _unreadable(root)
    for c in root:
        if c.cert is None or c.self_signed:
            continue
        target, label = ("CA", "Intermediate Certification Authorities") if c.is_ca else ("My", "Personal")
        problems.append(Problem(
            f"Trusted Root holds a certificate that is not self-signed: {c.describe()}",
            fix=f"Move it to {label} (LocalMachine\\{target}):\n{_move(c, target)}",
            evidence=f"subject {c.subject}\nissuer  {c.issuer}\n{c.self_signed_verdict.how}"))
    return problems


def root_no_duplicates(evidence: Evidence) -> list[Problem]:
    """STORE-02: no thumbprint appears twice in LocalMachine\\Root."""
    groups: dict[str, list[StoredCert]] = defaultdict(list)
    for c in stores(evidence)["Root"]:
        if c.thumbprint:
            groups[c.thumbprint].append(c)
    return [Problem(
        f"Trusted Root holds {len(group)} copies of {group[0].describe()}",
        fix=("Keep one copy: find the physical stores that hold it (certutil -store -enterprise root, "
             "certutil -store root, Group Policy Public Key Policies) and delete the extra copy."),
        evidence="\n".join(f"{c.thumbprint}  {c.subject}  FriendlyName '{c.friendly_name}'" for c in group))
        for group in groups.values() if len(group) > 1]


def issuer_list_bytes(root: list[StoredCert]) -> int:
    """Size of the trusted-issuer list SCHANNEL builds from Root: each DER subject name plus a 2-byte length."""
    total = 0
    for c in root:
        if c.cert is not None:
            total += 2 + len(c.subject_der)
    return total


def root_size(evidence: Evidence) -> list[Problem]:
    """STORE-03: at most 100 certificates in Root, and a trusted-issuer list under 16 KiB."""
    root = stores(evidence)["Root"]
    size = issuer_list_bytes(root)
    shown = (f"{len(root)} certificates in LocalMachine\\Root; "
             f"trusted-issuer list {size} bytes (limit {MAX_ISSUER_LIST_BYTES})")
    fix = ("Remove the roots this server does not need (keep the internal root, the public roots of the certificates "
           "it uses and of its federation partners); then reboot. On an Edge, check federation partners' roots first.")
    problems = []
    if len(root) > MAX_ROOTS:
        problems.append(Problem(f"Trusted Root holds {len(root)} certificates, more than {MAX_ROOTS}",
                                fix=fix, evidence=shown))
    if size >= MAX_ISSUER_LIST_BYTES:
        problems.append(Problem(f"the trusted-issuer list built from Trusted Root is {size} bytes, "
                                f"not under {MAX_ISSUER_LIST_BYTES} (KB2464556)", fix=fix, evidence=shown))
    return problems


def personal_no_self_signed(evidence: Evidence) -> list[Problem]:
    """STORE-04: LocalMachine\\My holds no self-signed root: a self-signed CA certificate there fails (seed 000
    check #4: it then enters the trusted-issuer list); a self-signed end-entity certificate Windows or IIS made
    for itself (IIS Management Service ``WMSvc-<host>``, a test install) is only a warning."""
    my = stores(evidence)["My"]
    problems = _unreadable(my)
    for c in my:
        if c.cert is None or not c.self_signed:
            continue
        kind = "CA" if c.is_ca else "end-entity (not a CA)"
        problems.append(Problem(
            f"Personal holds a self-signed {'root (CA) ' if c.is_ca else ''}certificate: {c.describe()}"
            + ("" if c.is_ca else " (a self-signed server certificate such as IIS' WMSvc one: a warning, it "
                                  "is no CA)"),
            fix=(f"If it is a CA root that must be trusted, move it to Trusted Root:\n{_move(c, 'Root')}\n"
                 f"otherwise remove it: Remove-Item Cert:\\LocalMachine\\My\\{c.thumbprint}"
                 if c.is_ca else
                 f"If no service uses it, remove it: Remove-Item Cert:\\LocalMachine\\My\\{c.thumbprint}; if one "
                 f"does (IIS Management Service), replace it with a certificate from the internal CA"),
            evidence=f"subject = issuer = {c.subject}; {c.self_signed_verdict.how}; {kind} "
                     f"(Basic Constraints / Key Usage)",
            warning=not c.is_ca))
    return problems


def friendly_name_key(name: str) -> str:
    """The key ``Group-Object -Property FriendlyName`` groups by (seed 000 check #5): the exact string, compared
    case-insensitively (Group-Object without -CaseSensitive); spaces are not trimmed."""
    return name.lower()


def personal_unique_friendly_names(evidence: Evidence) -> list[Problem]:
    """STORE-05: every non-empty Friendly Name in LocalMachine\\My is unique, grouped exactly as seed 000's
    ``Group-Object -Property FriendlyName`` groups them (case-insensitive, untrimmed; empty names left out)."""
    groups: dict[str, list[StoredCert]] = defaultdict(list)
    for c in stores(evidence)["My"]:
        if c.friendly_name:
            groups[friendly_name_key(c.friendly_name)].append(c)
    return [Problem(
        f"Friendly Name '{group[0].friendly_name}' is used by {len(group)} certificates in Personal",
        fix="Give each a unique Friendly Name (certlm.msc > Properties > General), for example:\n"
            + "\n".join(f"(Get-Item Cert:\\LocalMachine\\My\\{c.thumbprint}).FriendlyName = "
                        f"'{c.friendly_name} {c.thumbprint[:8]}'" for c in group[1:]),
        evidence="\n".join(c.describe() for c in group)) for group in groups.values() if len(group) > 1]


def intermediate_no_self_signed(evidence: Evidence) -> list[Problem]:
    """STORE-06: LocalMachine\\CA holds no self-signed certificate except Windows' built-in Root Agency."""
    ca = stores(evidence)["CA"]
    return _unreadable(ca) + [Problem(
        f"Intermediate Certification Authorities holds a self-signed (root) certificate: {c.describe()}",
        fix=f"Move it to Trusted Root (if it must be trusted):\n{_move(c, 'Root')}",
        evidence=f"subject = issuer = {c.subject}; {c.self_signed_verdict.how}")
        for c in ca if c.cert is not None and c.self_signed and c.thumbprint != ROOT_AGENCY_THUMBPRINT]
