"""CERT-12: the profile of each assigned certificate: purposes (EKU), key, signature algorithm, CRL distribution point.

Sources: Microsoft "Certificate requirements for internal servers" and "Certificate requirements for Edge Server"
(Lync Server 2013; "Plan for Skype for Business Server 2015 / 2019 certificates"): the certificates are issued for
Server Authentication (the Edge internal one, which the Edge and the Front Ends use for mutual TLS, also for Client
Authentication; some federation partners require Client Authentication on the Access Edge external certificate too),
carry an RSA key of at least 2048 bits (ECDSA where the product supports it), and have a CRL distribution point.
SHA-1 signatures are deprecated (a warning); RSASSA-PSS signatures are not supported by Lync / Skype for Business
Server (a failure). All decided from the certificate's DER.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, SignatureAlgorithmOID

from sfbcheck.checks.certificates import _assign_command, _describe, _uses_of, assigned_certificate
from sfbcheck.facts.signatures import algorithm_name
from sfbcheck.host import Host
from sfbcheck.problems import Problem

MIN_RSA_BITS = 2048
CLIENT_AUTH_REQUIRED = {"internal"}                      # Edge internal: mutual TLS with the Front Ends
CLIENT_AUTH_ADVISED = {"accessedgeexternal"}            # some federation partners require it: a warning
BROKEN_SIGNATURES = {SignatureAlgorithmOID.RSA_WITH_MD5, x509.ObjectIdentifier("1.2.840.113549.1.1.2")}
SHA1_SIGNATURES = {SignatureAlgorithmOID.RSA_WITH_SHA1, SignatureAlgorithmOID.ECDSA_WITH_SHA1,
                   SignatureAlgorithmOID.DSA_WITH_SHA1}


def _extension(cert: x509.Certificate, kind: type) -> x509.ExtensionType | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def key_description(cert: x509.Certificate) -> tuple[str, bool]:
    """('RSA 2048 bits', acceptable?) for the certificate's public key."""
    try:
        key = cert.public_key()
    except (ValueError, TypeError) as exc:
        return f"a key that cannot be read ({exc})", False
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size} bits", key.key_size >= MIN_RSA_BITS
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"ECDSA {key.curve.name}", key.curve.key_size >= 256
    return f"a {type(key).__name__.removesuffix('PublicKey').removeprefix('_')} key", False


def profile_problems(cert: x509.Certificate, use: str) -> list[tuple[str, bool]]:
    """(what is wrong, is it only a warning) for the certificate of ``use``."""
    found: list[tuple[str, bool]] = []
    try:
        eku = _extension(cert, x509.ExtendedKeyUsage)
        cdp = _extension(cert, x509.CRLDistributionPoints)
    except ValueError as exc:
        return [(f"its extensions cannot be parsed ({exc})", False)]
    purposes = set(eku) if eku is not None else None  # no EKU extension: valid for every purpose
    if purposes is not None and ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE not in purposes:
        if ExtendedKeyUsageOID.SERVER_AUTH not in purposes:
            found.append(("its Enhanced Key Usage lacks Server Authentication (1.3.6.1.5.5.7.3.1)", False))
        if ExtendedKeyUsageOID.CLIENT_AUTH not in purposes and use.casefold() in CLIENT_AUTH_REQUIRED:
            found.append(("its Enhanced Key Usage lacks Client Authentication (1.3.6.1.5.5.7.3.2), which the Edge "
                          "internal certificate needs for mutual TLS with the Front Ends", False))
        if ExtendedKeyUsageOID.CLIENT_AUTH not in purposes and use.casefold() in CLIENT_AUTH_ADVISED:
            found.append(("its Enhanced Key Usage lacks Client Authentication (1.3.6.1.5.5.7.3.2), which some "
                          "federation partners require", True))
    key, key_ok = key_description(cert)
    if not key_ok:
        found.append((f"its key is {key}: an RSA key of at least {MIN_RSA_BITS} bits (or ECDSA) is required", False))
    oid = cert.signature_algorithm_oid
    if oid == SignatureAlgorithmOID.RSASSA_PSS:
        found.append(("it is signed with RSASSA-PSS, which Lync / Skype for Business Server does not support", False))
    elif oid in BROKEN_SIGNATURES:
        found.append((f"it is signed with {algorithm_name(cert)}, a broken hash", False))
    elif oid in SHA1_SIGNATURES:
        found.append((f"it is signed with {algorithm_name(cert)} (SHA-1 is deprecated; reissue it with SHA-256)",
                      True))
    if cdp is None or not any(point.full_name for point in cdp):
        found.append(("it has no CRL distribution point, so its revocation cannot be checked", False))
    return found


def certificate_profile(host: Host, use: str) -> list[Problem]:
    """CERT-12: the certificate of ``use`` has the purposes, key, signature and CRL distribution point Lync / Skype
    for Business Server requires (SHA-1 and a missing Client Authentication on the Access Edge are warnings)."""
    _, entry = assigned_certificate(host, use)
    cert = entry.cert
    assert cert is not None  # assigned_certificate() returns only readable entries
    found = profile_problems(cert, use)
    if not found:
        return []
    key, _ = key_description(cert)
    eku = _extension(cert, x509.ExtendedKeyUsage)
    purposes = ", ".join(getattr(p, "_name", p.dotted_string) for p in eku) if eku is not None else "(no EKU: any)"
    evidence = (f"{_describe(entry)}\nEnhanced Key Usage: {purposes}; key {key}; signature {algorithm_name(cert)}")
    fix = (f"Request a new certificate from the internal CA with a web server template that has Server "
           f"Authentication{' and Client Authentication' if use.casefold() in CLIENT_AUTH_REQUIRED else ''}, an RSA "
           f"2048-bit key, SHA-256 and a CRL distribution point (Request-CsCertificate -New -Type {use} -KeySize "
           f"2048 …), then assign it: {_assign_command(host, _uses_of(host.evidence, entry.thumbprint), '<new>')}")
    return [Problem(f"the certificate assigned to {use}: {what}", fix=fix, evidence=evidence, warning=warning)
            for what, warning in found]
