"""The corpus of real output (selftest/data/real, sources in its README): every host-evidence file is parsed
through the facts layer the checks use, and the fields the suite relies on come out as the public sample shows
them. A file without a README row, or a README row without its file, fails."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from sfbcheck.checks.tls_prerequisites import NET_KEYS
from sfbcheck.checks.tls_protocols import SIDES, disabled_sides, protocol_path
from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence
from sfbcheck.facts.events import events
from sfbcheck.facts.federation import hosting_providers
from sfbcheck.facts.hosts import hosts_file
from sfbcheck.facts.network import network
from sfbcheck.facts.registry import WINHTTP, WINHTTP_WOW64, registry
from sfbcheck.facts.replication import replicas
from sfbcheck.facts.resolution import resolutions
from sfbcheck.facts.serials import attached_serials

REAL = Path(__file__).parent / "data" / "real"
HOST_FILES = sorted(p.name for p in REAL.glob("*--*.json"))


def evidence(**sections: Any) -> Evidence:
    document = {"SchemaVersion": 1, "Server": "corpus", "CollectedAt": "2024-05-06T12:00:00Z", "Sections": sections}
    return Evidence("corpus", REAL, document)


def load(name: str) -> Any:
    return json.loads((REAL / name).read_text(encoding="utf-8"))


def test_every_file_has_a_readme_row_and_every_row_a_file():
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([^`]+)` \|", readme, re.MULTILINE))
    present = {p.name for p in REAL.iterdir() if p.name != "README.md"}
    assert present - listed == set(), "files without a README row (source)"
    assert listed - present == set(), "README rows without their file"


@pytest.mark.parametrize("name", HOST_FILES)
def test_section_name_is_the_collectors(name):
    section = name.split("--", 1)[0]
    collector = (REAL.parent.parent.parent / "collector" / "Collect-SfbEvidence.ps1").read_text(encoding="utf-8")
    assert f"@('{section}'," in collector


def test_get_netipaddress_sample():
    facts = network(evidence(NetIPAddress=load("NetIPAddress--pastebin-3EQWnWDY.json"), NetRoute=[]))
    assert [i.alias for i in facts.interfaces if i.is_pseudo] == ["Loopback Pseudo-Interface 1"] * 2
    [adapter] = facts.adapters(4).values()
    assert (adapter.alias, adapter.index, str(adapter.address), adapter.network.prefixlen) == (
        "Ethernet", 12, "192.168.1.64", 24)


def test_windows_default_hosts_file_both_encodings():
    data = load("HostsFile--windows-default.json")
    for section in (data, {k: v for k, v in data.items() if k != "Content"}):  # Content, or RawContent only
        hosts = hosts_file(evidence(HostsFile=section))
        assert hosts.entries == () and hosts.malformed == ()


def test_registry_after_microsofts_tls_reg_files():
    keys = registry(evidence(Registry=load("Registry--ms-disable-tls-1.0-1.1-page.json")))
    assert len(disabled_sides(keys)) == 4  # TLS 1.0 and 1.1, Client and Server
    for protocol in ("SSL 2.0", "SSL 3.0"):
        for side in SIDES:
            assert keys.require(protocol_path(protocol, side)).value("Enabled").dword == 0
    assert all(keys.require(path).value("SchUseStrongCrypto").dword == 1 for path in NET_KEYS)
    assert {keys.require(p).value("DefaultSecureProtocols").dword for p in (WINHTTP, WINHTTP_WOW64)} == {0xAA0}
    aes = keys.require(r"HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Ciphers\AES 128/128")
    assert aes.value("Enabled").dword == 0xFFFFFFFF  # dword:FFFFFFFF as PowerShell reads it (unsigned)


def test_hosting_provider_samples():
    sample = load("CsHostingProvider--opd-RDCheckSharedAddressSpace.json")
    [o365] = hosting_providers(evidence(CsHostingProvider=sample))
    assert (o365.proxy_fqdn, o365.enabled, o365.shared_address_space, o365.hosts_ocs_users) == (
        "sipfed.online.lync.com", True, True, True)
    [push] = hosting_providers(evidence(CsHostingProvider=load("CsHostingProvider--seed003-LyncOnline.json")))
    assert (push.identity, push.shared_address_space, push.hosts_ocs_users, push.autodiscover_url) == (
        "LyncOnline", False, False, "")
    with pytest.raises(EvidenceGap, match="EnabledSharedAddressSpace"):  # an empty value is cannot judge
        hosting_providers(evidence(CsHostingProvider=load(
            "CsHostingProvider--opd-RDCheckSharedAddressSpace-empty.json")))


def test_replication_status_sample():
    found = replicas(evidence(CsManagementStoreReplicationStatus=load(
        "CsManagementStoreReplicationStatus--opd-RDCheckCMSReplicationStatus.json")))
    assert sorted(found) == ["edge.contoso.com", "sfb2019.contoso.com"]
    assert all(r.up_to_date and r.product_version == "7.0.2046.0" and r.last_status_report for r in found.values())


def test_resolve_dnsname_sample():
    [lookup] = resolutions(evidence(ResolveDnsName=load("ResolveDnsName--opd-RDCheckMultihomedServer.json"))).values()
    assert (lookup.query, [str(a) for a in lookup.addresses]) == ("sfb2019.contoso.com", ["192.168.2.54"])


@pytest.mark.parametrize(("name", "ids"), [("WinEvent--seed001-cms-replication.json", [1017, 1015, 1034]),
                                           ("WinEvent--seed003-and-kb2901554.json", [32042, 32054])])
def test_event_samples(name, ids):
    found = events(evidence(WinEvent=load(name)))
    assert sorted(e.id for e in found) == sorted(ids)
    for event in found:
        assert event.provider.startswith("LS ") and event.message and event.level == "Error"
        assert attached_serials(event.properties) == []  # the samples show no Details tab
    if 32042 in ids:
        assert any("serial number is attached for reference" in e.message for e in found)
