"""Certificates (seeds 000 "Certificates", 001 PKI and event 1015, 002 intermediate and key permissions,
003 hybrid SIP domain SANs): judged from the certificates' DER bytes, relative to the evidence's CollectedAt."""

from collections.abc import Callable

import pytest

from sfbcheck.checks import cert_profile, certificates, oauth_certificate
from sfbcheck.plugin import assert_compliant
from sfbcheck.problems import Problem


def judge(check: Callable[..., list[Problem]], *args: object) -> None:
    """Assert the check; skip (naming why) when the certificate it judges is not there (CERT-01 fails)."""
    try:
        problems = check(*args)
    except certificates.NotJudged as reason:
        pytest.skip(str(reason))
    assert_compliant(problems)


@pytest.mark.requirement("CERT-01")
def test_assigned_certificate_is_in_personal_store(server, certificate_use):
    """CERT-01: the certificate assigned to each use is in LocalMachine\\My (000 "Certificates")."""
    judge(certificates.assigned_in_personal_store, server, certificate_use)


@pytest.mark.requirement("CERT-02")
def test_assigned_certificate_is_not_expiring(server, certificate_use):
    """CERT-02: each assigned certificate is valid and outside the policy's expiry horizon (000)."""
    judge(certificates.within_validity, server, certificate_use)


@pytest.mark.requirement("CERT-03")
def test_assigned_certificate_has_private_key(server, certificate_use):
    """CERT-03: each assigned certificate has its private key (000; 001 Edge certificate)."""
    judge(certificates.has_private_key, server, certificate_use)


@pytest.mark.requirement("CERT-04")
def test_assigned_certificate_names_pool_and_server(server, named_use):
    """CERT-04: subject CN is the pool FQDN; the SANs carry the pool (and Front End server) FQDN (000; 001 1015)."""
    judge(certificates.carries_names, server, named_use)


@pytest.mark.requirement("CERT-05")
def test_assigned_certificate_chains_to_trusted_root(server, certificate_use):
    """CERT-05: each assigned certificate chains by signature to a root in LocalMachine\\Root (000; 002)."""
    judge(certificates.chains_to_trusted_root, server, certificate_use)


@pytest.mark.requirement("CERT-06")
def test_edge_internal_certificate_shares_frontend_root(edge, frontends):
    """CERT-06: the Edge internal certificate and the Front End certificates chain to the same root (001)."""
    judge(certificates.same_root_as_frontends, edge, frontends)


@pytest.mark.requirement("CERT-07")
def test_access_edge_certificate_names_every_sip_domain(edge):
    """CERT-07: the Access Edge certificate names the access edge FQDN and sip.<domain> for every SIP domain (003)."""
    judge(certificates.access_edge_names, edge)


@pytest.mark.requirement("CERT-08")
def test_edges_of_a_pool_hold_the_same_external_certificate(edge_pool):
    """CERT-08: every Edge of a pool holds the same external certificate (Microsoft Edge certificate requirements)."""
    assert_compliant(certificates.same_external_certificate(edge_pool))


@pytest.mark.requirement("CERT-09")
def test_private_key_is_readable_by_service_account(server, certificate_use):
    """CERT-09: each assigned certificate's private key is readable by the service account (002)."""
    judge(certificates.private_key_readable, server, certificate_use)


@pytest.mark.requirement("CERT-10")
def test_oauth_token_issuer_certificate_is_assigned(frontend):
    """CERT-10: a valid OAuthTokenIssuer certificate with its private key is assigned (Microsoft OAuth docs)."""
    assert_compliant(certificates.oauth_certificate(frontend))


@pytest.mark.requirement("CERT-11")
def test_edge_trusts_every_internal_ca(edge, frontends):
    """CERT-11: the Edge's Root / CA stores hold every CA that issued the Front Ends' internal certificates (000)."""
    assert_compliant(certificates.trusts_internal_cas(edge, frontends))


@pytest.mark.requirement("CERT-12")
def test_assigned_certificate_profile(server, certificate_use):
    """CERT-12: Server (and where needed Client) Authentication EKU, RSA >= 2048 or ECDSA, no SHA-1 (warning) or
    RSASSA-PSS signature, a CRL distribution point (Microsoft certificate requirements)."""
    judge(cert_profile.certificate_profile, server, certificate_use)


@pytest.mark.requirement("CERT-13")
def test_one_oauth_certificate_for_the_deployment(oauth_server, oauth_servers):
    """CERT-13: the same OAuthTokenIssuer certificate, with its key, on every Front End and Director (Microsoft:
    assign a server-to-server authentication certificate)."""
    assert_compliant(oauth_certificate.one_oauth_certificate(oauth_server, oauth_servers))
