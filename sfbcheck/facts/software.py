"""Installed products (Get-CimInstance Win32_Product) and the system drive (Win32_OperatingSystem)."""

from __future__ import annotations

from dataclasses import dataclass

from sfbcheck.evidence import Evidence
from sfbcheck.facts.fields import readers, single

PRODUCTS = "Win32_Product"
OPERATING_SYSTEM = "Win32_OperatingSystem"


@dataclass(frozen=True)
class Product:
    name: str
    version: str
    install_location: str

    def __str__(self) -> str:
        return f"{self.name} {self.version}: InstallLocation {self.install_location or '(empty)'}"


def parse_products(evidence: Evidence) -> tuple[Product, ...]:
    return tuple(Product(r.text("Name"), r.text("Version", required=False), r.text("InstallLocation", required=False))
                 for r in readers(evidence, PRODUCTS))


def products(evidence: Evidence) -> tuple[Product, ...]:
    return evidence.parsed("products", parse_products)


def system_drive(evidence: Evidence) -> str:
    """Win32_OperatingSystem SystemDrive, e.g. "C:"."""
    return evidence.parsed("system-drive", lambda e: single(e, OPERATING_SYSTEM).text("SystemDrive").upper())
