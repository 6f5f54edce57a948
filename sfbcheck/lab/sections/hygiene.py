"""Lab evidence for server platform hygiene (HOST-01...04): Win32_PowerPlan, sizing (Win32_ComputerSystem memory,
Win32_Processor), Win32_LogicalDisk, DataLocations and PendingReboot, as the collector writes them.

Clean lab: High performance active everywhere; Front Ends 64 GB and two 8-core sockets, Edges and Office Online
Server 16 GB and two 4-core sockets; C: 127 GB with 60 GB free, the Front Ends' SQL Express instances (RTCLOCAL,
LYNCLOCAL) on D:; no reboot pending (the last boot, Win32_OperatingSystem, is six days old).
"""

from __future__ import annotations

from typing import Any

from sfbcheck.lab.model import Lab

GIB = 1024 ** 3
PLANS = (("381b4222-f694-41f0-9685-ff5bb260df2e", "Balanced"),
         ("8c5e7fda-e8bf-4a96-9a85-a6e23a8c635c", "High performance"),
         ("a1841308-3541-4fab-bc81-f71556f20b4a", "Power saver"))
ACTIVE = "8c5e7fda-e8bf-4a96-9a85-a6e23a8c635c"
# TotalPhysicalMemory is a little under the installed size (firmware-reserved memory)
MEMORY = {"frontend": 64 * GIB - 190 * 1024 ** 2, "default": 16 * GIB - 150 * 1024 ** 2}
CORES = {"frontend": 8, "default": 4}  # per socket, two sockets


def power_plans(active: str = ACTIVE) -> list[dict[str, Any]]:
    return [{"InstanceID": f"Microsoft:PowerPlan\\{{{guid}}}", "ElementName": name, "IsActive": guid == active}
            for guid, name in PLANS]


def processors(cores: int) -> list[dict[str, Any]]:
    return [{"DeviceID": f"CPU{i}", "Name": "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", "NumberOfCores": cores,
             "NumberOfLogicalProcessors": cores, "MaxClockSpeed": 2494} for i in range(2)]


def disk(drive: str, size_gb: int, free_gb: float, label: str) -> dict[str, Any]:
    return {"DeviceID": drive, "DriveType": 3, "FileSystem": "NTFS", "Size": size_gb * GIB,
            "FreeSpace": int(free_gb * GIB), "VolumeName": label}


def build(lab: Lab) -> None:
    for member in lab.members():
        fqdn = member["fqdn"]
        role = lab.pool_of(fqdn)["role"]
        sections = lab.sections(fqdn)
        system = sections["Win32_ComputerSystem"]
        system["TotalPhysicalMemory"] = MEMORY.get(role, MEMORY["default"])
        cores = CORES.get(role, CORES["default"])
        system["NumberOfProcessors"], system["NumberOfLogicalProcessors"] = 2, 2 * cores
        sections["Win32_Processor"] = processors(cores)
        sections["Win32_PowerPlan"] = power_plans()
        disks = [disk("C:", 127, 60.4, "")]
        locations: dict[str, Any] = {"SqlInstances": [], "Shares": []}
        if role == "frontend":
            disks.append(disk("D:", 200, 141.2, "Data"))
            locations["SqlInstances"] = [
                {"Instance": name, "SQLDataRoot": f"D:\\Program Files\\Microsoft SQL Server\\MSSQL13.{name}\\MSSQL"}
                for name in ("RTCLOCAL", "LYNCLOCAL")]
        if role in ("frontend", "director", "mediation"):
            locations["Shares"] = [{"Name": "xds-replica", "Path": "C:\\RTCReplicaRoot\\xds-replica"}]
        sections["Win32_LogicalDisk"] = disks
        sections["DataLocations"] = locations
        sections["PendingReboot"] = {"ComponentBasedServicingRebootPending": False,
                                     "WindowsUpdateRebootRequired": False, "PendingFileRenameOperations": 0}
