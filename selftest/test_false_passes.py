"""Never a false pass: a documented fault fails its requirement; the same fault with the value its verdict rests on
damaged (null, a wrong type, a variant spelling) must not turn into a pass. It is "cannot judge" (an error), or
still a failure when the damaged value is one Windows really writes (NetRoute.Store as a number)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from selftest.inprocess import ERROR, FAIL, judge_lab, outcomes
from sfbcheck.facts.registry import SCHANNEL
from sfbcheck.lab.faults import apply
from sfbcheck.lab.model import Lab

EDGE1, EDGE2 = "edge01.contoso.local", "edge02.contoso.local"
FE1, FE3, FE5 = "fe01.contoso.local", "fe03.contoso.local", "fe05.contoso.local"


def _drop_collected_at(lab: Lab) -> None:
    del lab.evidence[FE1]["CollectedAt"]  # the CMS master, whose replication status CMS-02 reads


def _null_domain(lab: Lab) -> None:
    lab.sections(EDGE1)["Win32_ComputerSystem"]["Domain"] = None


def _tls_dword(value: Any) -> Callable[[Lab], None]:
    def damage(lab: Lab) -> None:
        for key in lab.sections(FE5)["Registry"]:
            if key["Path"].replace("HKLM:", "HKLM").startswith(SCHANNEL + "\\Protocols\\TLS 1.0"):
                for entry in key.get("Values") or []:
                    if entry["Name"] == "Enabled":
                        entry["Value"] = value
    return damage


def _null_proxy_fqdn(lab: Lab) -> None:
    for member in lab.members("frontend"):
        for provider in lab.sections(member["fqdn"])["CsHostingProvider"]:
            provider["ProxyFqdn"] = None


def _null_srv_answer(lab: Lab) -> None:
    for query in lab.runner_sections()["DnsQuery"]:
        if query["Name"] == "_sipfederationtls._tcp.litwareinc.com":
            query["Answer"] = None


def _null_provider(fqdn: str) -> Callable[[Lab], None]:
    def damage(lab: Lab) -> None:
        lab.sections(fqdn)["WinEvent"][-1]["ProviderName"] = None
    return damage


def _store_variant(value: Any) -> Callable[[Lab], None]:
    def damage(lab: Lab) -> None:
        for route in lab.sections(EDGE2)["NetRoute"]:
            if route["Store"] == "PersistentStore":
                route["Store"] = value
    return damage


def _not_a_store(fqdn: str, name: str) -> Callable[[Lab], None]:
    def damage(lab: Lab) -> None:
        lab.sections(fqdn)["CertificateStores"][name] = {"x": 1}
    return damage


def _null_tls_version(lab: Lab) -> None:
    for probe in lab.runner_sections()["TlsVersionProbe"]:
        if not probe["Accepted"]:
            probe["Version"] = None  # which version was refused is unknown: no verdict on it


# (fault, requirement, host, damage, verdicts allowed after the damage)
CASES = {
    "cms02-no-collected-at": ("edge01-replica-stale-report", "CMS-02", EDGE1, _drop_collected_at, {ERROR}),
    "edge-dns01-null-domain": ("edge01-joined-to-internal-domain", "EDGE-DNS-01", EDGE1, _null_domain, {ERROR}),
    "tls01-null-dword": ("fe05-tls-disabled-before-cu1", "TLS-01", FE5, _tls_dword(None), {ERROR}),
    "tls01-string-zero-dword": ("fe05-tls-disabled-before-cu1", "TLS-01", FE5, _tls_dword("0"), {ERROR}),
    "fed01-null-proxy-fqdn": ("litwareinc-not-allowed", "FED-01", "litwareinc.com", _null_proxy_fqdn, {ERROR}),
    "fed01-null-srv-answer": ("litwareinc-not-allowed", "FED-01", "litwareinc.com", _null_srv_answer, {ERROR}),
    "evt01-null-provider": ("edge02-access-edge-certificate-events", "EVT-01", EDGE2, _null_provider(EDGE2),
                            {ERROR}),
    "cms05-null-provider": ("fta-1017-edge01-https-unavailable", "CMS-05", FE1, _null_provider(FE1), {ERROR}),
    "oauth02-null-provider": ("fe03-storage-service-32054", "OAUTH-02", FE3, _null_provider(FE3), {ERROR}),
    "route02-store-number": ("edge02-persistent-route-foreign-next-hop", "EDGE-ROUTE-02", EDGE2, _store_variant(0),
                             {FAIL}),  # MSFT_NetRoute.Store 0 = PersistentStore: a plain ConvertTo-Json writes it
    "route02-store-lowercase": ("edge02-persistent-route-foreign-next-hop", "EDGE-ROUTE-02", EDGE2,
                                _store_variant("persistentstore"), {FAIL}),
    "route02-store-unknown": ("edge02-persistent-route-foreign-next-hop", "EDGE-ROUTE-02", EDGE2,
                              _store_variant("Persistent"), {ERROR}),
    "tls02-null-version": ("reverse-proxy-tls10-disabled", "TLS-02", "webext.contoso.com", _null_tls_version,
                           {ERROR}),
    "store02-not-a-store": ("fe03-duplicate-root", "STORE-02", FE3, _not_a_store(FE3, "Root"), {ERROR}),
    "store03-not-a-store": ("edge01-too-many-roots", "STORE-03", EDGE1, _not_a_store(EDGE1, "Root"), {ERROR}),
    "store05-not-a-store": ("edge01-duplicate-friendly-name", "STORE-05", EDGE1, _not_a_store(EDGE1, "My"),
                            {ERROR}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_damaged_fault_is_never_a_pass(name, clean_lab, tmp_path):
    fault, requirement, host, damage, allowed = CASES[name]
    faulty = apply(clean_lab.copy(), [fault])
    assert outcomes(judge_lab(faulty, tmp_path / "fault"), requirement, host) == {FAIL}
    damage(faulty)
    found = judge_lab(faulty, tmp_path / "damaged")
    assert outcomes(found, requirement, host) <= allowed, [v for v in found.values()
                                                         if v.requirement == requirement and v.host == host]
