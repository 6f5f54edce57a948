"""Lab evidence: the LocalMachine My / Root / CA stores and Get-CsCertificate, from real certificates."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from sfbcheck.facts.x500 import windows_dn, windows_serial
from sfbcheck.lab import pki
from sfbcheck.lab.model import Lab
from sfbcheck.lab.pki import Issued

FRONT_END_USES = ("Default", "WebServicesInternal", "WebServicesExternal")
EDGE_EXTERNAL_USES = ("AccessEdgeExternal", "DataEdgeExternal", "AudioVideoAuthentication")


def assignment(use: str, issued: Issued, *, effective: datetime | None = None,
               previous: Issued | None = None) -> dict[str, Any]:
    """One Get-CsCertificate entry; ``effective`` and ``previous`` for a certificate rolled onto the use
    (``Set-CsCertificate -Roll -EffectiveDate``: EffectiveDate and PreviousThumbprint; shape unverified)."""
    cert, sans = issued.cert, issued.dns_names
    return {"Use": use, "Thumbprint": issued.thumbprint, "Subject": windows_dn(cert.subject),
            "Issuer": windows_dn(cert.issuer), "SerialNumber": windows_serial(cert.serial_number),
            "NotBefore": cert.not_valid_before_utc.isoformat(), "NotAfter": cert.not_valid_after_utc.isoformat(),
            "AlternativeNames": [f"DNS Name={name}" for name in sans]} | ({
                "EffectiveDate": effective.isoformat(), "PreviousThumbprint": previous.thumbprint if previous else None,
            } if effective else {})


def issue_certificates(lab: Lab) -> None:
    """Create every assigned certificate of the lab (lab.pki.assigned: fqdn -> Use -> certificate)."""
    keys = lab.pki
    year = lab.now.year
    sip_domains = [d["name"] for d in lab.inventory["sip_domains"]]
    oauth = pki.make_leaf(sip_domains[0], keys.issuing_rsa, sans=[sip_domains[0]], now=lab.now,
                          friendly_name=f"SfB OAuthTokenIssuer {year}")
    # The OAuth certificate is being renewed: its successor is rolled on with an EffectiveDate two weeks ahead
    # (Microsoft: "Assign a server-to-server authentication certificate", Set-CsCertificate -Roll).
    oauth_next = pki.make_leaf(sip_domains[0], keys.issuing_rsa, sans=[sip_domains[0]], now=lab.now, days_before=1,
                               friendly_name=f"SfB OAuthTokenIssuer {year + 1}")
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
            if pool["role"] in ("frontend", "director"):
                domains = [d["name"] for d in lab.inventory["sip_domains"] if d["homed"] == "on-premises"]
                names = list(dict.fromkeys([pool["fqdn"], fqdn] + [
                    f"{p}.{d}" for d in domains for p in ("sip", "meet", "dialin", "lyncdiscoverinternal",
                                                          "lyncdiscover")]))  # a Standard Edition: one name
                default = pki.make_leaf(pool["fqdn"], issuer, sans=names, kind="ec" if ecdsa else "rsa",
                                        now=lab.now, friendly_name=f"SfB Default {year}")
                uses = dict.fromkeys(FRONT_END_USES, default)  # a Director: the same three uses, no OAuth
                if pool["role"] == "frontend":
                    uses["OAuthTokenIssuer"] = oauth
                    keys.pending[fqdn] = {"OAuthTokenIssuer": (oauth_next, lab.now + timedelta(days=14), oauth)}
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


MACHINE_GUID = "5b6f9e8a-3c1d-4e2f-9a7b-0c1d2e3f4a5b"  # MachineGuid of the lab's servers (one, for brevity)


def machine_sid(fqdn: str) -> str:
    """The local machine's account-domain SID (S-1-5-21-…): local groups' SIDs are per machine."""
    digest = hashlib.sha256(fqdn.encode()).digest()
    return "S-1-5-21-" + "-".join(str(int.from_bytes(digest[i:i + 4], "big")) for i in (0, 4, 8))


RTC_GROUP_RIDS = {"RTC Server Local Group": 1001, "RTC Component Local Group": 1002,
                  "RTC Server Applications": 1003, "RTC Local Administrators": 1004,
                  "RTC Local Read-only Administrators": 1005, "RTC Local User Administrators": 1006}


def local_groups(fqdn: str) -> list[dict[str, str]]:
    """``LocalGroup`` (Win32_Group, local groups named RTC*) as Lync / SfB setup leaves them (RIDs: lab values)."""
    machine, local = fqdn.partition(".")[0].upper(), machine_sid(fqdn)
    return [{"Name": name, "Domain": machine, "SID": f"{local}-{rid}"} for name, rid in RTC_GROUP_RIDS.items()]


def key_access(fqdn: str, role: str) -> list[dict[str, str]]:
    """The private-key file's ACL as ``Get-Acl`` reports it (what the Deployment Wizard / import leaves), each rule
    with the SID the collector translates its IdentityReference to."""
    machine = fqdn.partition(".")[0].upper()
    local = machine_sid(fqdn)
    rules = [("NT AUTHORITY\\SYSTEM", "S-1-5-18", "FullControl"),
             ("BUILTIN\\Administrators", "S-1-5-32-544", "FullControl")]
    if role != "owas":
        rules += [("NT AUTHORITY\\NETWORK SERVICE", "S-1-5-20", "Read, Synchronize"),
                  (f"{machine}\\RTC Server Local Group", f"{local}-{RTC_GROUP_RIDS['RTC Server Local Group']}",
                   "Read, Synchronize"),
                  (f"{machine}\\RTC Local Read-only Administrators",
                   f"{local}-{RTC_GROUP_RIDS['RTC Local Read-only Administrators']}", "Read, Synchronize")]
    return [{"IdentityReference": who, "Sid": sid, "FileSystemRights": rights, "AccessControlType": "Allow"}
            for who, sid, rights in rules]


def key_file(issued: Issued) -> str:
    """Where Windows keeps the key: a CAPI (RSA, legacy CSP) key in Crypto\\RSA\\MachineKeys, a CNG (ECDSA) key in
    Crypto\\Keys; the file is named <hash of the container name>_<MachineGuid>."""
    folder = "RSA\\MachineKeys" if isinstance(issued.cert.public_key(), rsa.RSAPublicKey) else "Keys"
    name = hashlib.md5(issued.thumbprint.encode()).hexdigest()  # noqa: S324 - a file name, not security
    return f"C:\\ProgramData\\Microsoft\\Crypto\\{folder}\\{name}_{MACHINE_GUID}"


def personal_entry(lab: Lab, fqdn: str, issued: Issued) -> dict[str, Any]:
    """A LocalMachine\\My entry with its private-key file and ACL (when it has a key)."""
    record = issued.record()
    if record["HasPrivateKey"]:
        record["PrivateKeyFile"] = key_file(issued)
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
            "My": [personal_entry(lab, fqdn, c) for c in unique(
                list(uses.values()) + [p[0] for p in keys.pending.get(fqdn, {}).values()])],
            "Root": [c.record(has_private_key=False) for c in roots],
            "CA": [c.record(has_private_key=False) for c in intermediates],
        }
        if lab.pool_of(fqdn)["role"] != "owas":
            sections["LocalGroup"] = local_groups(fqdn)
            sections["CsCertificate"] = [assignment(use, issued) for use, issued in uses.items()] + [
                assignment(use, issued, effective=effective, previous=previous)
                for use, (issued, effective, previous) in keys.pending.get(fqdn, {}).items()]
        else:
            farm = sections.setdefault("OfficeWebAppsFarm", {})
            farm.update({k: v for k, v in office_web_apps_farm(lab, fqdn, uses["OfficeWebApps"]).items()
                         if k == "CertificateName" or k not in farm})
