"""Office Web Apps Server placement (seed 003: installed on D:\\ PowerPoint presentations failed after a reboot;
Microsoft: a non-system drive is unsupported)."""

from __future__ import annotations

from sfbcheck.errors import EvidenceGap
from sfbcheck.facts.software import products, system_drive
from sfbcheck.host import Host
from sfbcheck.problems import Problem

PRODUCT_NAMES = ("office web apps server", "office online server")


def installed_on_system_drive(owas: Host) -> list[Problem]:
    """OWAS-01: Office Web Apps Server / Office Online Server is installed on the system drive (003)."""
    found = [p for p in products(owas.evidence) if any(n in p.name.casefold() for n in PRODUCT_NAMES)]
    drive = system_drive(owas.evidence)
    if not found:
        return [Problem(f"Office Web Apps Server is not installed on {owas.fqdn}",
                        fix="Install Office Web Apps Server (or Office Online Server) on the system drive "
                            f"{drive}\\ and create the farm (New-OfficeWebAppsFarm).",
                        evidence="Win32_Product lists no Office Web Apps Server / Office Online Server")]
    problems = []
    for product in found:
        location = product.install_location.strip()
        if not location:
            raise EvidenceGap(owas.fqdn, "Win32_Product", f"has no InstallLocation for {product.name}")
        if not location.upper().startswith(drive.rstrip("\\") + "\\"):
            problems.append(Problem(
                f"{product.name} is installed in {location}, not on the system drive {drive} (unsupported: "
                "presentations fail to load)",
                fix=(f"Remove the server from the farm (Remove-OfficeWebAppsMachine), uninstall, and reinstall on "
                     f"{drive}\\ (setup.exe with the default location under {drive}\\Program Files), then rejoin "
                     "(New-OfficeWebAppsFarm / New-OfficeWebAppsMachine) and re-apply updates."),
                evidence=f"{product}\nSystemDrive {drive}"))
    return problems
