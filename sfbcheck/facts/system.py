"""The machine itself: ``Win32_ComputerSystem`` (domain membership), ``Win32_OperatingSystem`` (version, last
boot) and ``InstalledProducts`` (the Lync / Skype for Business entries of the Uninstall registry keys)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence
from sfbcheck.facts.registry import safe_time

Version = tuple[int, ...]
_VERSION = re.compile(r"^\s*(\d{1,9}(?:\.\d{1,9}){1,3})\s*$")


def parse_version(text: Any) -> Version | None:
    """``"6.0.9319.548"`` -> (6, 0, 9319, 548); None if it is not a dotted version."""
    match = _VERSION.match(text) if isinstance(text, str) else None
    return tuple(int(part) for part in match.group(1).split(".")) if match else None


def show_version(version: Version) -> str:
    return ".".join(str(part) for part in version)


def _single(evidence: Evidence, name: str) -> dict[str, Any]:
    records = evidence.records(name)
    if len(records) != 1:
        raise EvidenceGap(evidence.server, name, f"is malformed: expected one object, got {len(records)}")
    return records[0]


@dataclass(frozen=True)
class ComputerSystem:
    name: str
    domain: str
    part_of_domain: bool
    workgroup: str

    def __str__(self) -> str:
        member = f"domain {self.domain}" if self.part_of_domain else f"workgroup {self.workgroup or self.domain}"
        return f"Win32_ComputerSystem: Name {self.name}, PartOfDomain {self.part_of_domain}, {member}"


def parse_computer_system(evidence: Evidence) -> ComputerSystem:
    rec = _single(evidence, "Win32_ComputerSystem")
    if not isinstance(rec.get("PartOfDomain"), bool):
        raise EvidenceGap(evidence.server, "Win32_ComputerSystem", "is malformed: PartOfDomain is not true/false")
    domain = rec.get("Domain")
    if not isinstance(domain, str) or not domain.strip():  # WMI always fills it: the domain, else the workgroup
        raise EvidenceGap(evidence.server, "Win32_ComputerSystem", f"is malformed: Domain is {domain!r:.60}, not "
                                                                   "the domain or workgroup name")
    return ComputerSystem(str(rec.get("Name") or ""), domain, rec["PartOfDomain"],
                          str(rec.get("Workgroup") or ""))


def computer_system(evidence: Evidence) -> ComputerSystem:
    return evidence.parsed("computer-system", parse_computer_system)


@dataclass(frozen=True)
class OperatingSystem:
    caption: str
    version: Version
    product_type: int | None  # 1 workstation, 2 domain controller, 3 server
    last_boot: datetime | None

    @property
    def is_server(self) -> bool:
        return self.product_type in (None, 2, 3)

    def at_least(self, version: Version) -> bool:
        return self.version >= version

    def __str__(self) -> str:
        boot = f", last boot {self.last_boot.isoformat()}" if self.last_boot else ""
        return f"{self.caption} ({show_version(self.version)}){boot}"


WINDOWS_2008_R2: Version = (6, 1)
WINDOWS_2012: Version = (6, 2)
WINDOWS_2012_R2: Version = (6, 3)
WINDOWS_2016: Version = (10, 0)


def parse_operating_system(evidence: Evidence) -> OperatingSystem:
    rec = _single(evidence, "Win32_OperatingSystem")
    version = parse_version(rec.get("Version"))
    if version is None:
        raise EvidenceGap(evidence.server, "Win32_OperatingSystem",
                          f"is malformed: Version {rec.get('Version')!r:.40} is not a version number")
    product_type = rec.get("ProductType")
    if product_type is not None and (not isinstance(product_type, int) or isinstance(product_type, bool)):
        raise EvidenceGap(evidence.server, "Win32_OperatingSystem", "is malformed: ProductType is not a number")
    try:
        boot = safe_time(rec.get("LastBootUpTime"), "LastBootUpTime")
    except ValueError as exc:
        raise EvidenceGap(evidence.server, "Win32_OperatingSystem", f"is malformed: {exc}") from None
    return OperatingSystem(str(rec.get("Caption") or "Windows"), version, product_type, boot)


def operating_system(evidence: Evidence) -> OperatingSystem:
    return evidence.parsed("operating-system", parse_operating_system)


@dataclass(frozen=True)
class InstalledProduct:
    name: str
    version: Version | None
    raw_version: str


# The component whose version moves with each cumulative update (Get-CsServerVersion shows only the RTM build).
CORE_COMPONENTS = re.compile(r"^(Microsoft )?(Lync Server 2013|Skype for Business Server 201[59]), Core Components",
                             re.IGNORECASE)


def parse_installed_products(evidence: Evidence) -> tuple[InstalledProduct, ...]:
    out = []
    for rec in evidence.records("InstalledProducts"):
        name = rec.get("DisplayName")
        if not isinstance(name, str):
            raise EvidenceGap(evidence.server, "InstalledProducts", f"is malformed: an entry has no DisplayName: "
                                                                   f"{rec!r:.100}")
        raw = rec.get("DisplayVersion")
        out.append(InstalledProduct(name, parse_version(raw), str(raw or "")))
    return tuple(out)


def installed_products(evidence: Evidence) -> tuple[InstalledProduct, ...]:
    return evidence.parsed("installed-products", parse_installed_products)


def core_components(evidence: Evidence) -> InstalledProduct | None:
    """The installed Lync/SfB Server Core Components (their version is the server's CU level), if any."""
    found = [p for p in installed_products(evidence) if CORE_COMPONENTS.match(p.name) and p.version is not None]
    return max(found, key=lambda p: p.version or ()) if found else None
