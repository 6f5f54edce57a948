"""Certificate chains built by signature, the way Windows builds them on the server itself.

From a certificate, each issuer is looked up by name in the server's own LocalMachine Root, CA and My
stores, and accepted only if the child's signature verifies with the candidate's public key (RSA or ECDSA,
``verify_directly_issued_by``). The chain is trusted when it reaches a certificate of the server's Root
store; every link must be valid at the judging time (the evidence's CollectedAt).

The distinct ways a chain breaks (``ChainResult.kind``), each with a ``problem`` naming the link:

- ``missing-issuer``: no certificate in Root / CA / My carries the issuer's name (a missing intermediate);
- ``bad-signature``: certificates carry the issuer's name but none of their keys verifies the signature
  (a name-only match: e.g. a re-keyed or look-alike CA);
- ``untrusted-root``: the chain ends at a self-signed certificate that is not in the Root store;
- ``expired``: a link (leaf, intermediate or root) is outside its validity period at the judging time;
- ``loop``: the issuers form a cycle without reaching a trusted root.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from sfbcheck.evidence import Evidence
from sfbcheck.facts.certificates import StoredCert, is_self_signed
from sfbcheck.facts.certificates import stores as server_stores
from sfbcheck.facts.signatures import verifies
from sfbcheck.facts.x500 import windows_dn

MAX_DEPTH = 8
SEARCH_ORDER = ("Root", "CA", "My")

Link = StoredCert | x509.Certificate
_DER = Encoding.DER


@dataclass(frozen=True)
class ChainResult:
    ok: bool
    path: tuple[Link, ...]      # leaf first, root last (as far as it got)
    root: StoredCert | None     # the trusted root reached, if any
    problem: str                # '' when ok; else names the missing or broken link
    kind: str = ""              # '' when ok; missing-issuer | bad-signature | untrusted-root | expired | loop

    def describe_path(self) -> str:
        return " -> ".join(cert_name(link) for link in self.path)


def certificate_of(link: Link) -> x509.Certificate:
    if isinstance(link, StoredCert):
        if link.cert is None:
            raise ValueError(f"unreadable certificate: {link.error}")
        return link.cert
    return link


def cert_name(link: Link) -> str:
    """A short human name: the subject CN (or the whole subject) and the thumbprint if known."""
    if isinstance(link, StoredCert):
        return f"'{_cn(link.cert) if link.cert is not None else link.subject}' ({link.thumbprint})"
    return f"'{_cn(link)}'"


def _cn(cert: x509.Certificate) -> str:
    values = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(values[0].value) if values else windows_dn(cert.subject)


def valid_at(cert: x509.Certificate, at: datetime) -> bool:
    return cert.not_valid_before_utc <= at <= cert.not_valid_after_utc


@functools.lru_cache(maxsize=65536)
def signed_by(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True if ``issuer``'s name matches (DER) and its public key verifies ``child``'s signature (MD5 and SHA-1
    signatures too); a signature nothing here can verify is not taken as proof of issuance."""
    return verifies(child, issuer) is True


Stores = dict[str, list[StoredCert]]


class StoreIndex:
    """Root, CA and My entries (of one server, or of several merged) indexed for chain building: issuers by the
    DER of their subject name, Root by the certificate's DER, so each lookup costs O(1) whatever the number of
    servers (CERT-06 and CERT-11 chain over every Front End's stores).

    ``merged=True``: several servers' stores as one view of the PKI; only self-signed roots are anchors (an
    intermediate misplaced in some server's Root store, STORE-01's failure, is taken as the intermediate it is),
    and a certificate held by many servers is kept once (its first entry)."""

    def __init__(self, *all_stores: Stores, merged: bool = False) -> None:
        self.by_subject: dict[bytes, list[StoredCert]] = {}
        self.roots: dict[bytes, StoredCert] = {}
        self.unreadable: list[StoredCert] = []
        seen: set[bytes] = set()
        for name in SEARCH_ORDER:   # Root first, then CA, then My (the order issuers are tried in)
            for one in all_stores:
                for entry in one.get(name, []):
                    if entry.cert is None:
                        self.unreadable.append(entry)
                        continue
                    anchor = name == "Root" and (not merged or entry.self_signed)
                    if anchor:
                        self.roots.setdefault(entry.der, entry)
                    if entry.der in seen:
                        continue
                    seen.add(entry.der)
                    self.by_subject.setdefault(entry.subject_der, []).append(entry)

    def issuers(self, name_der: bytes) -> list[StoredCert]:
        return self.by_subject.get(name_der, [])

    def root(self, der: bytes) -> StoredCert | None:
        return self.roots.get(der)


