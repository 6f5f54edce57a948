"""Check-level self-tests of HOST-01...04 (sfbcheck/checks/hygiene.py) beyond the lab's both-ways proof."""

from __future__ import annotations

import pytest

from sfbcheck.checks import hygiene
from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence, EvidenceStore
from sfbcheck.host import Host
from sfbcheck.inventory import Inventory
from sfbcheck.lab.sections.hygiene import GIB, power_plans

FE1, EDGE1 = "fe01.contoso.local", "edge01.contoso.local"


def _host(lab, fqdn, **policy):
    data = dict(lab.inventory)
    data["policy"] = {**data.get("policy", {}), **policy}
    inventory = Inventory.model_validate(data)
    store = EvidenceStore(None)  # type: ignore[arg-type]
    store.put(Evidence(fqdn, None, lab.evidence[fqdn]))  # type: ignore[arg-type]
    return Host(inventory.server(fqdn), inventory, store)


def test_ultimate_performance_counts_as_high_performance(lab):
    lab.sections(FE1)["Win32_PowerPlan"] = [
        *power_plans(hygiene.ULTIMATE_PERFORMANCE),
        {"InstanceID": "Microsoft:PowerPlan\\{e9a42b02-d5df-448d-aa00-03f14749eb61}", "ElementName": "Ultimate",
         "IsActive": True}]
    assert hygiene.power_plan(_host(lab, FE1)) == []


def test_no_active_plan_cannot_be_judged(lab):
    for plan in lab.sections(FE1)["Win32_PowerPlan"]:
        plan["IsActive"] = False
    with pytest.raises(EvidenceGap, match="0 active plans"):
        hygiene.power_plan(_host(lab, FE1))


def test_localised_plan_name_is_judged_by_its_guid(lab):
    for plan in lab.sections(FE1)["Win32_PowerPlan"]:
        plan["ElementName"] = {"High performance": "Höchstleistung"}.get(plan["ElementName"], plan["ElementName"])
    assert hygiene.power_plan(_host(lab, FE1)) == []


def test_policy_overrides_the_role_minimum(lab):
    host = _host(lab, EDGE1, host_memory_gb={"edge": 32})
    problems = hygiene.sizing_minimum(host)
    assert len(problems) == 1 and "below the 32 GB" in problems[0].message


def test_free_space_minimum_in_gb_applies_to_a_large_drive(lab):
    for disk in lab.sections(FE1)["Win32_LogicalDisk"]:
        if disk["DeviceID"] == "D:":
            disk["Size"], disk["FreeSpace"] = 2000 * GIB, 9 * GIB  # 0.45 %: both limits broken
    problems = hygiene.free_space(_host(lab, FE1))
    assert len(problems) == 1 and "D: (SQL instance RTCLOCAL data, SQL instance LYNCLOCAL data)" in problems[0].message


def test_a_data_drive_missing_from_the_disks_cannot_be_judged(lab):
    disks = lab.sections(FE1)["Win32_LogicalDisk"]
    disks[:] = [d for d in disks if d["DeviceID"] != "D:"]
    with pytest.raises(EvidenceGap, match="no local fixed disk D:"):
        hygiene.free_space(_host(lab, FE1))


def test_malformed_pending_reboot_is_a_gap_not_a_pass(lab):
    lab.sections(FE1)["PendingReboot"]["PendingFileRenameOperations"] = None
    with pytest.raises(EvidenceGap):
        hygiene.reboot_state(_host(lab, FE1))


@pytest.mark.parametrize(("key", "damage"), [("Shares", True), ("SqlInstances", None), ("Shares", ["D:\\share"]),
                                             ("SqlInstances", [{"Instance": "RTC", "SQLDataRoot": 4}])])
def test_malformed_data_locations_cannot_be_judged(lab, key, damage):
    """A drive left out of HOST-03 would be a drive nobody checks: a damaged list is a gap, never fewer drives."""
    lab.sections(FE1)["DataLocations"][key] = damage
    with pytest.raises(EvidenceGap, match=f"DataLocations.*{key}"):
        hygiene.free_space(_host(lab, FE1))


def test_data_locations_as_one_object_and_an_instance_without_setup_key(lab):
    locations = lab.sections(FE1)["DataLocations"]
    locations["Shares"] = {"Name": "share", "Path": "C:\\share"}  # one object, not in a list
    locations["SqlInstances"] = [*locations["SqlInstances"], {"Instance": "OLD", "SQLDataRoot": None}]
    assert hygiene.free_space(_host(lab, FE1)) == []
