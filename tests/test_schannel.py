"""SCHANNEL registry values (seed 000 "Registry Entries", KB2464556, KB2795828, KB2901554) and the TLS versions
under SCHANNEL\\Protocols (seed 003; Microsoft "Disable TLS 1.0/1.1 in Skype for Business Server 2015")."""

import pytest

from sfbcheck.checks import schannel, tls_prerequisites, tls_protocols
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("SCHANNEL-01")
def test_client_auth_trust_mode_is_2(lync_server):
    """SCHANNEL-01: ClientAuthTrustMode is DWORD 2 on Windows Server 2012 and later (000, KB2464556, KB2795828)."""
    if reason := schannel.not_applicable(lync_server):
        pytest.skip(f"SCHANNEL-01 does not apply: {reason}")
    assert_compliant(schannel.client_auth_trust_mode(lync_server))


@pytest.mark.requirement("SCHANNEL-02")
def test_send_trusted_issuer_list_is_0(lync_server):
    """SCHANNEL-02: SendTrustedIssuerList is DWORD 0, absent = 0 on 2012+ (000, KB2464556, Schannel 2012 news)."""
    if reason := schannel.not_applicable(lync_server):
        pytest.skip(f"SCHANNEL-02 does not apply: {reason}")
    assert_compliant(schannel.send_trusted_issuer_list(lync_server))


@pytest.mark.requirement("SCHANNEL-03")
def test_no_schannel_change_awaits_reboot(server):
    """SCHANNEL-03: no SCHANNEL key was changed after the last boot (000: no effect without a reboot)."""
    assert_compliant(schannel.reboot_pending(server))


@pytest.mark.requirement("SCHANNEL-04")
def test_session_ticket_off_on_lync_2013_front_end(frontend):
    """SCHANNEL-04: EnableSessionTicket is DWORD 2 on a Lync 2013 Front End on 2012 R2 (KB2901554, OPD)."""
    if reason := schannel.session_ticket_not_applicable(frontend):
        pytest.skip(f"SCHANNEL-04 does not apply: {reason}")
    assert_compliant(schannel.session_ticket(frontend))


@pytest.mark.requirement("TLS-01")
def test_tls10_disabled_only_where_supported(lync_server):
    """TLS-01: TLS 1.0/1.1 disabled only where Microsoft's page supports it, per product, role and OS (003)."""
    assert_compliant(tls_protocols.tls_disable_supported(lync_server))


@pytest.mark.requirement("TLS-03")
def test_ssl2_and_ssl3_disabled(server):
    """TLS-03: SSL 2.0/3.0 disabled for Client and Server; absent = the OS default (Microsoft, OPD)."""
    assert_compliant(tls_protocols.ssl_disabled(server))


@pytest.mark.requirement("TLS-04")
def test_tls12_prerequisites(server):
    """TLS-04: .NET strong crypto, WinHTTP TLS 1.2 and .NET 4.7 where TLS 1.0/1.1 is disabled (Microsoft, OPD)."""
    assert_compliant(tls_prerequisites.tls12_prerequisites(server))
