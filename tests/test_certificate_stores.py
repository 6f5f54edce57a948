"""Certificate-store hygiene (seed 000, checks #1 to #6), on every server."""

import pytest

from sfbcheck.checks import certstore
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("STORE-01")
def test_trusted_root_holds_only_self_signed(server):
    """STORE-01: LocalMachine\\Root holds only self-signed certificates (000 check #1)."""
    assert_compliant(certstore.root_only_self_signed(server.evidence))


@pytest.mark.requirement("STORE-02")
def test_trusted_root_has_no_duplicates(server):
    """STORE-02: no thumbprint appears twice in LocalMachine\\Root (000 check #2)."""
    assert_compliant(certstore.root_no_duplicates(server.evidence))


@pytest.mark.requirement("STORE-03")
def test_trusted_root_is_small_enough(server):
    """STORE-03: at most 100 roots and a trusted-issuer list under 16 KiB (000 check #3, KB2464556)."""
    assert_compliant(certstore.root_size(server.evidence))


@pytest.mark.requirement("STORE-04")
def test_personal_store_has_no_root(server):
    """STORE-04: LocalMachine\\My holds no self-signed certificate (000 check #4)."""
    assert_compliant(certstore.personal_no_self_signed(server.evidence))


@pytest.mark.requirement("STORE-05")
def test_personal_friendly_names_are_unique(server):
    """STORE-05: every non-empty Friendly Name in LocalMachine\\My is unique (000 check #5)."""
    assert_compliant(certstore.personal_unique_friendly_names(server.evidence))


@pytest.mark.requirement("STORE-06")
def test_intermediate_store_has_no_root(server):
    """STORE-06: LocalMachine\\CA holds no self-signed certificate but Root Agency (000 check #6)."""
    assert_compliant(certstore.intermediate_no_self_signed(server.evidence))
