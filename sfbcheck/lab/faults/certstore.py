"""Certificate-store faults from seed 000 (checks #1 to #6): real certificates in the wrong place."""

from sfbcheck.lab import pki
from sfbcheck.lab.faults import fault
from sfbcheck.lab.model import Lab


def _store(lab: Lab, fqdn: str, name: str) -> list[dict]:
    return lab.sections(fqdn)["CertificateStores"][name]


@fault("fe02-intermediate-in-root", "STORE-01", "fe02.contoso.local",
       "the issuing CA (an intermediate) was imported into Trusted Root instead of Intermediate CAs")
def intermediate_in_root(lab: Lab) -> None:
    _store(lab, "fe02.contoso.local", "Root").append(lab.pki.issuing_rsa.record(has_private_key=False))


@fault("fe03-duplicate-root", "STORE-02", "fe03.contoso.local",
       "the internal root appears twice in Trusted Root (pushed by Group Policy and imported by hand)")
def duplicate_root(lab: Lab) -> None:
    _store(lab, "fe03.contoso.local", "Root").append(lab.pki.internal_root.record(has_private_key=False))


@fault("edge01-too-many-roots", "STORE-03", "edge01.contoso.local",
       "an Edge whose Trusted Root was filled with 120 roots by a root-update package")
def too_many_roots(lab: Lab) -> None:
    root = _store(lab, "edge01.contoso.local", "Root")
    key = pki.new_key("ec")
    for i in range(120):
        root.append(pki.make_root(f"Bulk Trusted Root {i:03d}", org="Root Program Member", now=lab.now,
                                  key=key).record(has_private_key=False))


@fault("fe04-root-in-personal", "STORE-04", "fe04.contoso.local",
       "a test CA installed on the server left its self-signed root CA certificate (with its key) in Personal")
def root_in_personal(lab: Lab) -> None:
    _store(lab, "fe04.contoso.local", "My").append(
        pki.make_root("FE04 Test Root CA", now=lab.now, friendly_name="Test CA").record())


@fault("edge01-duplicate-friendly-name", "STORE-05", "edge01.contoso.local",
       "a renewed Edge internal certificate was imported with the same Friendly Name as the old one")
def duplicate_friendly_name(lab: Lab) -> None:
    old = pki.make_leaf("edgepool.contoso.local", lab.pki.issuing_rsa, now=lab.now, days_before=700, days_after=30,
                        friendly_name=f"Edge Internal {lab.now.year}")
    _store(lab, "edge01.contoso.local", "My").append(old.record())


@fault("fe05-root-in-intermediate", "STORE-06", "fe05.contoso.local",
       "the internal root CA was imported into Intermediate Certification Authorities")
def root_in_intermediate(lab: Lab) -> None:
    _store(lab, "fe05.contoso.local", "CA").append(lab.pki.internal_root.record(has_private_key=False))
