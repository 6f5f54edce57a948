"""Lab evidence: the LocalMachine My / Root / CA stores and Get-CsCertificate, from real certificates."""

from __future__ import annotations

from typing import Any

from sfbcheck.facts.x500 import windows_dn, windows_serial
from sfbcheck.lab import pki
from sfbcheck.lab.model import Lab
from sfbcheck.lab.pki import Issued

FRONT_END_USES = ("Default", "WebServicesInternal", "WebServicesExternal")
EDGE_EXTERNAL_USES = ("AccessEdgeExternal", "DataEdgeExternal", "AudioVideoAuthentication")


def assignment(use: str, issued: Issued) -> dict[str, Any]:
    """One Get-CsCertificate entry."""
    cert = issued.cert
    try:
        from cryptography import x509

        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.DNSName)
    except Exception:  # noqa: BLE001 - a certificate without SAN
        sans = []
    return {"Use": use, "Thumbprint": issued.thumbprint, "Subject": windows_dn(cert.subject),
            "Issuer": windows_dn(cert.issuer), "SerialNumber": windows_serial(cert.serial_number),
            "NotBefore": cert.not_valid_before_utc.isoformat(), "NotAfter": cert.not_valid_after_utc.isoformat(),
            "AlternativeNames": [f"DNS Name={name}" for name in sans]}


def issue_certificates(lab: Lab) -> None:
    """Create every assigned certificate of the lab (lab.pki.assigned: fqdn -> Use -> certificate)."""
    keys = lab.pki
    year = lab.now.year
    sip_domains = [d["name"] for d in lab.inventory["sip_domains"]]
    oauth = pki.make_leaf(sip_domains[0], keys.issuing_rsa, sans=[sip_domains[0]], now=lab.now,
                          friendly_name=f"SfB OAuthTokenIssuer {year}")
    for pool in lab.pools():
        ecdsa = pool["fqdn"].startswith("pool02")
        issuer = keys.issuing_ec if ecdsa else keys.issuing_rsa
        if pool["role"] == "edge":
            access = pool["access_edge_fqdn"]
            external_names = [access, f"webconf.{access.partition('.')[2]}"]
            external_names += [f"sip.{d}" for d in sip_domains if f"sip.{d}" != access]
            external = pki.make_leaf(access, keys.public_ca, sans=external_names, org="Contoso Ltd", now=lab.now,
                                     friendly_name=f"Edge External {year}")
        for member in pool["members"]:
            fqdn = member["fqdn"]
            uses: dict[str, Issued] = {}
            if pool["role"] == "frontend":
                domains = [d["name"] for d in lab.inventory["sip_domains"] if d["homed"] == "on-premises"]
                names = [pool["fqdn"], fqdn] + [f"{p}.{d}" for d in domains
                                                 for p in ("sip", "meet", "dialin", "lyncdiscoverinternal",
                                                           "lyncdiscover")]
                default = pki.make_leaf(pool["fqdn"], issuer, sans=names, kind="ec" if ecdsa else "rsa",
                                        now=lab.now, friendly_name=f"SfB Default {year}")
                uses = dict.fromkeys(FRONT_END_USES, default)
                uses["OAuthTokenIssuer"] = oauth
            elif pool["role"] == "edge":
                internal = pki.make_leaf(pool["fqdn"], keys.issuing_rsa, sans=[pool["fqdn"], fqdn], now=lab.now,
                                         friendly_name=f"Edge Internal {year}")
                uses = {"Internal": internal} | dict.fromkeys(EDGE_EXTERNAL_USES, external)
            else:
                uses = {"OfficeWebApps": pki.make_leaf(pool["fqdn"], keys.issuing_rsa, sans=[pool["fqdn"], fqdn],
                                                       now=lab.now, friendly_name=f"OWAS {year}")}
            keys.assigned[fqdn] = uses


def unique(certificates: list[Issued]) -> list[Issued]:
    seen: dict[str, Issued] = {}
    for issued in certificates:
        seen.setdefault(issued.thumbprint, issued)
    return list(seen.values())


def key_access(fqdn: str, role: str) -> list[dict[str, str]]:
    """The private-key file's ACL as ``Get-Acl`` reports it (what the Deployment Wizard / import leaves)."""
    machine = fqdn.partition(".")[0].upper()
    rules = [("NT AUTHORITY\\SYSTEM", "FullControl"), ("BUILTIN\\Administrators", "FullControl")]
    if role != "owas":
        rules += [("NT AUTHORITY\\NETWORK SERVICE", "Read, Synchronize"),
                  (f"{machine}\\RTC Server Local Group", "Read, Synchronize"),
                  (f"{machine}\\RTC Local Read-only Administrators", "Read, Synchronize")]
    return [{"IdentityReference": who, "FileSystemRights": rights, "AccessControlType": "Allow"}
            for who, rights in rules]


def personal_entry(lab: Lab, fqdn: str, issued: Issued) -> dict[str, Any]:
    """A LocalMachine\\My entry with its private-key ACL (when it has a key)."""
    record = issued.record()
    if record["HasPrivateKey"]:
        record["PrivateKeyAccess"] = key_access(fqdn, lab.pool_of(fqdn)["role"])
    return record


def office_web_apps_farm(lab: Lab, fqdn: str, issued: Issued) -> dict[str, Any]:
    """Get-OfficeWebAppsFarm: the farm names its certificate by Friendly Name (CertificateName)."""
    pool = lab.pool_of(fqdn)["fqdn"]
    return {"FarmOU": None, "InternalURL": f"https://{pool}/", "ExternalURL": None, "AllowHTTP": False,
            "SSLOffloaded": False, "CertificateName": issued.friendly_name, "EditingEnabled": False,
            "Machines": [fqdn.partition(".")[0].upper()]}


def build(lab: Lab) -> None:
    issue_certificates(lab)
    keys = lab.pki
    roots = [keys.internal_root, keys.public_root, *keys.other_roots]
    intermediates = [keys.issuing_rsa, keys.issuing_ec, keys.public_ca, *keys.windows_ca]
    for fqdn, uses in keys.assigned.items():
        sections = lab.sections(fqdn)
        sections["CertificateStores"] = {
            "My": [personal_entry(lab, fqdn, c) for c in unique(list(uses.values()))],
            "Root": [c.record(has_private_key=False) for c in roots],
            "CA": [c.record(has_private_key=False) for c in intermediates],
        }
        if lab.pool_of(fqdn)["role"] != "owas":
            sections["CsCertificate"] = [assignment(use, issued) for use, issued in uses.items()]
        else:
            farm = sections.setdefault("OfficeWebAppsFarm", {})
            farm.update({k: v for k, v in office_web_apps_farm(lab, fqdn, uses["OfficeWebApps"]).items()
                         if k == "CertificateName" or k not in farm})
