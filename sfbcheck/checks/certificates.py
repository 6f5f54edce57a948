"""Certificates of Lync / Skype for Business servers: assignment, validity, keys, names, chains, one PKI.

Sources: seed 000 (Edge replication troubleshooter, "Certificates": assigned, not expired, names, private
key, certification path; internal root and intermediates on the Edge), seed 001 (CMS replication: event 1015
host/cluster mismatch; the Front End and Edge pools share one PKI; the Edge certificate has its private key),
seed 002 (Access Edge after a CU: a missing intermediate, private-key permissions), seed 003 (hybrid: the
Access Edge certificate names ``sip.<domain>`` for every SIP domain), Microsoft's Edge certificate and OAuth
requirements. Every decision is taken from the certificates' DER bytes (``cryptography``), relative to the
evidence's CollectedAt.

A check that needs the certificate of a use that is not assigned, or not in LocalMachine\\My, raises
:class:`NotJudged` (CERT-01 reports that); the test turns it into a skip naming the reason.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence
from sfbcheck.facts.assignments import (
    BROAD_SIDS,
    EDGE_EXTERNAL_USES,
    LOCAL_SYSTEM_SID,
    NETWORK_SERVICE_SID,
    OAUTH_USE,
    OPTIONAL_USES,
    OWAS_USE,
    AccessRule,
    Assignment,
    assignment,
    assignments,
    in_personal_store,
    pending_assignments,
    private_key_access,
    private_key_file,
    rtc_group_sids,
)
from sfbcheck.facts.certificates import StoredCert, stores
from sfbcheck.facts.chain import ChainResult, LayeredIndex, StoreIndex, build_chain, cert_name, store_index
from sfbcheck.host import Host
from sfbcheck.inventory import Role
from sfbcheck.problems import Problem
from sfbcheck.targets import EdgePool

# CERT-09: who must read the key. NETWORK SERVICE and LocalSystem by their well-known SIDs (any language); the
# RTC groups are machine-local groups (no well-known SID): by the SIDs the LocalGroup section gives, or, from an
# older collector without it, by the names Lync setup gives them.
SERVICE_SIDS = {NETWORK_SERVICE_SID}
SERVICE_GROUPS = {"rtc server local group", "rtc component local group"}
SERVICE_ACCOUNTS = {"network service"} | SERVICE_GROUPS    # by name only for evidence without SIDs
OWAS_SIDS = {LOCAL_SYSTEM_SID}        # the Office Web Apps services run as LocalSystem
OWAS_ACCOUNTS = {"system"}
DENY_ALSO = {"everyone", "authenticated users", "users"}
ASSIGN_WIZARD = "Deployment Wizard > Install or Update Skype for Business Server System > Step 3 (certificates)"


class NotJudged(Exception):
    """The certificate this check judges is not there (CERT-01 reports why)."""


# -- shared helpers ------------------------------------------------------------------------------
def collected_at(evidence: Evidence) -> datetime:
    return evidence.judged_at()


def _assign_command(host: Host, uses: Iterable[str], thumbprint: str) -> str:
    uses = list(uses)
    if uses == [OWAS_USE]:
        return f"Set-OfficeWebAppsFarm -CertificateName '<Friendly Name of certificate {thumbprint}>'"
    return f"Set-CsCertificate -Type {','.join(uses)} -Thumbprint {thumbprint}   (or {ASSIGN_WIZARD})"


def _uses_of(evidence: Evidence, thumbprint: str) -> list[str]:
    return [a.use for a in assignments(evidence).values() if a.thumbprint == thumbprint] or ["<use>"]


def assigned_certificate(host: Host, use: str) -> tuple[Assignment, StoredCert]:
    """The assignment of ``use`` and its LocalMachine\\My entry, or NotJudged (CERT-01 fails instead)."""
    found = assignment(host.evidence, use)
    if found is None:
        raise NotJudged(f"no certificate is assigned to {use} on {host.fqdn} (CERT-01 reports it)")
    entry = in_personal_store(host.evidence, found.thumbprint)
    if entry is None or entry.cert is None:
        raise NotJudged(f"the certificate assigned to {use} is not in LocalMachine\\My on {host.fqdn} "
                        f"(CERT-01 reports it)")
    return found, entry


def pending_certificates(host: Host, use: str) -> list[tuple[Assignment, StoredCert | None]]:
    """The certificates rolled onto ``use`` that take effect after CollectedAt (``Set-CsCertificate -Roll``), each
    with its LocalMachine\\My entry (None when it is not there)."""
    return [(a, in_personal_store(host.evidence, a.thumbprint)) for a in pending_assignments(host.evidence)
            if a.use.casefold() == use.casefold()]


def _pending_label(found: Assignment) -> str:
    return (f"the certificate {found.thumbprint} rolled onto {found.use} (Set-CsCertificate -Roll), which takes "
            f"effect on {found.effective:%Y-%m-%d %H:%M} UTC,")


def _pending_problems(host: Host, use: str, judge: Callable[[Assignment, StoredCert], list[Problem]]
                      ) -> list[Problem]:
    """Problems of the pending rollover certificates of ``use``, reported apart from the one in effect (one that
    is not in LocalMachine\\My is CERT-01's)."""
    problems = []
    for found, entry in pending_certificates(host, use):
        if entry is not None and entry.cert is not None:
            problems += judge(found, entry)
    return problems


def _pending_missing(host: Host, use: str) -> list[Problem]:
    """CERT-01 for a rollover: the certificate that takes over ``use`` later must be in LocalMachine\\My."""
    return [Problem(f"{_pending_label(found)} is not in LocalMachine\\My: when it takes effect, {use} has no "
                    f"certificate",
                    fix=("Import it with its private key (Import-PfxCertificate -CertStoreLocation "
                         "Cert:\\LocalMachine\\My) before the effective date, or roll the use onto a certificate that "
                         f"is there: Set-CsCertificate -Type {use} -Thumbprint <thumb> -Roll -EffectiveDate <date>"),
                    evidence=found.describe())
            for found, entry in pending_certificates(host, use) if entry is None]


def _cert(evidence: Evidence, entry: StoredCert) -> x509.Certificate:
    if entry.cert is None:
        raise EvidenceGap(evidence.server, f"CertificateStores.{entry.store}",
                          f"entry {entry.thumbprint}: {entry.error}")
    return entry.cert


def subject_cn(cert: x509.Certificate) -> str | None:
    values = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else None


def dns_names(evidence: Evidence, cert: x509.Certificate) -> list[str] | None:
    """The SAN dNSName entries; None if the certificate has no SAN extension. EvidenceGap if it is corrupt."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    except ValueError as exc:
        raise EvidenceGap(evidence.server, "CertificateStores", f"holds a certificate whose extensions cannot be "
                                                                f"parsed ({exc})") from None
    return [str(n) for n in san.get_values_for_type(x509.DNSName)]


def name_matches(pattern: str, name: str) -> bool:
    """A certificate name against a host name as a TLS client matches it: case-insensitive; a wildcard is
    only a whole left-most label and stands for exactly one label (``*.contoso.com`` ≠ ``a.b.contoso.com``)."""
    pattern, name = pattern.strip().rstrip(".").casefold(), name.strip().rstrip(".").casefold()
    if not pattern.startswith("*."):
        return pattern == name
    first, _, rest = name.partition(".")
    return bool(first) and "*" not in pattern[2:] and rest == pattern[2:] and rest.count(".") >= 1


def names_of(evidence: Evidence, cert: x509.Certificate) -> list[str]:
    """The names a TLS client checks: the SAN DNS names, or the subject CN when there is no SAN."""
    sans = dns_names(evidence, cert)
    if sans is not None:
        return sans
    cn = subject_cn(cert)
    return [cn] if cn else []


WILDCARD_RULE = ("Microsoft 'Wildcard certificate support' (Lync Server 2013, Skype for Business Server): a wildcard "
                 "SAN may stand only for the simple URLs (meet, dialin) and lyncdiscover names, never for a pool "
                 "FQDN, a server FQDN or an Edge external name")


def missing_names(evidence: Evidence, cert: x509.Certificate, required: Iterable[str]) -> list[str]:
    """The required names the certificate does not carry literally. A wildcard SAN does not stand for a pool FQDN,
    a server FQDN or an Edge external name (CERT-04, CERT-07; :data:`WILDCARD_RULE`)."""
    present = [p for p in names_of(evidence, cert) if not p.strip().startswith("*")]
    wanted = list(dict.fromkeys(n.casefold() for n in required))
    return [n for n in wanted if not any(name_matches(p, n) for p in present)]


def wildcard_note(evidence: Evidence, cert: x509.Certificate, missing: Iterable[str]) -> str:
    """Why a wildcard SAN that would match a missing name as a TLS client sees it does not count here."""
    wildcards = [p for p in names_of(evidence, cert) if p.strip().startswith("*")]
    covered = [n for n in missing if any(name_matches(w, n) for w in wildcards)]
    if not covered:
        return ""
    return (f" (the wildcard {', '.join(wildcards)} does not stand for {', '.join(covered)}: {WILDCARD_RULE})")


def _describe(entry: StoredCert) -> str:
    cert = entry.cert
    if cert is None:
        return entry.describe()
    return (f"{entry.describe()}\nvalid {cert.not_valid_before_utc:%Y-%m-%d} to {cert.not_valid_after_utc:%Y-%m-%d}"
            f", HasPrivateKey {entry.has_private_key}")


# -- CERT-01 … CERT-05, CERT-09: per server and use ---------------------------------------------------
def assigned_in_personal_store(host: Host, use: str) -> list[Problem]:
    """CERT-01: the certificate assigned to ``use`` exists in LocalMachine\\My (000 "Certificates")."""
    evidence = host.evidence
    found = assignment(evidence, use)
    if found is None and use in OPTIONAL_USES.get(host.role, ()):
        raise NotJudged(f"nothing is assigned to {use} on {host.fqdn}; "
                        + ("CERT-10 judges that" if use == OAUTH_USE else "it is optional for this role"))
    if found is None:
        return [Problem(f"no certificate is assigned to the use {use}",
                        fix=f"Assign one: {_assign_command(host, [use], '<thumbprint>')}",
                        evidence="assigned uses: " + (", ".join(a.use for a in assignments(evidence).values())
                                                      or "(none)"))]
    if not found.thumbprint:  # OWAS: CertificateName names nothing in My
        name = found.record.get("CertificateName")
        return [Problem(f"the Office Web Apps farm's certificate '{name}' is not in LocalMachine\\My "
                        "(no certificate there has that Friendly Name)",
                        fix="Import the certificate with its private key into LocalMachine\\My with that Friendly "
                            f"Name, or point the farm at the right one: {_assign_command(host, [use], '?')}",
                        evidence=f"OfficeWebAppsFarm.CertificateName = '{name}'")]
    if in_personal_store(evidence, found.thumbprint) is not None:
        return _pending_missing(host, use)
    elsewhere = [e for name in ("Root", "CA") for e in stores(evidence)[name] if e.thumbprint == found.thumbprint]
    where = f"; it is in LocalMachine\\{elsewhere[0].store} instead" if elsewhere else ""
    subject = found.record.get("Subject", "?")
    return [Problem(f"the certificate assigned to {use} ({subject}, thumbprint {found.thumbprint}) is not in "
                    f"LocalMachine\\My{where}",
                    fix=("Import it with its private key into the computer's Personal store:\n"
                         "Import-PfxCertificate -FilePath <certificate>.pfx -CertStoreLocation Cert:\\LocalMachine\\My"
                         f"\nor assign the certificate that is there: {_assign_command(host, [use], '<thumbprint>')}"),
                    evidence=found.describe())]


def within_validity(host: Host, use: str) -> list[Problem]:
    """CERT-02: the certificate of ``use`` is valid at CollectedAt and does not expire within the policy horizon;
    a certificate rolled onto the use for later must be valid when it takes effect (reported apart)."""
    found, entry = assigned_certificate(host, use)
    problems = _validity_problems(host, use, found, entry, f"the certificate assigned to {use}")
    return problems + _pending_problems(host, use, lambda pending, e: _validity_problems(
        host, use, pending, e, _pending_label(pending), starts=pending.effective))


def _validity_problems(host: Host, use: str, found: Assignment, entry: StoredCert, label: str,
                       starts: datetime | None = None) -> list[Problem]:
    cert, at = _cert(host.evidence, entry), collected_at(host.evidence)
    horizon = host.inventory.policy.cert_expiry_days
    not_after, not_before = cert.not_valid_after_utc, cert.not_valid_before_utc
    days_left = (not_after - at).days
    if not_before <= (starts or at) and not_after > at and days_left >= horizon:
        return []
    uses = _uses_of(host.evidence, found.thumbprint)
    renew = (f"Renew it (same names) from its CA, import it into LocalMachine\\My, then assign it: "
             f"{_assign_command(host, uses, '<new thumbprint>')}")
    evidence = (f"{_describe(entry)}\nevidence collected {at:%Y-%m-%d %H:%M} UTC; policy cert_expiry_days {horizon}"
                + (f"\n{found.describe()}" if starts else ""))
    if not_before > (starts or at):
        return [Problem(f"{label} is not valid yet: valid from {not_before:%Y-%m-%d}",
                        fix="Check the server's clock and the CA's; assign a certificate that is valid now.",
                        evidence=evidence)]
    if not_after <= at:
        return [Problem(f"{label} expired on {not_after:%Y-%m-%d} "
                        f"({-days_left} days before the evidence was collected)", fix=renew, evidence=evidence)]
    if days_left < horizon:
        return [Problem(f"{label} expires in {days_left} days, on {not_after:%Y-%m-%d} "
                        f"(inside the {horizon}-day horizon)", fix=renew, evidence=evidence)]
    return []


def has_private_key(host: Host, use: str) -> list[Problem]:
    """CERT-03: the certificate of ``use`` has its private key (000; 001 Edge certificate has its private key)."""
    _, entry = assigned_certificate(host, use)
    if "HasPrivateKey" not in entry.record:
        raise EvidenceGap(host.fqdn, "CertificateStores.My", f"entry {entry.thumbprint} does not report HasPrivateKey")
    where = (" (on an Edge pool, export it with its private key from the Edge where it was requested)"
             if host.role is Role.edge else "")
    if entry.has_private_key:
        if private_key_file(host.evidence, entry):
            return []
        return [Problem(f"the certificate assigned to {use} claims a private key (HasPrivateKey), but its key file "
                        "is in none of %ProgramData%\\Microsoft\\Crypto\\RSA\\MachineKeys, \\Keys or \\SystemKeys "
                        "(deleted, or on another server)",
                        fix=("Import the certificate again from a PFX with its private key" + where + ":\n"
                             "Import-PfxCertificate -FilePath <certificate>.pfx "
                             "-CertStoreLocation Cert:\\LocalMachine\\My"
                             f"\n(then check: certutil -verifystore My {entry.thumbprint})"),
                        evidence=f"{_describe(entry)}\nPrivateKeyFile: (none found by the collector)")]
    return [Problem(f"the certificate assigned to {use} has no private key in LocalMachine\\My",
                    fix=("Import it again from a PFX that includes the private key" + where + ":\n"
                         "Import-PfxCertificate -FilePath <certificate>.pfx "
                         "-CertStoreLocation Cert:\\LocalMachine\\My\n"
                         f"(if the key is on this server but not linked: certutil -repairstore My {entry.thumbprint})"),
                    evidence=_describe(entry))]


def expected_names(host: Host, use: str) -> tuple[list[str], list[str]]:
    """(accepted subject CNs, names the certificate must carry) for a use whose names CERT-04 judges."""
    pool, server = host.pool.fqdn, host.fqdn
    cns = [pool] + ([server] if len(host.pool.members) == 1 and server != pool else [])
    required = [pool]
    if use.casefold() == "default" and host.role in (Role.frontend, Role.director):
        required.append(server)
    if use.casefold() == "webservicesinternal" and host.pool.web_internal_fqdn:
        required.append(host.pool.web_internal_fqdn)
    return cns, list(dict.fromkeys(required))


def carries_names(host: Host, use: str) -> list[Problem]:
    """CERT-04: the subject CN is the pool FQDN (or the server's, single-server pool) and the certificate
    carries the pool FQDN, and for a Front End Default certificate the server FQDN (000; 001 event 1015); a wildcard
    SAN does not stand for them. A certificate rolled onto the use for later is judged too (reported apart)."""
    _, entry = assigned_certificate(host, use)
    return _name_problems(host, use, entry, f"the certificate assigned to {use}") + _pending_problems(
        host, use, lambda pending, e: _name_problems(host, use, e, _pending_label(pending)))


def _name_problems(host: Host, use: str, entry: StoredCert, label: str) -> list[Problem]:
    cert = _cert(host.evidence, entry)
    cns, required = expected_names(host, use)
    cn = subject_cn(cert)
    missing = missing_names(host.evidence, cert, required)
    if not missing and cn is not None and cn.casefold() in {c.casefold() for c in cns}:
        return []
    sans = dns_names(host.evidence, cert)
    evidence = f"{_describe(entry)}\nsubject CN {cn!r}; SAN DNS names: {', '.join(sans or []) or '(none)'}"
    fix = (f"Request a new certificate with subject CN {cns[0]} and SAN {', '.join(required)} (Request-CsCertificate "
           f"-New -Type {use} …), then assign it: "
           f"{_assign_command(host, _uses_of(host.evidence, entry.thumbprint), '<new thumbprint>')}")
    problems = []
    if cn is None or cn.casefold() not in {c.casefold() for c in cns}:
        problems.append(Problem(f"{label} has subject CN {cn!r}, expected " + " or ".join(cns), fix=fix,
                                evidence=evidence))
    if missing:
        where = "SAN" if sans is not None else "subject (no SAN extension)"
        problems.append(Problem(f"{label} lacks {', '.join(missing)} in its {where}"
                                + wildcard_note(host.evidence, cert, missing), fix=fix, evidence=evidence))
    return problems


def _aia_urls(cert: x509.Certificate) -> list[str]:
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except (x509.ExtensionNotFound, ValueError):
        return []
    return [str(d.access_location.value) for d in aia if d.access_method == AuthorityInformationAccessOID.CA_ISSUERS]


def _chain_fix(result: ChainResult) -> str:
    last = result.path[-1]
    cert = last.cert if isinstance(last, StoredCert) else last
    if result.kind == "missing-issuer":
        urls = _aia_urls(cert) if cert is not None else []
        source = f" (the certificate names it at {', '.join(urls)})" if urls else " (from the CA's web site or AIA URL)"
        return ("Download the issuing CA certificate" + source + " and import it: an intermediate into "
                "Intermediate Certification Authorities, a root into Trusted Root:\n"
                "Import-Certificate -FilePath <issuing-ca>.cer -CertStoreLocation Cert:\\LocalMachine\\CA\n"
                "Import-Certificate -FilePath <root-ca>.cer -CertStoreLocation Cert:\\LocalMachine\\Root")
    if result.kind == "bad-signature":
        return ("Import the CA certificate that really signed it (same name, the key matching the certificate's "
                "Authority Key Identifier, e.g. the CA's previous or renewed certificate) into "
                "LocalMachine\\CA, or re-issue the certificate from the current CA and assign it again.")
    if result.kind == "untrusted-root":
        return ("If this root is your CA's, import it into Trusted Root: Import-Certificate -FilePath <root>.cer "
                "-CertStoreLocation Cert:\\LocalMachine\\Root; otherwise re-issue the certificate from the "
                "deployment's CA.")
    if result.kind == "expired":
        return ("Install the renewed certificate of that CA (and its new chain) in LocalMachine\\CA or \\Root and "
                "remove the expired one; re-issue the certificate if the CA itself was renewed with a new key.")
    return "Re-collect the evidence; if it persists, inspect the store entries named above."


def chains_to_trusted_root(host: Host, use: str) -> list[Problem]:
    """CERT-05: the certificate of ``use`` chains by signature through LocalMachine\\CA (or \\My) to a root in
    LocalMachine\\Root, every link valid at CollectedAt (000 "Certification Path"; 002 missing intermediate)."""
    _, entry = assigned_certificate(host, use)
    at = collected_at(host.evidence)
    return _chain_problems(host, entry, at, f"the certificate assigned to {use}") + _pending_problems(
        host, use, lambda pending, e: _chain_problems(host, e, max(at, pending.effective or at),
                                                      _pending_label(pending)))


def _chain_problems(host: Host, entry: StoredCert, at: datetime, label: str) -> list[Problem]:
    _cert(host.evidence, entry)
    result = build_chain(entry, store_index(host.evidence), at)
    if result.ok:
        return []
    return [Problem(f"{label} does not chain to a trusted root: {result.problem}", fix=_chain_fix(result),
                    evidence=f"chain built by signature ({result.kind}): {result.describe_path()}\n{_describe(entry)}")]


def _is_account(rule: AccessRule, sids: set[str], names: set[str], by_name: set[str] = frozenset()) -> bool:
    """The rule is for one of the accounts: by SID when the collector translated it (``by_name``: accounts whose
    SID the evidence does not give, matched by name even then), else by name."""
    if rule.sid:
        return rule.sid in sids or rule.account in names & by_name
    return rule.account in names


def _can_read(rules: list[AccessRule], sids: set[str], names: set[str], by_name: set[str] = frozenset()
              ) -> tuple[bool, list[AccessRule]]:
    broad_names = {n.casefold() for n in BROAD_SIDS.values()}
    relevant_deny = [r for r in rules if not r.allow and r.grants_read
                     and (_is_account(r, sids, names, by_name) or _is_account(r, set(BROAD_SIDS), broad_names))]
    allowed = [r for r in rules if r.allow and r.grants_read and _is_account(r, sids, names, by_name)]
    return bool(allowed) and not relevant_deny, relevant_deny


def private_key_readable(host: Host, use: str) -> list[Problem]:
    """CERT-09: the private key of the certificate of ``use`` grants read to the account the services run as
    (NETWORK SERVICE / RTC groups; LocalSystem on Office Web Apps) (002 private-key permissions). A missing
    key is CERT-03's failure, not this one's."""
    _, entry = assigned_certificate(host, use)
    if not entry.has_private_key or ("PrivateKeyFile" in entry.record and not entry.record["PrivateKeyFile"]):
        return []  # no key, or no key file: CERT-03
    rules = private_key_access(host.evidence, entry)
    if rules is None:
        raise EvidenceGap(host.fqdn, "CertificateStores.My.PrivateKeyAccess",
                          f"is missing for {entry.thumbprint} (the collector reports the key file's Get-Acl)")
    owas = host.role is Role.owas
    accounts = OWAS_ACCOUNTS if owas else SERVICE_ACCOUNTS
    groups = None if owas else rtc_group_sids(host.evidence)
    sids = OWAS_SIDS if owas else SERVICE_SIDS | (groups or set())
    readable, denies = _can_read(rules, sids, accounts, set() if owas or groups is not None else SERVICE_GROUPS)
    if readable:
        return []
    shown = "\n".join(str(r) for r in rules) or "(empty ACL)"
    who = "SYSTEM" if host.role is Role.owas else "NETWORK SERVICE and RTC Server Local Group"
    why = (f"denies read to {', '.join(r.identity for r in denies)}" if denies
           else f"grants read to none of {', '.join(sorted(accounts))}")
    return [Problem(f"the private key of the certificate assigned to {use} cannot be read by the service account: "
                    f"its ACL {why}",
                    fix=(f"certlm.msc > Personal > the certificate ({entry.thumbprint}) > All Tasks > Manage Private "
                         f"Keys: give {who} Read{' and remove the Deny entry' if denies else ''}; then restart "
                         "the services (Stop-CsWindowsService; Start-CsWindowsService)."),
                    evidence=f"{_describe(entry)}\nprivate-key ACL:\n{shown}")]


# -- CERT-06, CERT-11: the Edge against the Front Ends -----------------------------------------------
@dataclass
class FrontEndPki:
    """What every Edge is compared with, built once per run (not once per Edge): one merged, indexed view of all
    Front Ends' stores, the chains of their assigned certificates, the roots of their Default certificates
    (CERT-06) and every CA those chains pass through (CERT-11). Each Edge then costs O(its own stores)."""

    index: StoreIndex
    default_roots: dict[str, tuple[StoredCert, list[str]]]    # root thumbprint -> (root, ["fe (use)", ...])
    needed: dict[bytes, tuple[StoredCert, bool, set[str]]]    # CA DER -> (CA, is a root, {"fe use", ...})


_PKI_CACHE: dict[int, tuple[tuple[Host, ...], FrontEndPki]] = {}


def frontend_pki(frontends: tuple[Host, ...]) -> FrontEndPki:
    """The Front Ends' PKI, once per run: every Edge case shares the same ``frontends`` tuple (targets.py), so it is
    keyed by that tuple's identity (hashing it would cost O(Front Ends) per Edge)."""
    cached = _PKI_CACHE.get(id(frontends))
    if cached is not None and cached[0] is frontends:
        return cached[1]
    index = StoreIndex(*(stores(fe.evidence) for fe in frontends), merged=True)
    default_roots: dict[str, tuple[StoredCert, list[str]]] = {}
    needed: dict[bytes, tuple[StoredCert, bool, set[str]]] = {}
    for fe in frontends:
        for a in assignments(fe.evidence).values():
            entry = in_personal_store(fe.evidence, a.thumbprint)
            if entry is None or entry.cert is None:
                continue
            chain = build_chain(entry, index, collected_at(fe.evidence), check_validity=False)
            if a.use.casefold() == "default" and chain.root is not None:
                default_roots.setdefault(chain.root.thumbprint, (chain.root, []))[1].append(f"{fe.fqdn} ({a.use})")
            if chain.ok and a.use.casefold() != "webservicesexternal":
                for link in chain.path[1:]:
                    if isinstance(link, StoredCert):
                        needed.setdefault(link.der, (link, link is chain.root, set()))[2].add(f"{fe.fqdn} {a.use}")
    pki = FrontEndPki(index, default_roots, needed)
    if len(_PKI_CACHE) > 8:
        _PKI_CACHE.clear()
    _PKI_CACHE[id(frontends)] = (frontends, pki)
    return pki


def same_root_as_frontends(edge: Host, frontends: tuple[Host, ...]) -> list[Problem]:
    """CERT-06: the Edge internal certificate and the Front End pools' certificates chain to the same root
    (001: the Front End and Edge pools must share the same PKI)."""
    _, entry = assigned_certificate(edge, "Internal")
    shared = frontend_pki(frontends)
    edge_chain = build_chain(entry, LayeredIndex(StoreIndex(stores(edge.evidence), merged=True), shared.index),
                             collected_at(edge.evidence), check_validity=False)
    if not edge_chain.ok or edge_chain.root is None:
        return [Problem(f"the root of the Edge internal certificate cannot be found in any store of the Edge or the "
                        f"Front Ends: {edge_chain.problem}", fix=_chain_fix(edge_chain),
                        evidence=edge_chain.describe_path())]
    root = edge_chain.root
    others = {t: v for t, v in shared.default_roots.items() if t != root.thumbprint}
    if not others:
        return []
    theirs = "; ".join(f"{cert_name(r)} for {', '.join(fes)}" for r, fes in others.values())
    return [Problem(f"the Edge internal certificate chains to {cert_name(root)}, but Front End certificates chain to "
                    f"another root: {theirs}",
                    fix=("Issue the Edge internal certificate from the internal CA that issues the Front End pools' "
                         "certificates (Request-CsCertificate -New -Type Internal -Output <file>.req on the Edge, "
                         "submit it to that CA), import it and assign it: "
                         "Set-CsCertificate -Type Internal -Thumbprint <new thumbprint>"),
                    evidence=f"Edge internal chain: {edge_chain.describe_path()}\nFront End roots: {theirs}")]


def trusts_internal_cas(edge: Host, frontends: tuple[Host, ...]) -> list[Problem]:
    """CERT-11: every root and intermediate CA in the chains of the Front Ends' internal certificates is in the
    Edge's Root (roots) or Root / CA (intermediates) store (000: internal root and intermediates on the Edge)."""
    edge_stores = stores(edge.evidence)
    in_root = {e.der for e in edge_stores["Root"] if e.cert is not None}
    in_ca = {e.der for e in edge_stores["CA"] if e.cert is not None}
    problems = []
    for der, (ca, is_root, issued) in frontend_pki(frontends).needed.items():
        if der in in_root or (not is_root and der in in_ca):
            continue
        store, label = ("Root", "Trusted Root") if is_root else ("CA", "Intermediate Certification Authorities")
        users = sorted(issued)
        problems.append(Problem(
            f"the Edge does not trust the {'root' if is_root else 'intermediate'} CA {cert_name(ca)}, which issued "
            f"the certificates of {', '.join(users[:4])}{' …' if len(users) > 4 else ''}",
            fix=(f"Export that CA certificate (.cer) from a Front End and import it on the Edge into {label}:\n"
                 f"Import-Certificate -FilePath <ca>.cer -CertStoreLocation Cert:\\LocalMachine\\{store}"),
            evidence=f"{ca.describe()}\nabsent from the Edge's LocalMachine\\{store}"
                     + ("" if is_root else " and \\Root")))
    return problems


# -- CERT-07, CERT-08: Edge external certificate -------------------------------------------------------
def access_edge_names(edge: Host) -> list[Problem]:
    """CERT-07: the Access Edge external certificate's SANs hold the access edge FQDN and ``sip.<domain>`` for
    every SIP domain, the ones homed online included (003 hybrid SIP domain SANs)."""
    _, entry = assigned_certificate(edge, "AccessEdgeExternal")
    cert = _cert(edge.evidence, entry)
    domains = edge.inventory.sip_domains
    required = ([edge.pool.access_edge_fqdn] if edge.pool.access_edge_fqdn else []) + [f"sip.{d.name}" for d in domains]
    missing = missing_names(edge.evidence, cert, required)
    if not missing:
        return []
    online = [d.name for d in domains if d.homed == "online"]
    sans = dns_names(edge.evidence, cert)
    return [Problem(f"the Access Edge external certificate lacks {', '.join(missing)} in its SAN"
                    + wildcard_note(edge.evidence, cert, missing),
                    fix=(f"Request a new external certificate with SAN {', '.join(dict.fromkeys(required))} (and the "
                         "web conferencing / A/V names it has now), import it with its private key on every Edge of "
                         f"the pool, then: Set-CsCertificate -Type {','.join(EDGE_EXTERNAL_USES)} "
                         "-Thumbprint <new thumbprint>"),
                    evidence=(f"{_describe(entry)}\nSAN DNS names: {', '.join(sans or []) or '(none)'}\nSIP domains: "
                              f"{', '.join(d.name for d in domains)}"
                              + (f" (homed online: {', '.join(online)})" if online else "")))]


def same_external_certificate(pool: EdgePool) -> list[Problem]:
    """CERT-08: every Edge of the pool holds the same external certificate (same thumbprint, so the same key
    for A/V authentication) (Microsoft: Edge Server certificate requirements)."""
    differing: dict[tuple[str, str, str], list[str]] = defaultdict(list)  # (edge, its thumb, ref thumb) -> uses
    held_by: dict[str, dict[str, list[str]]] = {}
    for use in EDGE_EXTERNAL_USES:
        held: dict[str, str] = {}
        for member in pool.members:
            found = assignment(member.evidence, use)
            if found is not None:
                entry = in_personal_store(member.evidence, found.thumbprint)
                held[member.fqdn] = entry.thumbprint if entry is not None else found.thumbprint
        if len(set(held.values())) <= 1:
            continue
        counts = Counter(held.values())
        first = next(iter(held.values()))
        reference = max(counts, key=lambda t: (counts[t], t == first))
        holders = defaultdict(list)
        for fqdn, thumb in held.items():
            holders[thumb].append(fqdn)
        held_by[use] = holders
        for fqdn, thumb in held.items():
            if thumb != reference:
                differing[(fqdn, thumb, reference)].append(use)
    problems = []
    for (fqdn, thumb, reference), uses in differing.items():
        ref_holders = held_by[uses[0]][reference]
        problems.append(Problem(
            f"{fqdn} holds a different {'/'.join(uses)} certificate ({thumb}) than {', '.join(ref_holders)} "
            f"({reference})",
            fix=(f"Export the external certificate {reference} with its private key from {ref_holders[0]} "
                 f"(Export-PfxCertificate), import it on {fqdn} (Import-PfxCertificate -CertStoreLocation "
                 f"Cert:\\LocalMachine\\My) and assign it there: Set-CsCertificate -Type {','.join(uses)} "
                 f"-Thumbprint {reference}"),
            evidence="\n".join(f"{use}: " + "; ".join(f"{t} on {', '.join(f)}" for t, f in held_by[use].items())
                               for use in uses)))
    return problems


# -- CERT-10: OAuth ---------------------------------------------------------------------------------
def oauth_certificate(frontend: Host) -> list[Problem]:
    """CERT-10: an OAuthTokenIssuer certificate is assigned, in LocalMachine\\My, valid at CollectedAt and has
    its private key (Microsoft: server-to-server authentication)."""
    evidence = frontend.evidence
    found = assignment(evidence, OAUTH_USE)
    fix = ("Assign the deployment's OAuth certificate (the same one, with its private key, on every Front End; "
           "the CMS replicates the assignment): Set-CsCertificate -Type OAuthTokenIssuer -Thumbprint <thumbprint> "
           "(Request-CsCertificate -New -Type OAuthTokenIssuer … to get one)")
    if found is None:
        return [Problem("no OAuthTokenIssuer certificate is assigned: server-to-server authentication (Exchange, "
                        "SharePoint, hybrid) cannot sign tokens", fix=fix,
                        evidence="assigned uses: " + ", ".join(a.use for a in assignments(evidence).values()))]
    entry = in_personal_store(evidence, found.thumbprint)
    if entry is None:
        return [Problem(f"the OAuthTokenIssuer certificate {found.thumbprint} is not in LocalMachine\\My",
                        fix="Import it with its private key: Import-PfxCertificate -FilePath <oauth>.pfx "
                            "-CertStoreLocation Cert:\\LocalMachine\\My", evidence=found.describe())]
    cert, at = _cert(evidence, entry), collected_at(evidence)
    problems = []
    if not cert.not_valid_before_utc <= at <= cert.not_valid_after_utc:
        problems.append(Problem(f"the OAuthTokenIssuer certificate is not valid on {at:%Y-%m-%d} (valid "
                                f"{cert.not_valid_before_utc:%Y-%m-%d} to {cert.not_valid_after_utc:%Y-%m-%d})",
                                fix=fix.replace("<thumbprint>", "<new thumbprint>"), evidence=_describe(entry)))
    if not entry.has_private_key:
        problems.append(Problem("the OAuthTokenIssuer certificate has no private key on this Front End",
                                fix="Import it from a PFX with its private key: Import-PfxCertificate -FilePath "
                                    "<oauth>.pfx -CertStoreLocation Cert:\\LocalMachine\\My",
                                evidence=_describe(entry)))
    return problems
