"""Front End side rules at their edges: OAuth URL schemes, TimeSpan forms, event texts, replica matching."""

from __future__ import annotations

import pytest

from selftest.test_frontend_evidence import FE1, hosts, replica
from sfbcheck.checks import backup, oauth, replication
from sfbcheck.lab.sections.events import event
from sfbcheck.lab.sections.frontend import dns_answer

ONLINE = [dns_answer("autodiscover.contoso.com", "CNAME", "autodiscover.outlook.com"),
          dns_answer("autodiscover.outlook.com", "A", "203.0.113.10")]
DIRECT = [dns_answer("autodiscover-s.outlook.com", "A", "203.0.113.12")]
ON_PREMISES = [dns_answer("mail.contoso.com", "A", "10.10.1.40")]


@pytest.mark.parametrize(("url", "dns", "ok"), [
    ("http://autodiscover.contoso.com/autodiscover/autodiscover.svc", ONLINE, True),
    ("https://autodiscover.contoso.com/autodiscover/autodiscover.svc", ONLINE, False),
    ("http://autodiscover.contoso.com/autodiscover/autodiscover.xml", ONLINE, False),
    ("https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc", DIRECT, True),
    ("http://autodiscover-s.outlook.com/autodiscover/autodiscover.svc", DIRECT, False),
    ("https://mail.contoso.com/autodiscover/autodiscover.svc", ON_PREMISES, True),
    ("http://mail.contoso.com/autodiscover/autodiscover.svc", ON_PREMISES, False),
    ("https://mail.contoso.com/EWS/Exchange.asmx", ON_PREMISES, False),
    ("", ON_PREMISES, False),
])
def test_oauth_autodiscover_url_rules(lab, tmp_path, url, dns, ok):
    lab.sections(FE1)["CsOAuthConfiguration"]["ExchangeAutodiscoverUrl"] = url
    lab.sections(FE1)["ResolveDnsNameAutodiscover"] = dns
    problems = oauth.autodiscover_url_scheme(hosts(lab, tmp_path)(FE1))
    assert (not problems) == ok, problems
    if problems:
        assert "Set-CsOAuthConfiguration -Identity Global -ExchangeAutodiscoverUrl" in problems[0].fix


@pytest.mark.parametrize("value", ["00:00:30", {"Ticks": 300000000, "TotalSeconds": 30.0}, 30])
def test_timespan_forms_are_read(lab, tmp_path, value):
    for registrar in lab.sections(FE1)["CsServiceRegistrar"]:
        registrar["FailureDetectionInterval"] = value
    problems = backup.detection_intervals(hosts(lab, tmp_path)(FE1))
    assert len(problems) == 1 and "30 s" in problems[0].message


def test_1017_names_every_replica_quoted(lab, tmp_path):
    text = ("File transfer failed for some replica machines.\n\nReplica file transfer failures: "
            "edge01.contoso.local: Https destination unavailable., edge02.contoso.local: Https destination "
            "unavailable.\n\nCause: Possible issues with transferring files to the replicas listed above.")
    lab.sections(FE1)["WinEvent"].append(event(lab, FE1, "LS File Transfer Agent Service", 1017, text))
    [problem] = replication.file_transfer_events(hosts(lab, tmp_path)(FE1))
    assert "edge01.contoso.local, edge02.contoso.local" in problem.message and "4443" in problem.message


def test_old_fta_event_outside_lookback_is_ignored(lab, tmp_path):
    lab.sections(FE1)["WinEvent"].append(event(lab, FE1, "LS File Transfer Agent Service", 1034,
                                               "Access denied. (\\\\fe04.contoso.local\\xds-replica\\x)",
                                               hours_ago=24 * 30))
    assert replication.file_transfer_events(hosts(lab, tmp_path)(FE1)) == []


def test_replica_matched_without_case_and_trailing_dot(lab, tmp_path):
    for status in lab.sections(FE1)["CsManagementStoreReplicationStatus"]:
        status["ReplicaFqdn"] = status["ReplicaFqdn"].upper() + "."
    host = hosts(lab, tmp_path)
    assert replication.replica_up_to_date(replica(host, "edge02.contoso.local")) == []


def test_cms_module_not_initialized_fails_only_on_the_cms_pool(lab, tmp_path):
    for fe in ("fe01.contoso.local", "fe04.contoso.local"):
        for module in lab.sections(fe)["CsBackupServiceStatus"]["BackupModules"]:
            if module["Identity"] == "CentralMgmt.CMSMaster":
                module["ExportStatus"] = "NotInitialized"
    host = hosts(lab, tmp_path)
    assert backup.backup_service_status(host("fe04.contoso.local")) == []
    [problem] = backup.backup_service_status(host(FE1))
    assert "CentralMgmt.CMSMaster (CMS)" in problem.message
