"""Front End side: malformed cmdlet output in evidence is a clear failure (EvidenceGap naming the section) of
the requirements that need it, never a crash."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from selftest.harness import TESTS, run_suite
from sfbcheck.checks import backup, hybrid, oauth, owas, replication
from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import EvidenceStore
from sfbcheck.host import Host
from sfbcheck.inventory import load_inventory
from sfbcheck.lab.model import Lab
from sfbcheck.targets import Replica

FE1, FE4, EDGE2, OWAS1 = "fe01.contoso.local", "fe04.contoso.local", "edge02.contoso.local", "owas01.contoso.local"


def hosts(lab: Lab, tmp_path) -> Callable[[str], Host]:
    inventory = load_inventory(lab.write(tmp_path / "lab"))
    store = EvidenceStore(inventory.evidence_dir)
    return lambda fqdn: Host(inventory.server(fqdn), inventory, store)


def replica(host: Callable[[str], Host], fqdn: str) -> Replica:
    return Replica(host(fqdn).server, host(FE1))


def _set(server: str, section: str, value: Any) -> Callable[[Lab], None]:
    return lambda lab: lab.sections(server).__setitem__(section, value)


def _edit(server: str, section: str, index: int | None, **props: Any) -> Callable[[Lab], None]:
    def change(lab: Lab) -> None:
        target = lab.sections(server)[section]
        (target if index is None else target[index]).update(props)
    return change


def _drop(server: str, section: str) -> Callable[[Lab], None]:
    return lambda lab: lab.sections(server).pop(section)


CASES = {
    "status-not-a-list": (_set(FE1, "CsManagementStoreReplicationStatus", "Access is denied."),
                          lambda h: replication.replica_up_to_date(replica(h, EDGE2)),
                          "CsManagementStoreReplicationStatus"),
    "uptodate-not-bool": (_edit(FE1, "CsManagementStoreReplicationStatus", 0, UpToDate="maybe"),
                          lambda h: replication.replica_up_to_date(replica(h, EDGE2)), "UpToDate"),
    "report-not-a-date": (_edit(FE1, "CsManagementStoreReplicationStatus", 0, LastStatusReport="yesterday"),
                          lambda h: replication.replica_reported_recently(replica(h, EDGE2)), "LastStatusReport"),
    "cms-status-missing": (_drop(FE1, "CsCentralManagementStoreStatus"),
                           lambda h: replication.active_master(h(FE1)), "missing"),
    "share-acl-missing": (_drop(FE4, "SmbShareAccess"),
                          lambda h: replication.replica_share_and_group(h(FE4)), "SmbShareAccess"),
    "groups-not-objects": (_set(FE1, "ADPrincipalGroupMembership", ["RTCUniversalConfigReplicator"]),
                           lambda h: replication.replica_share_and_group(h(FE1)), "ADPrincipalGroupMembership"),
    "event-without-id": (lambda lab: lab.sections(FE1)["WinEvent"].append({"ProviderName": "x", "Message": "y"}),
                         lambda h: replication.file_transfer_events(h(FE1)), "WinEvent"),
    "relationship-no-pool": (_set(FE1, "CsPoolBackupRelationship", [{"BackupPoolFqdn": "pool02.contoso.local"}]),
                             lambda h: backup.backup_relationship(h(FE1)), "PoolFqdn"),
    "backup-modules-text": (_edit(FE4, "CsBackupServiceStatus", None, BackupModules="UserServices.PresenceFocus"),
                            lambda h: backup.backup_service_status(h(FE4)), "BackupModules"),
    "interval-not-timespan": (_edit(FE1, "CsServiceRegistrar", 0, FailureDetectionInterval="soon"),
                              lambda h: backup.detection_intervals(h(FE1)), "FailureDetectionInterval"),
    "db-test-no-succeed": (_edit(FE4, "CsDatabaseCentralManagement", 0, Succeed=None),
                           lambda h: backup.standby_cms_database(h(FE4)), "Succeed"),
    "sip-domain-no-name": (_set(FE1, "CsSipDomain", [{"Identity": "contoso.com"}]),
                           lambda h: hybrid.online_domains_on_premises(h(FE1)), "Name"),
    "provider-enabled-text": (_edit(FE1, "CsHostingProvider", 0, Enabled="yes"),
                              lambda h: hybrid.office365_hosting_provider(h(FE1)), "Enabled"),
    "push-config-missing": (_drop(FE1, "CsPushNotificationConfiguration"),
                            lambda h: hybrid.push_allowed(h(FE1)), "CsPushNotificationConfiguration"),
    "oauth-config-two-objects": (lambda lab: lab.sections(FE1).__setitem__(
                                     "CsOAuthConfiguration", [lab.sections(FE1)["CsOAuthConfiguration"]] * 2),
                                 lambda h: oauth.autodiscover_url_scheme(h(FE1)), "one object"),
    "autodiscover-not-resolved": (_set(FE1, "ResolveDnsNameAutodiscover", []),
                                  lambda h: oauth.autodiscover_url_scheme(h(FE1)), "autodiscover.contoso.com"),
    "owas-no-install-location": (_edit(OWAS1, "Win32_Product", 0, InstallLocation=""),
                                 lambda h: owas.installed_on_system_drive(h(OWAS1)), "InstallLocation"),
    "owas-no-system-drive": (lambda lab: lab.sections(OWAS1)["Win32_OperatingSystem"].pop("SystemDrive"),
                             lambda h: owas.installed_on_system_drive(h(OWAS1)), "SystemDrive"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_section_is_an_evidence_gap(name, lab, tmp_path):
    mutate, check, phrase = CASES[name]
    mutate(lab)
    with pytest.raises(EvidenceGap, match=phrase):
        check(hosts(lab, tmp_path))


def test_malformed_replication_status_errors_every_replica_clearly(lab, tmp_path):
    lab.sections(FE1)["CsManagementStoreReplicationStatus"] = {"ReplicaFqdn": None}
    run = run_suite(lab.write(tmp_path / "lab"), tmp_path / "reports", tests=TESTS / "test_replication.py")
    judged = [r for r in run.results if r["requirement"] in ("CMS-01", "CMS-02")]
    assert judged and all(r["outcome"] == "error" for r in judged), run.stdout[-2000:]  # cannot judge
    assert all("cannot judge fe01.contoso.local" in r["message"] and "ReplicaFqdn" in r["message"] for r in judged)
    others = [r for r in run.results if r["requirement"] not in ("CMS-01", "CMS-02")]
    assert others and all(r["outcome"] == "passed" for r in others)
