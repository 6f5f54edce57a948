"""Reading single properties of cmdlet output: text, booleans, times, time spans, lists.

Each reader raises :class:`EvidenceGap` naming the section and the property when the value is not what the
cmdlet emits, so malformed evidence fails the requirement that needs it with a clear reason.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence, parse_time

TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?$")


class Reader:
    """Reads properties of one record of one section, naming both in any EvidenceGap."""

    def __init__(self, evidence: Evidence, section: str, record: dict[str, Any]) -> None:
        self.evidence, self.section, self.record = evidence, section, record

    def gap(self, what: str) -> EvidenceGap:
        return EvidenceGap(self.evidence.server, self.section, f"is malformed: {what}: {self.record!r:.160}")

    def text(self, name: str, required: bool = True) -> str:
        value = self.record.get(name)
        if value is None or value == "":
            if required:
                raise self.gap(f"an entry has no {name}")
            return ""
        if isinstance(value, (dict, list)):
            raise self.gap(f"{name} is not a text value")
        return str(value).strip()

    def boolean(self, name: str) -> bool:
        value = self.record.get(name)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise self.gap(f"{name} is {value!r}, not True/False")

    def time(self, name: str) -> datetime | None:
        """A [datetime] property; None when the cmdlet shows it empty (e.g. a replica that never reported)."""
        value = self.record.get(name)
        if value is None or value == "":
            return None
        parsed = parse_time(value)
        if parsed is None:
            raise self.gap(f"{name} is {value!r}, not a date")
        return parsed

    def seconds(self, name: str) -> float:
        """A [TimeSpan] property: "hh:mm:ss" / "d.hh:mm:ss" (ToString), ConvertTo-Json's object, or seconds."""
        value = self.record.get(name)
        if isinstance(value, bool):
            raise self.gap(f"{name} is {value!r}, not a time span")
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, dict) and isinstance(value.get("TotalSeconds"), (int, float)):
            return float(value["TotalSeconds"])
        if isinstance(value, str):
            match = TIMESPAN.match(value.strip())
            if match:
                days, hours, minutes, secs = (int(g or 0) for g in match.groups())
                return float(((days * 24 + hours) * 60 + minutes) * 60 + secs)
        raise self.gap(f"{name} is {value!r}, not a time span")

    def strings(self, name: str) -> tuple[str, ...]:
        """A collection property (PowerShell writes one item without the list)."""
        value = self.record.get(name)
        if value is None or value == "":
            return ()
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(i, str) for i in items):
            raise self.gap(f"{name} is not a list of names")
        return tuple(i.strip() for i in items if i.strip())


def readers(evidence: Evidence, section: str) -> list[Reader]:
    return [Reader(evidence, section, rec) for rec in evidence.records(section)]


def single(evidence: Evidence, section: str) -> Reader:
    """A section that is one object (a global setting such as Get-CsOAuthConfiguration)."""
    records = evidence.records(section)
    if len(records) != 1:
        raise EvidenceGap(evidence.server, section, f"is malformed: expected one object, got {len(records)}")
    return Reader(evidence, section, records[0])


def same_name(a: str, b: str) -> bool:
    """FQDNs and account names compare without case and without a trailing dot."""
    return a.strip().rstrip(".").casefold() == b.strip().rstrip(".").casefold()
