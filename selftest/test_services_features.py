"""SVC-02 on real-shaped Win32_Service lists: the services a Front End must run follow its pool's topology
features (Enterprise Voice, dial-in conferencing, conferencing, collocated Mediation) and the product (Windows
Fabric on Lync 2013 / SfB 2015 / 2019 Front Ends), not one fixed list."""

from __future__ import annotations

import pytest

from selftest.test_host_checks import host_of
from sfbcheck.checks import services
from sfbcheck.lab.model import Lab

FE1, FE4 = "fe01.contoso.local", "fe04.contoso.local"
VOICE = {"RTCATS", "RTCCPS", "RTCRGS"}
DIALIN = {"RTCCAA", "RTCCAS"}


def without(fqdn: str, names: set[str]):
    def edit(lab: Lab) -> None:
        section = lab.sections(fqdn)["Win32_Service"]
        section[:] = [s for s in section if s["Name"] not in names]
    return edit


def test_front_end_without_voice_features_needs_no_voice_services(lab, tmp_path):
    """pool02 has only the conferencing feature: no Response Group, Call Park, Audio Test or dial-in services."""
    fe = host_of(lab, tmp_path, FE4, without(FE4, VOICE | DIALIN))
    assert services.role_services_running(fe) == []
    assert not (VOICE | DIALIN) & set(services.expected_services(fe))


def test_enterprise_voice_pool_needs_its_voice_services(lab, tmp_path):
    fe = host_of(lab, tmp_path, FE1, without(FE1, {"RTCRGS"}))
    [problem] = services.role_services_running(fe)
    assert "Response Group" in problem.message and "feature enterprise_voice" in problem.message


@pytest.mark.parametrize("product", ["lync2013", "sfb2015", "sfb2019"])
def test_windows_fabric_is_expected_on_front_ends(lab, tmp_path, product):
    def edit(lab: Lab) -> None:
        lab.inventory["product"] = product
        lab.sections(FE4).pop("InstalledProducts")  # judged by the inventory's product
        without(FE4, {"FabricHostSvc"})(lab)

    [problem] = services.role_services_running(host_of(lab, tmp_path, FE4, edit))
    assert "FabricHostSvc" in problem.message and product in problem.message


def test_collocated_mediation_adds_the_mediation_service(lab, tmp_path):
    def edit(lab: Lab) -> None:
        lab.pool_of(FE4)["features"].append("mediation_collocated")

    fe = host_of(lab, tmp_path, FE4, edit)
    [problem] = services.role_services_running(fe)
    assert "RTCMEDSRV" in problem.message and "not installed" in problem.message
