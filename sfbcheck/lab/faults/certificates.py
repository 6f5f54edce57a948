"""Certificate faults from seeds 000, 001, 002, 003: each is a real certificate (or a real store) with the fault."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from sfbcheck.lab import pki
from sfbcheck.lab.faults import fault
from sfbcheck.lab.model import Lab
from sfbcheck.lab.pki import Issued
from sfbcheck.lab.sections.certificates import EDGE_EXTERNAL_USES, FRONT_END_USES, assignment, personal_entry

FE01, FE02, FE03, FE04, FE05 = (f"fe0{i}.contoso.local" for i in (1, 2, 3, 4, 5))
EDGE1, EDGE2, EDGE_POOL = "edge01.contoso.local", "edge02.contoso.local", "edgepool.contoso.local"


def _store(lab: Lab, fqdn: str, name: str) -> list[dict[str, Any]]:
    return lab.sections(fqdn)["CertificateStores"][name]


def _thumbprint_of(lab: Lab, fqdn: str, use: str) -> str:
    return next(a["Thumbprint"] for a in lab.sections(fqdn)["CsCertificate"] if a["Use"] == use)


def assign(lab: Lab, fqdn: str, uses: tuple[str, ...] | list[str], issued: Issued) -> None:
    """Put ``issued`` in My (with its key) and assign it to ``uses``; drop the certificates it replaced
    (those ``uses`` held and no use holds any more), leaving every other Personal entry alone."""
    my = _store(lab, fqdn, "My")
    if all(e["Thumbprint"] != issued.thumbprint for e in my):
        my.append(personal_entry(lab, fqdn, issued))
    table = lab.sections(fqdn)["CsCertificate"]
    replaced = {a["Thumbprint"] for a in table if a["Use"] in uses}
    table[:] = [a for a in table if a["Use"] not in uses] + [assignment(use, issued) for use in uses]
    dropped = replaced - {a["Thumbprint"] for a in table}
    my[:] = [e for e in my if e["Thumbprint"] not in dropped]


def present_internal(lab: Lab, edge: str, issued: Issued, issuer: Issued) -> None:
    """The Edge now serves ``issued`` on its internal interface: what the TLS and HTTP probes of 4443/443 see."""
    ip = lab.member(edge)["ip"]
    chain = [base64.b64encode(c.der).decode("ascii") for c in (issued, issuer)]
    for document in [*lab.evidence.values(), lab.runner]:
        sections = document.get("Sections", {})
        for probe in sections.get("TlsProbe") or []:
            if probe.get("RemoteAddress") == ip and probe.get("RemotePort") == 4443:
                probe["Certificates"] = chain
        for probe in sections.get("HttpProbe") or []:
            if probe.get("RemoteAddress") == ip and probe.get("PresentedCertificate"):
                probe["PresentedCertificate"] = chain[0]


def _my_entry(lab: Lab, fqdn: str, use: str) -> dict[str, Any]:
    thumbprint = _thumbprint_of(lab, fqdn, use)
    return next(e for e in _store(lab, fqdn, "My") if e["Thumbprint"] == thumbprint)


def _external_names(lab: Lab, *, with_online_domains: bool = True) -> list[str]:
    domains = [d["name"] for d in lab.inventory["sip_domains"]
               if with_online_domains or d["homed"] == "on-premises"]
    return ["sip.contoso.com", "webconf.contoso.com"] + [f"sip.{d}" for d in domains if d != "contoso.com"]


def _delete_assigned(lab: Lab, fqdn: str, use: str) -> None:
    thumbprint = _thumbprint_of(lab, fqdn, use)
    my = _store(lab, fqdn, "My")
    my[:] = [e for e in my if e["Thumbprint"] != thumbprint]


@fault("fe03-default-certificate-deleted", "CERT-01", FE03,
       "the Default / web services certificate was deleted from the Personal store while still assigned")
def default_certificate_deleted(lab: Lab) -> None:
    _delete_assigned(lab, FE03, "Default")


@fault("se01-default-certificate-deleted", "CERT-01", "se01.contoso.local",
       "seed 004: on the Standard Edition server the Default / web services certificate was deleted from the "
       "Personal store while still assigned (one certificate for the pool and the server, same name)")
def standard_edition_certificate_deleted(lab: Lab) -> None:
    _delete_assigned(lab, "se01.contoso.local", "Default")


@fault("fe02-default-expiring", "CERT-02", FE02,
       "the Default / web services certificate expires in 12 days (inside the 30-day policy horizon)")
def default_expiring(lab: Lab) -> None:
    names = lab.pki.assigned[FE02]["Default"].dns_names
    expiring = pki.make_leaf("pool01.contoso.local", lab.pki.issuing_rsa, sans=names, now=lab.now,
                             days_before=718, days_after=12, friendly_name=f"SfB Default {lab.now.year - 2}")
    assign(lab, FE02, FRONT_END_USES, expiring)


@fault("edge02-internal-without-private-key", "CERT-03", EDGE2,
       "the Edge internal certificate was imported from a .cer without its private key (001: export the "
       "certificate with its private key for every Edge of the pool)")
def internal_without_private_key(lab: Lab) -> None:
    entry = _my_entry(lab, EDGE2, "Internal")
    entry["HasPrivateKey"] = False
    entry.pop("PrivateKeyAccess", None)


@fault("fe04-default-names-server-only", "CERT-04", FE04,
       "pool02's Default certificate (ECDSA) was requested with the server name as subject and without the "
       "pool FQDN in its SANs")
def default_names_server_only(lab: Lab) -> None:
    wrong = pki.make_leaf(FE04, lab.pki.issuing_ec, kind="ec", now=lab.now,
                          sans=[FE04, "sip.contoso.com", "meet.contoso.com", "dialin.contoso.com"],
                          friendly_name=f"SfB Default {lab.now.year} fe04")
    assign(lab, FE04, FRONT_END_USES, wrong)


@fault("edge01-internal-names-server-only", "CERT-04", EDGE1,
       "001 event 1015 'Unable to match host/cluster against certificate': the Edge internal certificate names "
       "edge01 only, not the Edge pool's internal FQDN")
def internal_names_server_only(lab: Lab) -> None:
    wrong = pki.make_leaf(EDGE1, lab.pki.issuing_rsa, sans=[EDGE1], now=lab.now,
                          friendly_name=f"Edge Internal {lab.now.year} edge01")
    assign(lab, EDGE1, ["Internal"], wrong)
    present_internal(lab, EDGE1, wrong, lab.pki.issuing_rsa)


@fault("edge01-public-intermediate-missing", "CERT-05", EDGE1,
       "002: after a CU the Access Edge service will not start: the public CA's intermediate is missing from "
       "Intermediate Certification Authorities")
def public_intermediate_missing(lab: Lab) -> None:
    ca = _store(lab, EDGE1, "CA")
    ca[:] = [e for e in ca if e["Thumbprint"] != lab.pki.public_ca.thumbprint]


@fault("fe03-issuing-ca-rekeyed", "CERT-05", FE03,
       "the issuing CA was renewed with a new key and only its new certificate is in the store: the name "
       "matches, the signature of fe03's certificates does not")
def issuing_ca_rekeyed(lab: Lab) -> None:
    renewed = pki.make_ca("Contoso Issuing CA 01", lab.pki.internal_root, now=lab.now)
    ca = _store(lab, FE03, "CA")
    ca[:] = [e for e in ca if e["Thumbprint"] != lab.pki.issuing_rsa.thumbprint] + [
        renewed.record(has_private_key=False)]


@fault("edge02-internal-from-other-pki", "CERT-06", EDGE2,
       "001: edge02's internal certificate was issued by a separate perimeter CA (its root trusted on edge02), "
       "not by the PKI of the Front End pools; the CMS then cannot trust it on 4443 either (001: replication fails)",
       also=(("EDGE-FW-03", EDGE2),))
def internal_from_other_pki(lab: Lab) -> None:
    root = pki.make_root("Contoso Perimeter Root CA", now=lab.now)
    issuing = pki.make_ca("Contoso Perimeter Issuing CA", root, now=lab.now)
    internal = pki.make_leaf(EDGE_POOL, issuing, sans=[EDGE_POOL, EDGE2], now=lab.now,
                             friendly_name=f"Edge Internal {lab.now.year} perimeter")
    _store(lab, EDGE2, "Root").append(root.record(has_private_key=False))
    _store(lab, EDGE2, "CA").append(issuing.record(has_private_key=False))
    assign(lab, EDGE2, ["Internal"], internal)
    present_internal(lab, EDGE2, internal, issuing)


@fault("edge-external-without-online-sip-domain", "CERT-07", EDGE1,
       "003: the external certificate was reissued without sip.fabrikam.com, the SIP domain homed in Skype for "
       "Business Online (both Edges)", also=(("CERT-07", EDGE2),))
def external_without_online_sip_domain(lab: Lab) -> None:
    external = pki.make_leaf("sip.contoso.com", lab.pki.public_ca, now=lab.now,
                             sans=_external_names(lab, with_online_domains=False),
                             friendly_name=f"Edge External {lab.now.year} reissued")
    for edge in (EDGE1, EDGE2):
        assign(lab, edge, EDGE_EXTERNAL_USES, external)


@fault("edge02-external-renewed-alone", "CERT-08", EDGE_POOL,
       "the external certificate was renewed (new key) on edge02 only: the pool's Edges no longer share the "
       "A/V authentication key")
def external_renewed_alone(lab: Lab) -> None:
    renewed = pki.make_leaf("sip.contoso.com", lab.pki.public_ca, sans=_external_names(lab), now=lab.now,
                            friendly_name=f"Edge External {lab.now.year} renewed")
    assign(lab, EDGE2, EDGE_EXTERNAL_USES, renewed)


@fault("edge01-internal-key-acl-without-service", "CERT-09", EDGE1,
       "002: the internal certificate's private key grants access to SYSTEM and Administrators only (imported "
       "by hand), not to NETWORK SERVICE or the RTC groups")
def internal_key_acl_without_service(lab: Lab) -> None:
    entry = _my_entry(lab, EDGE1, "Internal")
    entry["PrivateKeyAccess"] = [r for r in entry["PrivateKeyAccess"]
                                 if r["IdentityReference"] in ("NT AUTHORITY\\SYSTEM", "BUILTIN\\Administrators")]


@fault("fe05-oauth-not-assigned", "CERT-10", FE05,
       "no OAuthTokenIssuer certificate is assigned on fe05 (the certificate is in the store, unassigned)")
def oauth_not_assigned(lab: Lab) -> None:
    table = lab.sections(FE05)["CsCertificate"]
    table[:] = [a for a in table if a["Use"] != "OAuthTokenIssuer"]


@fault("edge01-missing-ecdsa-issuing-ca", "CERT-11", EDGE1,
       "000: the Edge lacks the intermediate 'Contoso Issuing CA 02' (ECDSA) that issued pool02's certificates")
def missing_ecdsa_issuing_ca(lab: Lab) -> None:
    ca = _store(lab, EDGE1, "CA")
    ca[:] = [e for e in ca if e["Thumbprint"] != lab.pki.issuing_ec.thumbprint]


@fault("fe05-issuing-ca-certificate-expired", "CERT-05", FE05,
       "the ECDSA issuing CA's certificate was renewed (same key) but fe05 still has only its old, expired "
       "certificate in Intermediate Certification Authorities: an expired link in the chain")
def issuing_ca_certificate_expired(lab: Lab) -> None:
    current, root = lab.pki.issuing_ec, lab.pki.internal_root
    assert current.key is not None and root.key is not None
    old = (x509.CertificateBuilder()
           .subject_name(current.cert.subject).issuer_name(root.cert.subject)
           .public_key(current.key.public_key()).serial_number(x509.random_serial_number())
           .not_valid_before(lab.now - timedelta(days=5 * 365)).not_valid_after(lab.now - timedelta(days=10))
           .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
           .sign(root.key, hashes.SHA256()))
    ca = _store(lab, FE05, "CA")
    ca[:] = [e for e in ca if e["Thumbprint"] != current.thumbprint] + [Issued(old).record(has_private_key=False)]


@fault("fe02-default-key-file-deleted", "CERT-03", FE02,
       "the Default certificate still reports HasPrivateKey, but its key file was deleted from "
       "%ProgramData%\\Microsoft\\Crypto\\RSA\\MachineKeys (a clean-up script): the services cannot use the key")
def default_key_file_deleted(lab: Lab) -> None:
    entry = _my_entry(lab, FE02, "Default")
    entry["PrivateKeyFile"] = None
    entry.pop("PrivateKeyAccess", None)


@fault("fe01-rolled-default-from-unknown-ca", "CERT-05", FE01,
       "a renewed Default certificate was rolled on (Set-CsCertificate -Roll -EffectiveDate in 3 days) but it was "
       "issued by a CA whose certificates the server does not have: the rollover will break TLS")
def rolled_default_from_unknown_ca(lab: Lab) -> None:
    root = pki.make_root("Fabrikam Root CA", org="Fabrikam Inc", now=lab.now)
    issuing = pki.make_ca("Fabrikam Issuing CA", root, org="Fabrikam Inc", now=lab.now)
    current = lab.pki.assigned[FE01]["Default"]
    names = current.dns_names
    renewed = pki.make_leaf("pool01.contoso.local", issuing, sans=names, now=lab.now,
                            friendly_name=f"SfB Default {lab.now.year + 1}")
    _store(lab, FE01, "My").append(personal_entry(lab, FE01, renewed))
    lab.sections(FE01)["CsCertificate"] += [assignment(use, renewed, effective=lab.now + timedelta(days=3),
                                                       previous=current) for use in FRONT_END_USES]


@fault("fe03-default-without-crl-distribution-point", "CERT-12", FE03,
       "fe03's Default / web services certificate was issued from a copied template without a CRL distribution "
       "point: clients and partners cannot check its revocation")
def default_without_crl_distribution_point(lab: Lab) -> None:
    reissued = pki.reissue(lab.pki.assigned[FE03]["Default"], lab.pki.issuing_rsa,
                           without=(x509.CRLDistributionPoints,), friendly_name=f"SfB Default {lab.now.year} fe03")
    assign(lab, FE03, FRONT_END_USES, reissued)


@fault("fe04-oauth-certificate-of-its-own", "CERT-13", FE04,
       "fe04 holds and uses an OAuthTokenIssuer certificate of its own (restored from a test deployment), not the "
       "deployment's global one: server-to-server tokens it signs are not trusted by Exchange / SharePoint")
def oauth_certificate_of_its_own(lab: Lab) -> None:
    own = pki.make_leaf("contoso.com", lab.pki.issuing_rsa, sans=["contoso.com"], now=lab.now,
                        friendly_name=f"OAuth fe04 {lab.now.year}")
    table = lab.sections(FE04)["CsCertificate"]
    table[:] = [a for a in table if a["Use"] != "OAuthTokenIssuer" or a.get("EffectiveDate")]
    _store(lab, FE04, "My").append(personal_entry(lab, FE04, own))
    table.insert(0, assignment("OAuthTokenIssuer", own))
