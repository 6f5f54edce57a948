"""Certificate stores from evidence: every entry parsed from its DER bytes with ``cryptography``.

Display strings (Subject, Issuer) are kept only to name a certificate in messages; every decision
(self-signed, issuer, thumbprint) is taken from the DER.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import warnings
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence
from sfbcheck.facts.signatures import SelfSigned, self_signed
from sfbcheck.facts.x500 import windows_dn

STORES = ("My", "Root", "CA")


@dataclass(frozen=True)
class StoredCert:
    """One entry of LocalMachine\\<store>: the parsed certificate (or why it could not be) and Windows' facts."""

    store: str
    record: dict[str, Any] = field(hash=False, compare=False)
    cert: x509.Certificate | None = field(hash=False, compare=False)
    der: bytes
    error: str = ""

    @functools.cached_property
    def thumbprint(self) -> str:
        if self.der:
            return hashlib.sha1(self.der).hexdigest().upper()  # noqa: S324 - Windows thumbprints are SHA-1
        return str(self.record.get("Thumbprint", "")).upper()

    @property
    def friendly_name(self) -> str:
        return str(self.record.get("FriendlyName") or "")

    @property
    def has_private_key(self) -> bool:
        return self.record.get("HasPrivateKey") is True

    @property
    def subject(self) -> str:
        if self.cert is not None:
            return windows_dn(self.cert.subject)
        return str(self.record.get("Subject", "?"))

    @property
    def issuer(self) -> str:
        if self.cert is not None:
            return windows_dn(self.cert.issuer)
        return str(self.record.get("Issuer", "?"))

    @property
    def is_ca(self) -> bool:
        """A CA certificate (see :func:`is_ca_certificate`)."""
        return self.cert is not None and is_ca_certificate(self.cert)

    @functools.cached_property
    def subject_der(self) -> bytes:
        """The subject name's DER (issuer lookups compare these bytes, as Windows does); b'' if unreadable."""
        return name_ders(self.cert)[0] if self.cert is not None else b""

    @functools.cached_property
    def serial_number(self) -> int | None:
        """The DER serial number (Windows' own Thawte Timestamping CA has 0, which ``cryptography`` warns about)."""
        if self.cert is None:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            return self.cert.serial_number

    @functools.cached_property
    def issuer_der(self) -> bytes:
        return name_ders(self.cert)[1] if self.cert is not None else b""

    @functools.cached_property
    def self_signed_verdict(self) -> SelfSigned:
        """Whether it is self-signed and why (see :mod:`sfbcheck.facts.signatures`), computed once."""
        if self.cert is None:
            return SelfSigned(False, f"cannot be read: {self.error}", False)
        return self_signed(self.cert)

    @property
    def self_signed(self) -> bool:
        return self.self_signed_verdict.value

    def describe(self) -> str:
        name = f", FriendlyName '{self.friendly_name}'" if self.friendly_name else ""
        return f"{self.subject} (thumbprint {self.thumbprint}, issuer {self.issuer}{name})"


@functools.lru_cache(maxsize=4096)
def name_ders(cert: x509.Certificate) -> tuple[bytes, bytes]:
    """The DER of the subject and of the issuer name, once per certificate (certificates compare and hash by
    their DER, so the same certificate on every server shares them)."""
    return cert.subject.public_bytes(), cert.issuer.public_bytes()


def is_ca_certificate(cert: x509.Certificate) -> bool:
    """A CA certificate: Basic Constraints cA decides; without it, Key Usage keyCertSign; without either, a
    certificate with an Extended Key Usage is an end entity (a server certificate) and one with none of these is
    a CA (the oldest roots, such as Microsoft Root Authority, carry no such extension). Unparsable extensions
    count as a CA: nothing proves it is a leaf."""
    try:
        extensions = cert.extensions
        constraints = next((e.value for e in extensions if isinstance(e.value, x509.BasicConstraints)), None)
        usage = next((e.value for e in extensions if isinstance(e.value, x509.KeyUsage)), None)
        eku = any(isinstance(e.value, x509.ExtendedKeyUsage) for e in extensions)
    except ValueError:
        return True
    if constraints is not None:
        return bool(constraints.ca)
    if usage is not None:
        return bool(usage.key_cert_sign)
    return not eku


def is_self_signed(cert: x509.Certificate) -> bool:
    """Subject and issuer are the same DER name and the signature verifies with the certificate's own key (for
    MD5 / SHA-1 too); an algorithm that cannot be verified is decided from the names and key identifiers."""
    return self_signed(cert).value


def parse_entry(store: str, record: Any) -> StoredCert:
    if not isinstance(record, dict):
        return StoredCert(store, {}, None, b"", f"not a certificate entry: {record!r:.80}")
    raw = record.get("RawData")
    if not raw:
        return StoredCert(store, record, None, b"", "no RawData (DER) in evidence")
    try:
        der = base64.b64decode(raw, validate=True) if isinstance(raw, str) else bytes(raw)
    except (binascii.Error, ValueError, TypeError):
        return StoredCert(store, record, None, b"", "RawData is not base64")
    cert = certificate_from_der(der)
    if isinstance(cert, str):
        return StoredCert(store, record, None, der, cert)
    return StoredCert(store, record, cert, der)


@functools.lru_cache(maxsize=4096)
def certificate_from_der(der: bytes) -> x509.Certificate | str:
    """The certificate these exact DER bytes encode, or why they encode none; parsed once per distinct bytes.

    Windows' built-in roots and a deployment's CA certificates are byte-identical on every server, so every
    store entry with the same bytes shares one immutable ``x509.Certificate`` (the cache is keyed by the bytes
    themselves: a certificate that differs in one byte is parsed, and judged, on its own)."""
    try:
        with warnings.catch_warnings():  # Windows' own Thawte Timestamping CA has serial number 0
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            cert = x509.load_der_x509_certificate(der)
            cert.subject, cert.issuer, cert.serial_number  # noqa: B018 - force parsing of the names now
    except ValueError as exc:
        return f"RawData is not a DER certificate ({exc})"
    return cert


def parse_stores(evidence: Evidence) -> dict[str, list[StoredCert]]:
    stores = evidence.section("CertificateStores", dict)
    out: dict[str, list[StoredCert]] = {}
    for name in STORES:
        entries = stores.get(name)
        if entries is None:
            raise EvidenceGap(evidence.server, f"CertificateStores.{name}", "is missing")
        entries = [entries] if isinstance(entries, dict) else entries
        if not isinstance(entries, list):
            raise EvidenceGap(evidence.server, f"CertificateStores.{name}", "is malformed: expected a list")
        for entry in entries:  # an object that is no certificate at all is a damaged store, not an empty one
            if not isinstance(entry, dict) or not (entry.get("Thumbprint") or entry.get("RawData")):
                raise EvidenceGap(evidence.server, f"CertificateStores.{name}",
                                  f"is malformed: an entry is not a certificate (no Thumbprint, no RawData): "
                                  f"{entry!r:.80}")
        out[name] = [parse_entry(name, entry) for entry in entries]
    return out


def stores(evidence: Evidence) -> dict[str, list[StoredCert]]:
    """LocalMachine My, Root and CA of a server, parsed once per run."""
    return evidence.parsed("certificate-stores", parse_stores)
