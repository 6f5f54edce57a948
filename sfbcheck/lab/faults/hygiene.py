"""Server platform hygiene faults (HOST-01...04, impact warning: each shows as a warning, never a failure)."""

from datetime import timedelta

from sfbcheck.lab.faults import fault
from sfbcheck.lab.model import Lab
from sfbcheck.lab.sections.hygiene import GIB, power_plans

FE2, FE3, FE4, FE5 = "fe02.contoso.local", "fe03.contoso.local", "fe04.contoso.local", "fe05.contoso.local"
EDGE1 = "edge01.contoso.local"


@fault("fe04-balanced-power-plan", "HOST-01", FE4,
       "the Front End runs the Windows default Balanced power plan (the template's plan was never changed)")
def balanced_power_plan(lab: Lab) -> None:
    lab.sections(FE4)["Win32_PowerPlan"] = power_plans("381b4222-f694-41f0-9685-ff5bb260df2e")


@fault("fe05-undersized-vm", "HOST-02", FE5,
       "the Front End VM was built from a 16 GB, 8 vCPU template (Microsoft documents 32 GB and 12 cores)")
def undersized_vm(lab: Lab) -> None:
    sections = lab.sections(FE5)
    sections["Win32_ComputerSystem"]["TotalPhysicalMemory"] = 16 * GIB - 150 * 1024 ** 2
    for cpu in sections["Win32_Processor"]:
        cpu["NumberOfCores"] = cpu["NumberOfLogicalProcessors"] = 4


@fault("fe02-system-drive-full", "HOST-03", FE2,
       "CLS tracing and IIS logs filled C: (3.1 GB free of 127 GB)")
def system_drive_full(lab: Lab) -> None:
    for disk in lab.sections(FE2)["Win32_LogicalDisk"]:
        if disk["DeviceID"] == "C:":
            disk["FreeSpace"] = int(3.1 * GIB)


@fault("edge01-reboot-pending-after-cu", "HOST-04", EDGE1,
       "the CU was installed but the Edge not restarted: Windows Update RebootRequired and pending file renames")
def reboot_pending_after_cu(lab: Lab) -> None:
    lab.sections(EDGE1)["PendingReboot"].update(WindowsUpdateRebootRequired=True, PendingFileRenameOperations=14)


@fault("fe03-not-rebooted-for-months", "HOST-04", FE3,
       "the Front End has not been restarted for 120 days: months of updates are installed but not in effect")
def not_rebooted(lab: Lab) -> None:
    lab.sections(FE3)["Win32_OperatingSystem"]["LastBootUpTime"] = (lab.now - timedelta(days=120)).isoformat()
