"""Real certificates for the sample lab and the self-tests, made with ``cryptography``.

Nothing here is a secret: the keys exist only in memory while the lab is built (or while a self-test
serves TLS with them); only certificates (public) are written to evidence.
"""

from __future__ import annotations

import base64
import hashlib
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from sfbcheck.facts.x500 import windows_dn, windows_serial
from sfbcheck.lab.builtin import BUILTIN
from sfbcheck.lab.intermediates import PUBLIC_INTERMEDIATES

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

def new_key(kind: str = "rsa") -> PrivateKey:
    """A fresh key; RSA 2048 or ECDSA P-256."""
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Issued:
    """A certificate with its key (kept in memory only) and the Windows-side facts of its store entry."""

    cert: x509.Certificate
    key: PrivateKey | None = None
    friendly_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        assert self.key is not None
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())

    @property
    def thumbprint(self) -> str:
        return hashlib.sha1(self.der).hexdigest().upper()  # noqa: S324 - Windows thumbprints are SHA-1

    @property
    def dns_names(self) -> list[str]:
        """The SAN DNS names ([] without a SAN extension)."""
        try:
            san = self.cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            return []
        return san.get_values_for_type(x509.DNSName)

    @property
    def subject(self) -> x509.Name:
        return self.cert.subject

    def record(self, has_private_key: bool | None = None, friendly_name: str | None = None) -> dict[str, Any]:
        """This certificate as the collector reports a certificate-store entry (native property names)."""
        cert = self.cert
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            serial = windows_serial(cert.serial_number)
        record = {
            "Thumbprint": self.thumbprint,
            "Subject": windows_dn(cert.subject),
            "Issuer": windows_dn(cert.issuer),
            "FriendlyName": self.friendly_name if friendly_name is None else friendly_name,
            "SerialNumber": serial,
            "NotBefore": cert.not_valid_before_utc.isoformat(),
            "NotAfter": cert.not_valid_after_utc.isoformat(),
            "HasPrivateKey": (self.key is not None) if has_private_key is None else has_private_key,
            "RawData": base64.b64encode(self.der).decode("ascii"),
        }
        record.update(self.extra)
        return record


def builtin(store: str) -> list[Issued]:
    """Windows' own certificates of LocalMachine\\``store`` (Root or CA): real public DER, no key
    (:mod:`sfbcheck.lab.builtin`)."""
    with warnings.catch_warnings():  # Thawte Timestamping CA's serial number is 0
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        return [Issued(x509.load_der_x509_certificate(base64.b64decode(der)), None, friendly_name)
                for where, friendly_name, der in BUILTIN if where == store]


def public_intermediates() -> list[Issued]:
    """Real public intermediate CAs a server's LocalMachine\\CA holds (:mod:`sfbcheck.lab.intermediates`): public
    DER, no key, each issued by a root of :func:`builtin` ``("Root")``."""
    return [Issued(x509.load_der_x509_certificate(base64.b64decode(der)), None, friendly_name)
            for friendly_name, der in PUBLIC_INTERMEDIATES]


def name(cn: str, org: str = "Contoso Ltd", country: str = "US") -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, country),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def _builder(subject: x509.Name, issuer: x509.Name, public_key: Any, not_before: datetime,
             not_after: datetime, serial: int | None) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(serial or x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))


def crl_point(issuer: x509.Name) -> x509.CRLDistributionPoints:
    """Where the lab's CAs publish their CRLs (CERT-12: every assigned certificate has one)."""
    cn = issuer.get_attributes_for_oid(NameOID.COMMON_NAME)
    label = str(cn[0].value if cn else "ca").replace(" ", "")
    return x509.CRLDistributionPoints([x509.DistributionPoint(
        [x509.UniformResourceIdentifier(f"http://pki.contoso.com/crl/{label}.crl")], None, None, None)])


def make_root(cn: str, *, org: str = "Contoso Ltd", kind: str = "rsa", now: datetime | None = None,
              years: int = 20, friendly_name: str = "", key: PrivateKey | None = None) -> Issued:
    """A self-signed root CA."""
    now = now or datetime.now(UTC)
    key = key or new_key(kind)
    subject = name(cn, org)
    cert = (_builder(subject, subject, key.public_key(), now - timedelta(days=365), now + timedelta(days=365 * years),
                     None)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return Issued(cert, key, friendly_name)


def make_ca(cn: str, issuer: Issued, *, org: str = "Contoso Ltd", kind: str = "rsa", now: datetime | None = None,
            years: int = 10, friendly_name: str = "") -> Issued:
    """An intermediate (issuing) CA signed by ``issuer``."""
    now = now or datetime.now(UTC)
    key = new_key(kind)
    assert issuer.key is not None
    cert = (_builder(name(cn, org), issuer.cert.subject, key.public_key(), now - timedelta(days=300),
                     now + timedelta(days=365 * years), None)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
                           critical=False)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(issuer.key, hashes.SHA256()))
    return Issued(cert, key, friendly_name)


