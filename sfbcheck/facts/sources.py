"""Which source the collector read a section from (``Collection.Sections.<name>.Source``, collector 1.1.0).

On Windows Server 2012 and later the collector uses the 2012 cmdlets (Get-NetIPAddress, Get-NetRoute,
Resolve-DnsName, Get-SmbShareAccess); on 2008 R2, where they do not exist, WMI/CIM or .NET
(Win32_NetworkAdapterConfiguration, Win32_IP4RouteTable + Win32_IP4PersistedRouteTable, System.Net.Dns,
Win32_LogicalShareSecuritySetting). The readers in this package accept both shapes (docs/evidence.md); an
older document without a Collection block is told apart by the properties its records carry.
"""

from __future__ import annotations

from typing import Any

from sfbcheck.evidence import Evidence


def declared_source(evidence: Evidence, section: str) -> str:
    """The Source the collector recorded for ``section`` ('' when the document does not say)."""
    collection = evidence.document.get("Collection")
    sections = collection.get("Sections") if isinstance(collection, dict) else None
    about = sections.get(section) if isinstance(sections, dict) else None
    source = about.get("Source") if isinstance(about, dict) else None
    return source if isinstance(source, str) else ""


def is_wmi_shape(evidence: Evidence, section: str, records: list[dict[str, Any]], marker: str) -> bool:
    """True if ``section`` was read from WMI: declared so, or (older documents) its records carry ``marker``."""
    source = declared_source(evidence, section)
    if source:
        return source.startswith("Win32_")
    return any(marker in record for record in records)