class LayeredIndex:
    """One server's index in front of a shared one (an Edge's stores, then every Front End's merged): looked up in
    that order, nothing rebuilt per server."""

    def __init__(self, first: StoreIndex, then: StoreIndex) -> None:
        self.first, self.then = first, then
        self.unreadable = first.unreadable + then.unreadable

    def issuers(self, name_der: bytes) -> list[StoredCert]:
        mine = self.first.issuers(name_der)
        known = {e.der for e in mine}
        return mine + [e for e in self.then.issuers(name_der) if e.der not in known]

    def root(self, der: bytes) -> StoredCert | None:
        return self.first.root(der) or self.then.root(der)


Index = StoreIndex | LayeredIndex


def as_index(stores: Stores | Index) -> Index:
    return stores if isinstance(stores, StoreIndex | LayeredIndex) else StoreIndex(stores)


def store_index(evidence: Evidence) -> StoreIndex:
    """The server's own stores indexed for chain building, once per run (CERT-05)."""
    return evidence.parsed("certificate-store-index", lambda ev: StoreIndex(server_stores(ev)))


def _ders(link: Link) -> tuple[bytes, bytes]:
    """(the certificate's DER, its issuer name's DER), cached on store entries."""
    if isinstance(link, StoredCert):
        return link.der, link.issuer_der
    return link.public_bytes(_DER), link.issuer.public_bytes()


def _validity(cert: x509.Certificate) -> str:
    return (f"valid {cert.not_valid_before_utc:%Y-%m-%d} to {cert.not_valid_after_utc:%Y-%m-%d}")


def build_chain(leaf: Link, stores: Stores | Index, at: datetime, *,
                check_validity: bool = True) -> ChainResult:
    """Build and verify the chain of ``leaf`` through the server's own stores (see module docstring), given as
    the stores or as a :class:`StoreIndex` built once (several servers merged).

    ``check_validity=False`` only finds the path and its root (signatures still verified), e.g. to compare
    roots across servers whatever the links' dates."""
    index = as_index(stores)
    path: list[Link] = [leaf]
    try:
        current = certificate_of(leaf)
    except ValueError as exc:
        return ChainResult(False, tuple(path), None, f"the certificate itself cannot be read ({exc})",
                           "unreadable")
    seen: set[bytes] = set()
    while True:
        link = path[-1]
        if check_validity and not valid_at(current, at):
            state = (f"expired on {current.not_valid_after_utc:%Y-%m-%d}" if at > current.not_valid_after_utc
                     else f"is not valid before {current.not_valid_before_utc:%Y-%m-%d}")
            return ChainResult(False, tuple(path), None,
                               f"{cert_name(link)} in the chain {state} (judged at {at:%Y-%m-%d %H:%M} UTC; "
                               f"{_validity(current)})", "expired")
        der, issuer_der = _ders(link)
        root = index.root(der)
        if root is not None:
            return ChainResult(True, (*path[:-1], root), root, "")
        if is_self_signed(current):
            return ChainResult(False, tuple(path), None,
                               f"the chain ends at the self-signed {cert_name(link)}, which is not in the "
                               f"server's Trusted Root Certification Authorities (LocalMachine\\Root) store",
                               "untrusted-root")
        if der in seen or len(path) > MAX_DEPTH:
            return ChainResult(False, tuple(path), None,
                               f"the issuers of {cert_name(link)} form a loop or a chain longer than {MAX_DEPTH} "
                               f"without reaching a trusted root", "loop")
        seen.add(der)
        candidates = index.issuers(issuer_der)
        if not candidates:
            unreadable = index.unreadable
            note = (f"; {len(unreadable)} store entr{'y' if len(unreadable) == 1 else 'ies'} could not be read "
                    f"({unreadable[0].store}: {unreadable[0].error})") if unreadable else ""
            issuer_name = windows_dn(current.issuer)
            return ChainResult(False, tuple(path), None,
                               f"the issuer '{issuer_name}' of {cert_name(link)} is in none of the server's "
                               f"Root, Intermediate (CA) or Personal (My) stores: a missing intermediate or root"
                               f"{note}", "missing-issuer")
        signers = [c for c in candidates if c.cert is not None and signed_by(current, c.cert)]
        if not signers:
            issuer_name = windows_dn(current.issuer)
            return ChainResult(False, tuple(path), None,
                               f"{cert_name(link)} names '{issuer_name}' as issuer, but the signature does not verify "
                               f"with the key of {_names(candidates)} (same name, different key: the issuing CA "
                               f"in the stores is not the one that signed it)", "bad-signature")
        usable = [c for c in signers if c.cert is not None and (not check_validity or valid_at(c.cert, at))]
        chosen = usable[0] if usable else signers[0]
        path.append(chosen)
        current = certificate_of(chosen)


def _names(entries: Iterable[StoredCert]) -> str:
    return ", ".join(f"{cert_name(e)} in {e.store}" for e in entries)

