"""SCHANNEL and TLS checks on registry evidence shaped the way Windows Server 2012 / 2012 R2 / 2016 / 2019 holds
it: absent values are OS defaults (SCHANNEL-02 on 2012+, SSL 2.0/3.0 by OS version), TLS 1.0/1.1 disable support
per product, role and OS (Microsoft's page: Lync Server 2013 Edge role only), the TLS 1.2 prerequisites (TLS-04)
and the Lync 2013 session-ticket value (SCHANNEL-04)."""

from __future__ import annotations

from typing import Any

import pytest

from selftest.test_host_checks import host_of
from sfbcheck.checks import schannel, tls_prerequisites, tls_protocols
from sfbcheck.facts.registry import NET_FRAMEWORK_SETUP, NET_FRAMEWORK_WOW64, SCHANNEL, WINHTTP, WINHTTP_WOW64
from sfbcheck.host import Host
from sfbcheck.lab.faults.host import _key, set_registry_value
from sfbcheck.lab.model import Lab

FE1, FE4, EDGE1, OWAS = "fe01.contoso.local", "fe04.contoso.local", "edge01.contoso.local", "owas01.contoso.local"
WINDOWS = {"2008": ("6.0.6002", "Microsoft Windows Server 2008 Standard"),
           "2008 R2": ("6.1.7601", "Microsoft Windows Server 2008 R2 Standard"),
           "2012": ("6.2.9200", "Microsoft Windows Server 2012 Standard"),
           "2012 R2": ("6.3.9600", "Microsoft Windows Server 2012 R2 Standard"),
           "2016": ("10.0.14393", "Microsoft Windows Server 2016 Standard"),
           "2019": ("10.0.17763", "Microsoft Windows Server 2019 Datacenter")}


def on_windows(lab: Lab, fqdn: str, name: str) -> None:
    version, caption = WINDOWS[name]
    lab.sections(fqdn)["Win32_OperatingSystem"].update(Version=version, Caption=caption,
                                                        BuildNumber=version.rsplit(".", 1)[1])


def untouched_schannel(lab: Lab, fqdn: str) -> None:
    """The SCHANNEL key as Windows setup leaves it: EventLogging = 1 and nothing else."""
    _key(lab, fqdn, SCHANNEL)["Values"] = [{"Name": "EventLogging", "Kind": "DWord", "Value": 1}]


def installed(lab: Lab, fqdn: str, product: str, version: str) -> None:
    lab.sections(fqdn)["InstalledProducts"] = [
        {"DisplayName": f"{product}, Core Components", "DisplayVersion": version,
         "Publisher": "Microsoft Corporation"}]


def disable_tls10(lab: Lab, fqdn: str) -> None:
    """Microsoft's TLSDisable.reg for TLS 1.0/1.1 (both sides: DisabledByDefault = 1, Enabled = 0)."""
    for protocol in ("TLS 1.0", "TLS 1.1"):
        for side in ("Client", "Server"):
            _key(lab, fqdn, f"{SCHANNEL}\\Protocols\\{protocol}\\{side}").update(
                Exists=True, LastWriteTime=lab.now.isoformat(),
                Values=[{"Name": "DisabledByDefault", "Kind": "DWord", "Value": 1},
                        {"Name": "Enabled", "Kind": "DWord", "Value": 0}])


def edits(*steps: Any) -> Any:
    def run(lab: Lab) -> None:
        for step in steps:
            step(lab)
    return run


# -- SCHANNEL-01/02 ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("windows", ["2012", "2012 R2", "2016", "2019"])
def test_absent_send_trusted_issuer_list_is_the_os_default_0(lab, tmp_path, windows):
    fe = host_of(lab, tmp_path, FE1, edits(lambda lab: on_windows(lab, FE1, windows),
                                           lambda lab: set_registry_value(lab, FE1, SCHANNEL,
                                                                          "SendTrustedIssuerList", None)))
    assert schannel.not_applicable(fe) == ""
    assert schannel.send_trusted_issuer_list(fe) == []


def test_untouched_schannel_fails_only_client_auth_trust_mode_and_says_the_default(lab, tmp_path):
    fe = host_of(lab, tmp_path, FE1, edits(lambda lab: on_windows(lab, FE1, "2012 R2"),
                                           lambda lab: untouched_schannel(lab, FE1)))
    assert schannel.send_trusted_issuer_list(fe) == []
    [problem] = schannel.client_auth_trust_mode(fe)
    assert "missing (the OS default is 0: Machine Trust)" in problem.message


def test_schannel_01_applies_to_windows_server_2012(lab, tmp_path):
    fe = host_of(lab, tmp_path, FE1, lambda lab: on_windows(lab, FE1, "2012"))
    assert schannel.not_applicable(fe) == ""
    assert "older than Windows Server 2012" in schannel.not_applicable(
        host_of(lab, tmp_path / "old", FE1, lambda lab: on_windows(lab, FE1, "2008 R2")))