def make_leaf(cn: str, issuer: Issued, *, sans: list[str] | None = None, org: str = "Contoso Ltd",
              kind: str = "rsa", now: datetime | None = None, days_before: int = 60, days_after: int = 730,
              friendly_name: str = "", serial: int | None = None, key: PrivateKey | None = None) -> Issued:
    """A server (TLS client and server authentication) certificate signed by ``issuer``."""
    now = now or datetime.now(UTC)
    key = key or new_key(kind)
    assert issuer.key is not None
    names = sans if sans is not None else [cn]
    cert = (_builder(name(cn, org), issuer.cert.subject, key.public_key(), now - timedelta(days=days_before),
                     now + timedelta(days=days_after), serial)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
                           critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .add_extension(crl_point(issuer.cert.subject), critical=False)
            .sign(issuer.key, hashes.SHA256()))
    return Issued(cert, key, friendly_name)


def self_signed_leaf(cn: str, *, now: datetime | None = None, friendly_name: str = "") -> Issued:
    """A self-signed end-entity certificate, as IIS Management Service (``WMSvc-<host>``) or a test install leaves
    in the Personal store: Server Authentication EKU, no CA rights (extension set unverified against a real one)."""
    now = now or datetime.now(UTC)
    key = new_key("rsa")
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (_builder(subject, subject, key.public_key(), now - timedelta(days=30), now + timedelta(days=3650), None)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=True,
                                         data_encipherment=True, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(key, hashes.SHA256()))
    return Issued(cert, key, friendly_name)


_SHA256_RSA = bytes.fromhex("300d06092a864886f70d01010b0500")   # AlgorithmIdentifier sha256WithRSAEncryption
_SHA1_RSA = bytes.fromhex("300d06092a864886f70d0101050500")     # AlgorithmIdentifier sha1WithRSAEncryption


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    length = bytes([size]) if size < 0x80 else bytes([0x80 | ((size.bit_length() + 7) // 8)]) + size.to_bytes(
        (size.bit_length() + 7) // 8, "big")
    return bytes([tag]) + length + content


def sha1_signed(issued: Issued, issuer: Issued) -> Issued:
    """``issued`` re-signed by ``issuer``'s RSA key with sha1RSA, as older Windows CAs issued them (``cryptography``
    no longer signs certificates with SHA-1; the TBS is the same but for its signature algorithm)."""
    assert isinstance(issuer.key, rsa.RSAPrivateKey)
    tbs = issued.cert.tbs_certificate_bytes
    assert _SHA256_RSA in tbs, "only a sha256RSA certificate can be re-signed"
    tbs = tbs.replace(_SHA256_RSA, _SHA1_RSA, 1)
    signature = issuer.key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303 - a deprecated CA, on purpose
    der = _der(0x30, tbs + _SHA1_RSA + _der(0x03, b"\x00" + signature))
    return Issued(x509.load_der_x509_certificate(der), issued.key, issued.friendly_name, dict(issued.extra))


def reissue(issued: Issued, issuer: Issued, *, without: tuple[type, ...] = (),
            replace: dict[type, x509.ExtensionType] | None = None, key: PrivateKey | None = None,
            algorithm: hashes.HashAlgorithm | None = None, rsa_padding: Any = None,
            friendly_name: str | None = None) -> Issued:
    """``issued`` re-issued by ``issuer`` (new serial; same subject, validity and extensions but those ``without``
    names, those ``replace`` maps to a new value, and the key identifiers, which follow the keys)."""
    assert issuer.key is not None
    key = key or issued.key
    assert key is not None
    replace = dict(replace or {})
    old = issued.cert
    builder = (x509.CertificateBuilder().subject_name(old.subject).issuer_name(issuer.cert.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(old.not_valid_before_utc).not_valid_after(old.not_valid_after_utc)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
                              critical=False))
    for extension in old.extensions:
        kind = type(extension.value)
        if kind in without or kind in (x509.SubjectKeyIdentifier, x509.AuthorityKeyIdentifier):
            continue
        builder = builder.add_extension(replace.pop(kind, extension.value), extension.critical)
    for value in replace.values():
        builder = builder.add_extension(value, critical=False)
    cert = builder.sign(issuer.key, algorithm or hashes.SHA256(), rsa_padding=rsa_padding)
    return Issued(cert, key, issued.friendly_name if friendly_name is None else friendly_name)
