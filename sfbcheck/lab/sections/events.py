"""Lab evidence: the Lync Server event log (``WinEvent``), quiet on a clean lab; faults add events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sfbcheck.lab.model import Lab

LEVELS = {"Critical": 1, "Error": 2, "Warning": 3, "Information": 4, "Verbose": 5}


def event(lab: Lab, fqdn: str, provider: str, event_id: int, message: str, hours_ago: float = 2,
          level: str = "Error", properties: list[str] | None = None) -> dict[str, Any]:
    """One Get-WinEvent record as the collector writes it: Level as its number, the attached data as Properties
    (each value a string, a byte[] as upper-case hex)."""
    return {"ProviderName": provider, "Id": event_id, "Level": LEVELS[level], "LevelDisplayName": level,
            "MachineName": fqdn, "TimeCreated": (lab.now - timedelta(hours=hours_ago)).isoformat(),
            "Message": message, "Properties": list(properties or [])}


def build(lab: Lab) -> None:
    for member in lab.members():
        fqdn = member["fqdn"]
        lab.sections(fqdn)["WinEvent"] = [
            event(lab, fqdn, "LS Server", 12289, "Service started successfully.", hours_ago=300, level="Information"),
        ]