def test_schannel_01_02_do_not_apply_to_office_web_apps(lab, tmp_path):
    owas = host_of(lab, tmp_path, OWAS, lambda lab: untouched_schannel(lab, OWAS))
    assert "Office Web Apps" in schannel.not_applicable(owas)


# -- TLS-01 ------------------------------------------------------------------------------------------------------
def test_tls_disabled_on_lync_2013_edge_is_supported(lab, tmp_path):
    edge = host_of(lab, tmp_path, EDGE1, edits(lambda lab: installed(lab, EDGE1, "Lync Server 2013", "5.0.8308.1001"),
                                               lambda lab: disable_tls10(lab, EDGE1)))
    assert tls_protocols.tls_disable_supported(edge) == []


def test_tls_disabled_on_lync_2013_front_end_is_edge_role_only(lab, tmp_path):
    fe = host_of(lab, tmp_path, FE4, lambda lab: installed(lab, FE4, "Lync Server 2013", "5.0.8308.1001"))
    [problem] = tls_protocols.tls_disable_supported(fe)
    assert "Edge role only" in problem.message and "Windows Fabric 1.0" in problem.message
    assert "Remove-ItemProperty" in problem.fix


@pytest.mark.parametrize(("windows", "expected"), [
    ("2008", "out of scope (Windows Server 2008 or lower)"),
    ("2008 R2", "upgraded in place from Lync Server 2013"),
    ("2012", None), ("2012 R2", None), ("2016", None)])
def test_tls_disabled_on_sfb_2015_cu9_follows_the_page_per_windows(lab, tmp_path, windows, expected):
    fe = host_of(lab, tmp_path, FE4, edits(
        lambda lab: installed(lab, FE4, "Skype for Business Server 2015", "6.0.9319.548"),
        lambda lab: on_windows(lab, FE4, windows)))
    problems = tls_protocols.tls_disable_supported(fe)
    if expected is None:
        assert problems == []
    else:
        [problem] = problems
        assert expected in problem.message
        assert problem.warning is (windows == "2008 R2")  # the evidence cannot tell an in-place upgrade


def test_tls_01_no_longer_judges_strong_crypto(lab, tmp_path):
    fe = host_of(lab, tmp_path, FE4, lambda lab: set_registry_value(lab, FE4, NET_FRAMEWORK_WOW64,
                                                                     "SchUseStrongCrypto", None))
    assert tls_protocols.tls_disable_supported(fe) == []
    [problem] = tls_prerequisites.tls12_prerequisites(fe)
    assert "Wow6432Node" in problem.message and "SchUseStrongCrypto" in problem.message


# -- TLS-03 ------------------------------------------------------------------------------------------------------
def test_windows_2019_defaults_leave_ssl_disabled(lab, tmp_path):
    """Server 2019 as installed: only SSL 2.0\\Client exists (DisabledByDefault = 1); the rest is OS default."""
    assert tls_protocols.ssl_disabled(host_of(lab, tmp_path, FE1)) == []


def test_windows_2012_r2_defaults_enable_ssl3_and_the_check_says_so(lab, tmp_path):
    fe = host_of(lab, tmp_path, FE1, lambda lab: on_windows(lab, FE1, "2012 R2"))
    problems = tls_protocols.ssl_disabled(fe)
    assert [p.message.split(":")[0] for p in problems] == ["SSL 2.0 Server is usable", "SSL 3.0 Client is usable",
                                                            "SSL 3.0 Server is usable"]
    assert all("OS default on Microsoft Windows Server 2012 R2" in p.message for p in problems)


def test_ssl_disabled_explicitly_on_2012_r2_passes(lab, tmp_path):
    fe = host_of(lab, tmp_path, FE4, lambda lab: on_windows(lab, FE4, "2012 R2"))  # hardened: TLSDisable.reg
    assert tls_protocols.ssl_disabled(fe) == []


# -- TLS-04 ------------------------------------------------------------------------------------------------------
def test_winhttp_on_2012_needs_tls12_bit(lab, tmp_path):
    fe = host_of(lab, tmp_path, FE4, edits(
        lambda lab: installed(lab, FE4, "Skype for Business Server 2015", "6.0.9319.548"),
        lambda lab: on_windows(lab, FE4, "2012")))
    problems = tls_prerequisites.tls12_prerequisites(fe)
    assert len(problems) == 2 and all("DefaultSecureProtocols is missing" in p.message for p in problems)
    fixed = host_of(lab, tmp_path / "fixed", FE4, edits(*(
        (lambda lab, path=path: set_registry_value(lab, FE4, path, "DefaultSecureProtocols", "DWord", 0xAA0))
        for path in (WINHTTP, WINHTTP_WOW64))))
    assert tls_prerequisites.tls12_prerequisites(fixed) == []


