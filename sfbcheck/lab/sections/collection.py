"""Lab evidence: the collector's Collection block (collector 1.1.0): the time limits, and per section the source
it was read from, its seconds and its outcome. Runs last, over every section the other builders wrote.

The clean lab is a Windows Server 2019 lab: each section comes from the 2012+ cmdlet or the class it is named
after; ``sfbcheck.lab.variants.windows_2008r2`` rewrites the sections and these sources into the shapes the
collector's 2008 R2 paths produce.
"""

from __future__ import annotations

from typing import Any

from sfbcheck.lab.model import Lab

SECTION_TIMEOUT, TOTAL_TIMEOUT = 120, 600
CMDLET_SOURCES = {
    "NetIPAddress": "Get-NetIPAddress", "NetRoute": "Get-NetRoute", "ResolveDnsName": "Resolve-DnsName -DnsOnly",
    "ResolveDnsNameAutodiscover": "Resolve-DnsName -DnsOnly", "SmbShareAccess": "Get-SmbShareAccess",
    "DnsClient": "Get-DnsClient", "DnsClientGlobalSetting": "Get-DnsClientGlobalSetting",
    "DnsClientServerAddress": "Get-DnsClientServerAddress", "Win32_PowerPlan": "Win32_PowerPlan",
    "Identity": "Tcpip\\Parameters NV Hostname, NV Domain; Get-CsComputer",
    "NetTCPConnectionSip": "Get-NetTCPConnection", "ResolveDnsNameFederation": "Resolve-DnsName -DnsOnly",
}


def collection(document: dict[str, Any], sources: dict[str, str]) -> dict[str, Any]:
    sections = {name: {"Source": sources.get(name, ""), "Seconds": 0.4, "Outcome": "collected"}
                for name in document["Sections"]}
    return {"SectionTimeoutSeconds": SECTION_TIMEOUT, "TotalTimeoutSeconds": TOTAL_TIMEOUT, "InProcess": False,
            "Seconds": round(0.4 * len(sections), 2), "TotalTimedOut": False, "Redacted": False, "Sections": sections}


def build(lab: Lab) -> None:
    for document in lab.evidence.values():
        document["Collection"] = collection(document, CMDLET_SOURCES)
