"""CERT-12 (certificate profile: EKU, key, signature, CRL distribution point) and CERT-13 (one OAuth certificate for
the deployment), on real certificates, both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, padding
from cryptography.x509.oid import ExtendedKeyUsageOID

from selftest.test_real_certificates import host_of, store
from sfbcheck.checks.cert_profile import certificate_profile, profile_problems
from sfbcheck.checks.oauth_certificate import one_oauth_certificate
from sfbcheck.evidence import EvidenceStore
from sfbcheck.host import Host
from sfbcheck.inventory import Role, load_inventory
from sfbcheck.lab import pki
from sfbcheck.lab.faults.certificates import assign
from sfbcheck.lab.model import Lab
from sfbcheck.lab.sections.certificates import EDGE_EXTERNAL_USES, FRONT_END_USES

FE1, FE4, EDGE1 = "fe01.contoso.local", "fe04.contoso.local", "edge01.contoso.local"


def _rebuilt(lab: Lab, *, eku: list | str | None = "keep", cdp: bool = True, rsa_padding: object = None
             ) -> pki.Issued:
    """fe01's Default certificate re-issued (new key) with one property changed."""
    without: tuple[type, ...] = () if cdp else (x509.CRLDistributionPoints,)
    replace = {}
    if eku is None:
        without += (x509.ExtendedKeyUsage,)
    elif eku != "keep":
        replace[x509.ExtendedKeyUsage] = x509.ExtendedKeyUsage(eku)
    return pki.reissue(lab.pki.assigned[FE1]["Default"], lab.pki.issuing_rsa, without=without, replace=replace,
                       key=pki.new_key("rsa"), rsa_padding=rsa_padding, friendly_name="SfB Default rebuilt")


def _fe01_default(lab: Lab, tmp_path: Path, issued: pki.Issued) -> Host:
    return host_of(lab, tmp_path, FE1, lambda lab: assign(lab, FE1, FRONT_END_USES, issued))


def test_clean_certificates_have_the_profile(clean_lab):
    for fqdn, uses in clean_lab.pki.assigned.items():
        for use, issued in uses.items():
            assert profile_problems(issued.cert, use) == [], (fqdn, use)


@pytest.mark.parametrize(("change", "expected", "warning"), [
    ({"eku": [ExtendedKeyUsageOID.CLIENT_AUTH]}, "lacks Server Authentication", False),
    ({"cdp": False}, "no CRL distribution point", False),
    ({"rsa_padding": padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)},
     "RSASSA-PSS", False),
])
def test_profile_faults_fail(lab, tmp_path, change, expected, warning):
    fe = _fe01_default(lab, tmp_path, _rebuilt(lab, **change))
    [problem] = certificate_profile(fe, "Default")
    assert expected in problem.message and problem.warning is warning and "fix" not in problem.message


def test_no_eku_extension_means_every_purpose(lab, tmp_path):
    fe = _fe01_default(lab, tmp_path, _rebuilt(lab, eku=None))
    assert certificate_profile(fe, "Default") == []


def test_small_and_dsa_keys_fail():
    root = pki.make_root("Key Size Root")
    assert root.key is not None
    for key, shown in ((pki.rsa.generate_private_key(65537, 1024), "RSA 1024 bits"),
                       (dsa.generate_private_key(2048), "DSA")):
        cert = (x509.CertificateBuilder().subject_name(pki.name("k.contoso.local")).issuer_name(root.cert.subject)
                .public_key(key.public_key()).serial_number(7).not_valid_before(root.cert.not_valid_before_utc)
                .not_valid_after(root.cert.not_valid_after_utc)
                .add_extension(pki.crl_point(root.cert.subject), False).sign(root.key, hashes.SHA256()))
        [(what, warning)] = profile_problems(cert, "Default")
        assert shown in what and not warning


def test_sha1_signature_is_a_warning(lab, tmp_path):
    sha1 = pki.sha1_signed(_rebuilt(lab), lab.pki.issuing_rsa)
    fe = _fe01_default(lab, tmp_path, sha1)
    [problem] = certificate_profile(fe, "Default")
    assert problem.warning and "sha1RSA" in problem.message


def test_edge_internal_needs_client_authentication_access_edge_only_advised(lab, tmp_path):
    only_server = [ExtendedKeyUsageOID.SERVER_AUTH]

    def edit(lab: Lab) -> None:
        internal = pki.make_leaf("edgepool.contoso.local", lab.pki.issuing_rsa, now=lab.now,
                                 sans=["edgepool.contoso.local", EDGE1])
        external = lab.pki.assigned[EDGE1]["AccessEdgeExternal"]
        server_only = {x509.ExtendedKeyUsage: x509.ExtendedKeyUsage(only_server)}
        assign(lab, EDGE1, ["Internal"], pki.reissue(internal, lab.pki.issuing_rsa, replace=server_only))
        assign(lab, EDGE1, list(EDGE_EXTERNAL_USES), pki.reissue(external, lab.pki.public_ca, replace=server_only))

    edge = host_of(lab, tmp_path, EDGE1, edit)
    [internal] = certificate_profile(edge, "Internal")
    assert not internal.warning and "Client Authentication" in internal.message
    [access] = certificate_profile(edge, "AccessEdgeExternal")
    assert access.warning and "federation partners" in access.message


# -- CERT-13 ---------------------------------------------------------------------------------------------
def _oauth_servers(lab: Lab, tmp_path: Path, edit=lambda lab: None) -> tuple[Host, ...]:
    edit(lab)
    inventory = load_inventory(lab.write(tmp_path / "lab"))
    evidence = EvidenceStore(inventory.evidence_dir)
    return tuple(Host(s, inventory, evidence) for s in inventory.servers()
                 if s.role in (Role.frontend, Role.director))


def test_one_oauth_certificate_clean(clean_lab, tmp_path):
    servers = _oauth_servers(clean_lab.copy(), tmp_path)
    assert all(one_oauth_certificate(s, servers) == [] for s in servers)


def test_oauth_certificate_of_another_thumbprint_fails_that_server_only(lab, tmp_path):
    from sfbcheck.lab.faults import FAULTS

    servers = _oauth_servers(lab, tmp_path, FAULTS["fe04-oauth-certificate-of-its-own"].apply)
    failing = {s.fqdn: one_oauth_certificate(s, servers) for s in servers}
    assert [f for f, problems in failing.items() if problems] == [FE4]
    assert "not the deployment's" in failing[FE4][0].message and "CMS master" in failing[FE4][0].message


def test_oauth_key_file_missing_fails(lab, tmp_path):
    def edit(lab: Lab) -> None:
        thumbprint = lab.pki.assigned[FE4]["OAuthTokenIssuer"].thumbprint
        entry = next(e for e in store(lab, FE4, "My") if e["Thumbprint"] == thumbprint)
        entry["PrivateKeyFile"] = None

    servers = _oauth_servers(lab, tmp_path, edit)
    [problem] = one_oauth_certificate(next(s for s in servers if s.fqdn == FE4), servers)
    assert "key file is not on this server" in problem.message