def test_net_framework_below_47_fails_where_tls_is_disabled(lab, tmp_path):
    fe = host_of(lab, tmp_path, FE4, lambda lab: set_registry_value(lab, FE4, NET_FRAMEWORK_SETUP, "Release",
                                                                     "DWord", 394802))  # 4.6.2
    [problem] = tls_prerequisites.tls12_prerequisites(fe)
    assert ".NET Framework 4.7 or later" in problem.message and "394802" in problem.message


def test_prerequisites_are_not_judged_where_tls_10_is_enabled_and_not_required(lab, tmp_path):
    assert tls_prerequisites.tls12_prerequisites(host_of(lab, tmp_path, FE1)) == []


def test_policy_requiring_tls12_judges_the_prerequisites(lab, tmp_path):
    fe = host_of(lab, tmp_path, FE1, lambda lab: lab.inventory["policy"].update(tls12_required=True))
    problems = tls_prerequisites.tls12_prerequisites(fe)
    assert problems and all("policy.tls12_required" in p.message for p in problems)


# -- SCHANNEL-04 ---------------------------------------------------------------------------------------------------
def lync2013_on_2012_r2(lab: Lab) -> None:
    lab.inventory["product"] = "lync2013"
    installed(lab, FE1, "Lync Server 2013", "5.0.8308.1001")
    on_windows(lab, FE1, "2012 R2")


def test_session_ticket_applies_only_to_lync_2013_front_end_on_2012_r2(lab, tmp_path):
    assert "not Lync Server 2013" in schannel.session_ticket_not_applicable(host_of(lab, tmp_path, FE1))
    fe = host_of(lab, tmp_path / "lync", FE1, lync2013_on_2012_r2)
    assert schannel.session_ticket_not_applicable(fe) == ""
    [problem] = schannel.session_ticket(fe)
    assert "EnableSessionTicket is missing" in problem.message and "32402" in problem.message


def test_session_ticket_2_passes(lab, tmp_path):
    fe = host_of(lab, tmp_path, FE1, edits(lync2013_on_2012_r2, lambda lab: set_registry_value(
        lab, FE1, SCHANNEL, "EnableSessionTicket", "DWord", 2)))
    assert schannel.session_ticket(fe) == []


def test_office_web_apps_is_not_held_to_the_sfb_net_47_prerequisite(lab, tmp_path):
    def edit(lab: Lab) -> None:
        disable_tls10(lab, OWAS)
        set_registry_value(lab, OWAS, NET_FRAMEWORK_SETUP, "Release", None)

    problems = tls_prerequisites.tls12_prerequisites(host_of(lab, tmp_path, OWAS, edit))
    assert problems and not any(".NET Framework 4.7" in p.message for p in problems)  # strong crypto still judged


# -- coexistence: the product of the server's pool -----------------------------------------------------------------
LYNC1 = "lync01.contoso.local"


def test_legacy_lync_2013_server_of_the_lab_is_held_to_session_tickets(lab, tmp_path):
    """The lab's Lync Server 2013 Standard Edition server (Windows Server 2012 R2) beside the SfB 2019 pools:
    SCHANNEL-04 applies to it and its EnableSessionTicket = 2 complies; it does not apply to the SfB 2019 servers."""
    lync = host_of(lab, tmp_path, LYNC1)
    assert lync.product.value == "lync2013" and lync.inventory.product.value == "sfb2019"
    assert schannel.session_ticket_not_applicable(lync) == ""
    assert schannel.session_ticket(lync) == []
    assert "not Lync Server 2013" in schannel.session_ticket_not_applicable(host_of(lab, tmp_path / "fe", FE1))


def test_without_core_components_the_pool_product_decides_not_the_deployment_product(lab, tmp_path):
    """No Core Components entry (a partial InstalledProducts): SCHANNEL-04 falls back to the product of the server's
    pool (lync2013), not the deployment's (sfb2019); an SfB pool's server is still not Lync 2013."""
    def no_core(lab: Lab) -> None:
        for fqdn in (LYNC1, FE1):
            lab.sections(fqdn)["InstalledProducts"] = []

    lync = host_of(lab, tmp_path, LYNC1, no_core)
    assert schannel.session_ticket_not_applicable(lync) == ""
    fe = Host(lync.inventory.server(FE1), lync.inventory, lync._store)
    assert "sfb2019 (its pool's product in the inventory)" in schannel.session_ticket_not_applicable(fe)


def test_tls_disabled_on_the_lab_lync_2013_front_end_is_not_supported(lab, tmp_path):
    lync = host_of(lab, tmp_path, LYNC1, lambda lab: disable_tls10(lab, LYNC1))
    [problem] = tls_protocols.tls_disable_supported(lync)
    assert "Edge role only" in problem.message and not problem.warning
    assert "Microsoft Lync Server 2013, Core Components 5.0.8308.1198" in problem.evidence
