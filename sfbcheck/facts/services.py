"""Windows services from the ``Win32_Service`` section (``Get-CimInstance Win32_Service``)."""

from __future__ import annotations

from dataclasses import dataclass

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence


@dataclass(frozen=True)
class Service:
    name: str
    display_name: str
    state: str
    start_mode: str
    start_name: str

    @property
    def running(self) -> bool:
        return self.state.casefold() == "running"

    def __str__(self) -> str:
        return f"{self.name} ({self.display_name}): {self.state}, {self.start_mode}, logs on as {self.start_name}"


def parse_services(evidence: Evidence) -> dict[str, Service]:
    out = {}
    for rec in evidence.records("Win32_Service"):
        name = rec.get("Name")
        if not isinstance(name, str) or not name:
            raise EvidenceGap(evidence.server, "Win32_Service", f"is malformed: an entry has no Name: {rec!r:.120}")
        out[name.upper()] = Service(name, str(rec.get("DisplayName") or ""), str(rec.get("State") or ""),
                                    str(rec.get("StartMode") or ""), str(rec.get("StartName") or ""))
    return out


def services(evidence: Evidence) -> dict[str, Service]:
    """Services of the server by upper-case service name, parsed once per run."""
    return evidence.parsed("services", parse_services)
