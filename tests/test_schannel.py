"""SCHANNEL registry values (seed 000 "Registry Entries", KB2464556) and TLS 1.0/1.1 (seed 003)."""

import pytest

from sfbcheck.checks import schannel, tls_protocols
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("SCHANNEL-01")
def test_client_auth_trust_mode_is_2(server):
    """SCHANNEL-01: ClientAuthTrustMode is DWORD 2 on Windows Server 2012 R2 and later (000, KB2464556)."""
    if reason := schannel.not_applicable(server):
        pytest.skip(f"SCHANNEL-01 does not apply: {reason}")
    assert_compliant(schannel.client_auth_trust_mode(server))


@pytest.mark.requirement("SCHANNEL-02")
def test_send_trusted_issuer_list_is_0(server):
    """SCHANNEL-02: SendTrustedIssuerList is DWORD 0 on Windows Server 2012 R2 and later (000, KB2464556)."""
    if reason := schannel.not_applicable(server):
        pytest.skip(f"SCHANNEL-02 does not apply: {reason}")
    assert_compliant(schannel.send_trusted_issuer_list(server))


@pytest.mark.requirement("SCHANNEL-03")
def test_no_schannel_change_awaits_reboot(server):
    """SCHANNEL-03: no SCHANNEL key was changed after the last boot (000: no effect without a reboot)."""
    assert_compliant(schannel.reboot_pending(server))


@pytest.mark.requirement("TLS-01")
def test_tls10_disabled_only_where_supported(lync_server):
    """TLS-01: TLS 1.0/1.1 disabled only on SfB 2015 CU9+/2019 CU1+ with .NET SchUseStrongCrypto (003, Microsoft)."""
    assert_compliant(tls_protocols.tls_disable_supported(lync_server))
