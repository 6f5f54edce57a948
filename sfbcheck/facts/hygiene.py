"""Server platform hygiene facts (HOST-01...04): power plans, memory and cores, disks and the drives that hold
data, last boot and the pending-reboot markers.

Sections (docs/evidence.md): ``Win32_PowerPlan`` (root\\cimv2\\power: InstanceID ``Microsoft:PowerPlan\\{GUID}``,
ElementName, IsActive), ``Win32_ComputerSystem`` (TotalPhysicalMemory, bytes), ``Win32_Processor`` (one object per
socket: NumberOfCores, NumberOfLogicalProcessors), ``Win32_LogicalDisk`` (DriveType 3: DeviceID ``C:``, Size,
FreeSpace in bytes), ``DataLocations`` (SqlInstances [{Instance, SQLDataRoot}] from the SQL Server Setup keys,
Shares [{Name, Path}] from Win32_Share Type 0) and ``PendingReboot`` (ComponentBasedServicingRebootPending,
WindowsUpdateRebootRequired, PendingFileRenameOperations = the number of entries).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence
from sfbcheck.facts.fields import readers, single

PLAN_ID = re.compile(r"\{([0-9a-fA-F-]{36})\}")
DRIVE = re.compile(r"^\s*([A-Za-z]:)")
GIB = 1024 ** 3


@dataclass(frozen=True)
class PowerPlan:
    guid: str
    name: str
    active: bool

    def __str__(self) -> str:
        return f"{self.name} {{{self.guid}}}{' (active)' if self.active else ''}"


def parse_power_plans(evidence: Evidence) -> tuple[PowerPlan, ...]:
    out = []
    for r in readers(evidence, "Win32_PowerPlan"):
        found = PLAN_ID.search(r.text("InstanceID"))
        if not found:
            raise r.gap("InstanceID is not Microsoft:PowerPlan\\{GUID}")
        out.append(PowerPlan(found.group(1).lower(), r.text("ElementName", required=False), r.boolean("IsActive")))
    return tuple(out)


def power_plans(evidence: Evidence) -> tuple[PowerPlan, ...]:
    return evidence.parsed("power-plans", parse_power_plans)


def _number(record: dict[str, Any], name: str, section: str, server: str) -> int:
    value = record.get(name)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise EvidenceGap(server, section, f"is malformed: {name} is {value!r:.40}, not a count")
    return value


@dataclass(frozen=True)
class Sizing:
    memory_bytes: int
    cores: int
    logical_processors: int
    sockets: int

    @property
    def memory_gb(self) -> int:
        """Installed memory in GB: TotalPhysicalMemory (a little under the modules' size) rounded."""
        return round(self.memory_bytes / GIB)

    def __str__(self) -> str:
        return (f"Win32_ComputerSystem.TotalPhysicalMemory {self.memory_bytes} bytes (~{self.memory_gb} GB); "
                f"Win32_Processor: {self.sockets} socket(s), {self.cores} cores, {self.logical_processors} "
                f"logical processors")


def parse_sizing(evidence: Evidence) -> Sizing:
    system = single(evidence, "Win32_ComputerSystem").record
    memory = _number(system, "TotalPhysicalMemory", "Win32_ComputerSystem", evidence.server)
    sockets = evidence.records("Win32_Processor")
    if not sockets:
        raise EvidenceGap(evidence.server, "Win32_Processor", "is empty")
    cores = sum(_number(s, "NumberOfCores", "Win32_Processor", evidence.server) for s in sockets)
    logical = sum(_number(s, "NumberOfLogicalProcessors", "Win32_Processor", evidence.server) for s in sockets)
    return Sizing(memory, cores, logical, len(sockets))


def sizing(evidence: Evidence) -> Sizing:
    return evidence.parsed("sizing", parse_sizing)


@dataclass(frozen=True)
class Disk:
    drive: str
    size: int
    free: int

    @property
    def free_percent(self) -> float:
        return 100.0 * self.free / self.size if self.size else 0.0

    def __str__(self) -> str:
        return (f"{self.drive} {self.free / GIB:.1f} GB free of {self.size / GIB:.1f} GB "
                f"({self.free_percent:.1f} %)")


def parse_disks(evidence: Evidence) -> dict[str, Disk]:
    out = {}
    for rec in evidence.records("Win32_LogicalDisk"):
        drive = DRIVE.match(str(rec.get("DeviceID") or ""))
        if not drive:
            raise EvidenceGap(evidence.server, "Win32_LogicalDisk", f"is malformed: DeviceID {rec.get('DeviceID')!r}")
        name = drive.group(1).upper()
        out[name] = Disk(name, _number(rec, "Size", "Win32_LogicalDisk", evidence.server),
                         _number(rec, "FreeSpace", "Win32_LogicalDisk", evidence.server))
    return out


def disks(evidence: Evidence) -> dict[str, Disk]:
    return evidence.parsed("disks", parse_disks)


def _located(evidence: Evidence, locations: dict[str, Any], key: str, where: str) -> list[tuple[str, str]]:
    """(drive, what it holds) for each object of ``DataLocations.<key>`` whose ``where`` property names a drive.

    The collector always writes the list (empty when there is nothing); anything else cannot be judged, since a
    drive left out would be a drive whose free space nobody checks. A null path is an instance without its
    Setup key: nothing to place."""
    value = locations.get(key)
    value = [value] if isinstance(value, dict) else value  # one object, as an old ConvertTo-Json may write it
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise EvidenceGap(evidence.server, "DataLocations", f"is malformed: {key} is not a list of objects")
    found = []
    for item in value:
        path = item.get(where)
        if path is not None and not isinstance(path, str):
            raise EvidenceGap(evidence.server, "DataLocations", f"is malformed: {key} {where} is {path!r:.40}")
        drive = DRIVE.match(path or "")
        if drive:
            name = item.get("Instance" if key == "SqlInstances" else "Name")
            found.append((drive.group(1).upper(),
                          f"SQL instance {name} data" if key == "SqlInstances" else f"share {name}"))
    return found


def data_drives(evidence: Evidence, system_drive: str) -> dict[str, list[str]]:
    """Drive -> what it holds: the system drive, each local SQL instance's data root, each local share."""
    out: dict[str, list[str]] = {system_drive.upper(): ["the system drive"]}
    locations = evidence.section("DataLocations", dict)
    for drive, holds in (*_located(evidence, locations, "SqlInstances", "SQLDataRoot"),
                         *_located(evidence, locations, "Shares", "Path")):
        out.setdefault(drive, []).append(holds)
    return out


@dataclass(frozen=True)
class PendingReboot:
    servicing: bool
    windows_update: bool
    file_renames: int

    @property
    def reasons(self) -> list[str]:
        found = []
        if self.servicing:
            found.append("Component Based Servicing\\RebootPending exists (an update or role change)")
        if self.windows_update:
            found.append("WindowsUpdate\\Auto Update\\RebootRequired exists")
        if self.file_renames:
            found.append(f"Session Manager PendingFileRenameOperations has {self.file_renames} entr"
                         f"{'y' if self.file_renames == 1 else 'ies'} (files replaced at the next boot)")
        return found


def parse_pending_reboot(evidence: Evidence) -> PendingReboot:
    r = single(evidence, "PendingReboot")
    renames = _number(r.record, "PendingFileRenameOperations", "PendingReboot", evidence.server)
    return PendingReboot(r.boolean("ComponentBasedServicingRebootPending"), r.boolean("WindowsUpdateRebootRequired"),
                         renames)


def pending_reboot(evidence: Evidence) -> PendingReboot:
    return evidence.parsed("pending-reboot", parse_pending_reboot)
