"""Server platform hygiene (HOST-01...04, impact warning): power plan, sizing, free disk space, reboots.

Sources: Microsoft "Server requirements for Skype for Business Server 2015 / 2019" and "Lync Server 2013
hardware requirements" (Front End, Back End, Standard Edition: 64-bit dual processor, hex-core = 12 cores,
32 GB; Edge, Director, Mediation: dual quad-core = 8 cores, 16 GB); Office Online Server / Office Web Apps
Server: the SharePoint Server hardware minimum (4 cores, 12 GB); OPD RDCheckPowerPlan, RDServerMemory,
RDServerCores, RDCheckDiskHealthStatus, RDDBDriveFull; Microsoft CU installation guidance (reboot after a CU).
"""

from __future__ import annotations

from datetime import timedelta

from sfbcheck.errors import EvidenceGap
from sfbcheck.facts.fields import single
from sfbcheck.facts.hygiene import GIB, data_drives, disks, pending_reboot, power_plans, sizing
from sfbcheck.facts.system import operating_system
from sfbcheck.host import Host
from sfbcheck.problems import Problem

HIGH_PERFORMANCE = "8c5e7fda-e8bf-4a96-9a85-a6e23a8c635c"  # SCHEME_MIN, the same GUID in every language
ULTIMATE_PERFORMANCE = "e9a42b02-d5df-448d-aa00-03f14749eb61"  # 2016+: at least as fast
# role -> (memory GB, cores) Microsoft documents for it
MINIMUMS = {"frontend": (32, 12), "director": (16, 8), "edge": (16, 8), "mediation": (16, 8), "owas": (12, 4)}


def power_plan(server: Host) -> list[Problem]:
    """HOST-01: the active power plan is High performance (OPD RDCheckPowerPlan; Microsoft platform guidance)."""
    plans = power_plans(server.evidence)
    active = [p for p in plans if p.active]
    if len(active) != 1:
        raise EvidenceGap(server.fqdn, "Win32_PowerPlan", f"has {len(active)} active plans, expected one")
    if active[0].guid in (HIGH_PERFORMANCE, ULTIMATE_PERFORMANCE):
        return []
    return [Problem(f"the active power plan is {active[0].name or active[0].guid}, not High performance: the CPUs "
                    f"are clocked down and media and SIP processing lag under load",
                    fix=f"On {server.fqdn}: powercfg /setactive {HIGH_PERFORMANCE}  (High performance), and set it "
                        f"in the GPO if one manages power plans; on a VM also set the host's power policy to "
                        f"performance.",
                    evidence="\n".join(str(p) for p in plans))]


def sizing_minimum(server: Host) -> list[Problem]:
    """HOST-02: memory and cores meet the product's documented minimum for the role (Microsoft server
    requirements; OPD RDServerMemory, RDServerCores); policy.host_memory_gb / host_cores override per role."""
    role = server.role.value
    memory_default, cores_default = MINIMUMS.get(role, (16, 8))
    policy = server.inventory.policy
    memory_min = policy.host_memory_gb.get(role, memory_default)
    cores_min = policy.host_cores.get(role, cores_default)
    found = sizing(server.evidence)
    problems = []
    if found.memory_gb < memory_min:
        problems.append(Problem(f"{found.memory_gb} GB of memory, below the {memory_min:g} GB documented for a "
                                f"{role} server", fix=f"Add memory to {server.fqdn} (at least {memory_min:g} GB; a VM: "
                                f"reserve it, no dynamic memory).", evidence=str(found)))
    if found.cores < cores_min:
        problems.append(Problem(f"{found.cores} processor cores, below the {cores_min} documented for a {role} server",
                                fix=f"Give {server.fqdn} at least {cores_min} cores (a VM: {cores_min} vCPUs).",
                                evidence=str(found)))
    return problems


def free_space(server: Host) -> list[Problem]:
    """HOST-03: the system drive and the drives of the local databases and shares keep at least
    policy.disk_free_percent and policy.disk_free_gb free (OPD RDCheckDiskHealthStatus, RDDBDriveFull)."""
    policy = server.inventory.policy
    system_drive = single(server.evidence, "Win32_OperatingSystem").text("SystemDrive")
    found = disks(server.evidence)
    problems = []
    for drive, holds in sorted(data_drives(server.evidence, system_drive).items()):
        disk = found.get(drive)
        if disk is None:
            raise EvidenceGap(server.fqdn, "Win32_LogicalDisk", f"has no local fixed disk {drive} "
                                                                f"({', '.join(holds)})")
        if disk.free_percent < policy.disk_free_percent or disk.free < policy.disk_free_gb * GIB:
            problems.append(Problem(
                f"{drive} ({', '.join(holds)}) has {disk.free / GIB:.1f} GB free ({disk.free_percent:.1f} %), below "
                f"the minimum of {policy.disk_free_percent:g} % and {policy.disk_free_gb:g} GB",
                fix=f"Free space on {server.fqdn} {drive}: move or purge old logs (CLS tracing, IIS logs under "
                    f"%SystemDrive%\\inetpub\\logs, SQL backups), or extend the volume.",
                evidence=str(disk)))
    return problems


def reboot_state(server: Host) -> list[Problem]:
    """HOST-04: the last boot is within policy.boot_max_age_days and no reboot is pending (Microsoft CU
    installation guidance: reboot after the CU; Component Based Servicing / Windows Update /
    PendingFileRenameOperations)."""
    system = operating_system(server.evidence)
    collected = server.evidence.collected_at
    if system.last_boot is None or collected is None:
        raise EvidenceGap(server.fqdn, "Win32_OperatingSystem", "has no LastBootUpTime (or the evidence no "
                                                                "CollectedAt)")
    problems = []
    limit = server.inventory.policy.boot_max_age_days
    up = collected - system.last_boot
    if up > timedelta(days=limit):
        problems.append(Problem(f"last boot {system.last_boot.isoformat()} is {up.days} days before the collection, "
                                f"more than the {limit} days the policy allows: updates since then are not in effect",
                                fix=f"Restart {server.fqdn} in the next maintenance window (Stop-CsWindowsService "
                                    f"first, or Invoke-CsComputerFailOver on a Front End pool member).",
                                evidence=str(system)))
    reasons = pending_reboot(server.evidence).reasons
    if reasons:
        problems.append(Problem("a reboot is pending: " + "; ".join(reasons),
                                fix=f"Restart {server.fqdn} (after a CU: Stop-CsWindowsService, restart, then "
                                    f"Start-CsWindowsService; on a Front End pool member Invoke-CsComputerFailOver "
                                    f"first).",
                                evidence="\n".join(reasons)))
    return problems
