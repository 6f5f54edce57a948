"""Whether a certificate was signed by a key, for every signature algorithm a Windows certificate store holds.

``cryptography`` (``verify_directly_issued_by``) verifies RSA PKCS#1 v1.5 and RSASSA-PSS, DSA and ECDSA with
SHA-2, but refuses MD5 and SHA-1 (``ValueError: Unsupported signature algorithm``). Windows still ships such
certificates in every LocalMachine\\Root: Microsoft Root Authority (md5RSA, thumbprint A434…B419), Microsoft Root
Certificate Authority (sha1RSA), and public roots such as DigiCert Global Root CA (sha1RSA). Those signatures are
verified here with the issuer's public key and the hash the certificate names (``signature_hash_algorithm``);
only an algorithm nothing here can verify (md2RSA, GOST, …) is decided from the DER names and key identifiers,
and the verdict says so (STORE-01, STORE-04, STORE-06, CERT-05).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding, rsa
from cryptography.x509.oid import SignatureAlgorithmOID


@dataclass(frozen=True)
class SelfSigned:
    """Whether a certificate is self-signed, and on what the verdict rests (quoted in evidence)."""

    value: bool
    how: str
    verified: bool  # True when the signature itself was checked; False when decided from names and key ids


def algorithm_name(cert: x509.Certificate) -> str:
    """The signature algorithm as Windows names it where it differs (md5RSA, sha1RSA, RSASSA-PSS), else the OID name."""
    oid = cert.signature_algorithm_oid
    name = getattr(oid, "_name", "")
    return _WINDOWS_NAMES.get(oid) or (name if name and name != "Unknown OID" else f"OID {oid.dotted_string}")


_WINDOWS_NAMES = {
    x509.ObjectIdentifier("1.2.840.113549.1.1.2"): "md2RSA",
    SignatureAlgorithmOID.RSA_WITH_MD5: "md5RSA",
    SignatureAlgorithmOID.RSA_WITH_SHA1: "sha1RSA",
    SignatureAlgorithmOID.RSA_WITH_SHA256: "sha256RSA",
    SignatureAlgorithmOID.RSA_WITH_SHA384: "sha384RSA",
    SignatureAlgorithmOID.RSA_WITH_SHA512: "sha512RSA",
    SignatureAlgorithmOID.RSASSA_PSS: "RSASSA-PSS",
    SignatureAlgorithmOID.DSA_WITH_SHA1: "sha1DSA",
    SignatureAlgorithmOID.ECDSA_WITH_SHA1: "sha1ECDSA",
    SignatureAlgorithmOID.ECDSA_WITH_SHA256: "sha256ECDSA",
    SignatureAlgorithmOID.ECDSA_WITH_SHA384: "sha384ECDSA",
    SignatureAlgorithmOID.ECDSA_WITH_SHA512: "sha512ECDSA",
}


def same_name(a: x509.Name, b: x509.Name) -> bool:
    """Names compared as Windows compares them when it looks up an issuer: the DER bytes."""
    return a.public_bytes() == b.public_bytes()


def verifies(child: x509.Certificate, issuer: x509.Certificate) -> bool | None:
    """True if ``issuer``'s name is ``child``'s issuer name (DER) and its key verifies ``child``'s signature;
    False if not; None when the signature algorithm or key type cannot be verified here."""
    if not same_name(child.issuer, issuer.subject):
        return False
    try:
        child.verify_directly_issued_by(issuer)
    except InvalidSignature:
        return False
    except TypeError:  # the issuer's key cannot have made this kind of signature (an EC key for an RSA signature)
        return False
    except (ValueError, UnsupportedAlgorithm):
        return _verify_other_hash(child, issuer)
    return True


def _verify_other_hash(child: x509.Certificate, issuer: x509.Certificate) -> bool | None:
    """Verify a signature ``verify_directly_issued_by`` refuses (MD5, SHA-1) with the hash the certificate names."""
    try:
        algorithm = child.signature_hash_algorithm
        key = issuer.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return None
    if algorithm is None:
        return None
    signature, data = child.signature, child.tbs_certificate_bytes
    try:
        if isinstance(key, rsa.RSAPublicKey):
            scheme = child.signature_algorithm_parameters
            key.verify(signature, data, scheme if isinstance(scheme, padding.PSS) else padding.PKCS1v15(), algorithm)
        elif isinstance(key, dsa.DSAPublicKey):
            key.verify(signature, data, algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(algorithm))
        else:
            return None
    except InvalidSignature:
        return False
    except (UnsupportedAlgorithm, ValueError, TypeError):
        return None
    return True


def _key_ids(cert: x509.Certificate) -> tuple[bytes | None, x509.AuthorityKeyIdentifier | None]:
    try:
        ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except (x509.ExtensionNotFound, ValueError):
        ski = None
    try:
        aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    except (x509.ExtensionNotFound, ValueError):
        aki = None
    return ski, aki


@functools.lru_cache(maxsize=8192)
def self_signed(cert: x509.Certificate) -> SelfSigned:
    """Self-signed: subject = issuer (DER) and the signature verifies with the certificate's own key; where the
    algorithm cannot be verified here, subject = issuer and the key identifiers (AKI = SKI, when present) decide."""
    alg = algorithm_name(cert)
    if not same_name(cert.subject, cert.issuer):
        return SelfSigned(False, "subject and issuer differ", True)
    result = verifies(cert, cert)
    if result is True:
        return SelfSigned(True, f"subject = issuer (DER) and its {alg} signature verifies with its own key", True)
    if result is False:
        return SelfSigned(False, f"subject = issuer (DER), but its {alg} signature does not verify with its own key "
                                 f"(issued by another CA of the same name)", True)
    ski, aki = _key_ids(cert)
    unverifiable = f"its {alg} signature cannot be verified here, so the verdict rests on the DER names"
    if aki is not None and aki.key_identifier is not None and ski is not None and aki.key_identifier != ski:
        return SelfSigned(False, f"subject = issuer (DER), but its Authority Key Identifier {aki.key_identifier.hex()} "
                                 f"differs from its Subject Key Identifier {ski.hex()} ({unverifiable} and key "
                                 f"identifiers)", False)
    if aki is not None and aki.authority_cert_serial_number not in (None, cert.serial_number):
        return SelfSigned(False, f"subject = issuer (DER), but its Authority Key Identifier names the issuer's serial "
                                 f"{aki.authority_cert_serial_number:X} ({unverifiable} and key identifiers)", False)
    ids = " and its Authority Key Identifier equals its Subject Key Identifier" if aki and ski else ""
    return SelfSigned(True, f"subject = issuer (DER){ids}; {unverifiable}{' and key identifiers' if ids else ''}",
                      False)
