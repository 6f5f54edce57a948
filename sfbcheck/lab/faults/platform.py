"""Faults of the product level, local stores, pool health, the Edge's external side, federation settings and the
evidence itself (VER-*, POOL-*, EDGE-FW-05, EDGE-DNS-05, FED-03/04, EVID-01)."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any

from sfbcheck.lab.faults import fault
from sfbcheck.lab.faults.probes import answers
from sfbcheck.lab.model import Lab
from sfbcheck.lab.sections.network import address
from sfbcheck.probes.dns import OFFICE365_FEDERATION

FE1, FE2, FE3, FE4, FE5 = (f"fe0{i}.contoso.local" for i in range(1, 6))
EDGE1, EDGE2 = "edge01.contoso.local", "edge02.contoso.local"
POOL1, POOL2 = "pool01.contoso.local", "pool02.contoso.local"


def _core(lab: Lab, fqdn: str) -> dict[str, Any]:
    return next(p for p in lab.sections(fqdn)["InstalledProducts"] if p["DisplayName"].endswith("Core Components"))


def _service(lab: Lab, fqdn: str, name: str) -> dict[str, Any]:
    return next(s for s in lab.sections(fqdn)["Win32_Service"] if s["Name"] == name)


def _frontends(lab: Lab) -> list[str]:
    return [m["fqdn"] for m in lab.members("frontend")]


# -- VER ---------------------------------------------------------------------------------------------------------
@fault("fe03-update-not-installed", "VER-01", FE3,
       "the latest cumulative update was installed on fe01 and fe02 but not on fe03, which still runs CU6 "
       "(7.0.2046.385); the pool is therefore also half-way through the update", also=(("VER-02", POOL1),))
def fe03_behind(lab: Lab) -> None:
    for product in lab.sections(FE3)["InstalledProducts"]:
        product["DisplayVersion"] = "7.0.2046.385"


@fault("fe05-left-one-update-behind", "VER-02", POOL2,
       "the policy accepts the June 2023 cumulative update (policy.min_update) and fe05 was left on it while fe04 got "
       "CU8: both pass VER-01, but the pool runs two versions")
def fe05_one_behind(lab: Lab) -> None:
    lab.inventory["policy"]["min_update"] = {"sfb2019": "June 2023 Cumulative Update"}  # lync01 held to its latest
    for product in lab.sections(FE5)["InstalledProducts"]:
        product["DisplayVersion"] = "7.0.2046.521"


@fault("edge01-windows-2012r2", "VER-03", EDGE1,
       "edge01 was rebuilt from an old, hardened Windows Server 2012 R2 template (SSL 2.0/3.0 disabled); SfB Server "
       "2019 needs 2016 or later")
def edge01_old_windows(lab: Lab) -> None:
    sections = lab.sections(EDGE1)
    sections["Win32_OperatingSystem"].update(
        Caption="Microsoft Windows Server 2012 R2 Standard", Version="6.3.9600", BuildNumber="9600")
    for key in sections["Registry"]:
        if any(f"\\Protocols\\{p}\\" in key["Path"] for p in ("SSL 2.0", "SSL 3.0")):
            key.update(Exists=True, LastWriteTime=(lab.now - timedelta(days=900)).isoformat(),
                       Values=[{"Name": "Enabled", "Kind": "DWord", "Value": 0},
                               {"Name": "DisabledByDefault", "Kind": "DWord", "Value": 1}])


@fault("fe02-database-step-skipped", "VER-04", FE2,
       "after the cumulative update on fe02 the local databases were not updated (Install-CsDatabase -Update "
       "-LocalDatabases skipped): rtcdyn is one schema behind")
def fe02_schema_behind(lab: Lab) -> None:
    line = next(s for s in lab.sections(FE2)["CsDatabaseLocal"] if s["DatabaseName"] == "rtcdyn")
    line.update(InstalledVersion="125.54.1", Succeed=False)


# -- POOL --------------------------------------------------------------------------------------------------------
@fault("fe01-lynclocal-stopped", "POOL-01", FE1,
       "the SQL Server (LYNCLOCAL) service on fe01 is stopped (it failed to start after a SQL Express patch)")
def lynclocal_stopped(lab: Lab) -> None:
    _service(lab, FE1, "MSSQL$LYNCLOCAL").update(State="Stopped")


@fault("edge02-rtc-single-user", "POOL-01", EDGE2,
       "a repair left the local rtc database on edge02's RTCLOCAL instance in single-user mode")
def rtc_single_user(lab: Lab) -> None:
    db = next(d for d in lab.sections(EDGE2)["SqlLocalDatabases"] if d["Instance"] == "RTCLOCAL" and d["name"] == "rtc")
    db["user_access_desc"] = "SINGLE_USER"


@fault("pool01-quorum-lost", "POOL-02", POOL1,
       "Windows Fabric (FabricHostSvc) stopped on fe02 and fe03: one of three Front Ends keeps the pool, quorum is "
       "lost (and each of the two misses a service of its role)", also=(("SVC-02", FE2), ("SVC-02", FE3)))
def quorum_lost(lab: Lab) -> None:
    for fqdn in (FE2, FE3):
        _service(lab, fqdn, "FabricHostSvc").update(State="Stopped")


@fault("fe04-stale-ptr", "POOL-03", FE4,
       "the reverse zone still holds the PTR record of the server that had fe04's address before (sql-old)")
def stale_ptr(lab: Lab) -> None:
    ptr = ipaddress.ip_address(lab.member(FE4)["ip"]).reverse_pointer
    for answer in answers(lab, "internal", ptr, "PTR"):
        for record in answer["Answer"]:
            record["NameHost"] = "sql-old.contoso.local"


@fault("fe05-second-nic", "POOL-04", FE5,
       "a second network adapter (backup network 10.20.9.0/24) was added to fe05; SIP listens on every address")
def second_nic(lab: Lab) -> None:
    lab.sections(FE5).setdefault("NetIPAddress", []).append(address("Backup", 14, "10.20.9.12", 24))


# -- Edge external side ---------------------------------------------------------------------------------------
@fault("edge01-5061-to-fe02-blocked", "EDGE-FW-05", EDGE1,
       "the internal firewall lets edge01 reach fe01 and fe03 on 5061 but not fe02 (a rule lists the servers, and "
       "fe02 was added later)")
def edge_5061_blocked(lab: Lab) -> None:
    ip = lab.member(FE2)["ip"]
    probe = next(p for p in lab.sections(EDGE1)["TcpProbe"] if p["RemoteAddress"] == ip and p["RemotePort"] == 5061)
    probe.update(TcpTestSucceeded=False, Error="TCP connect to port failed (timed out)")


@fault("edge02-no-external-resolution", "EDGE-DNS-05", EDGE2,
       "edge02's external DNS servers were removed; it resolves only through its hosts file, so "
       "sipfed.online.lync.com times out")
def edge_no_external_dns(lab: Lab) -> None:
    lookup = next(r for r in lab.sections(EDGE2)["ResolveDnsNameFederation"] if r["QueryName"] == OFFICE365_FEDERATION)
    lookup.update(Records=[], Error="sipfed.online.lync.com : This operation returned because the timeout period "
                                    "expired")


# -- federation settings --------------------------------------------------------------------------------------
@fault("open-federation-enabled", "FED-03", FE1,
       "someone enabled partner discovery (open federation) although the deployment federates with listed partners "
       "only")
def open_federation(lab: Lab) -> None:
    for fqdn in _frontends(lab):
        lab.sections(fqdn)["CsAccessEdgeConfiguration"]["EnablePartnerDiscovery"] = True


@fault("partner-adatum-blocked", "FED-04", FE1,
       "adatum.com, a federation partner, was added to the blocked domains during a spam incident and never removed")
def partner_blocked(lab: Lab) -> None:
    for fqdn in _frontends(lab):
        lab.sections(fqdn)["CsBlockedDomain"].append(
            {"Identity": "adatum.com", "Domain": "adatum.com", "Comment": "spam incident"})


# -- the evidence itself ---------------------------------------------------------------------------------------
@fault("edge02-collected-8h-earlier", "EVID-01", EDGE2,
       "edge02's evidence (collected by hand) is from the morning, eight hours before the rest of the snapshot")
def edge_collected_early(lab: Lab) -> None:
    lab.evidence[EDGE2]["CollectedAt"] = (lab.now - timedelta(hours=8)).isoformat()
