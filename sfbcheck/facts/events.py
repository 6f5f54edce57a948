"""Lync Server event-log entries from the ``WinEvent`` section (``Get-WinEvent -LogName 'Lync Server'``).

Each record keeps Id, ProviderName, TimeCreated, Level (1-5), LevelDisplayName, Message and ``Properties``: the
event's attached data (EventData values in order, ``$event.Properties.Value``), each a string, a byte[] as
upper-case hex without separators (what Event Viewer's Details tab shows). Lync events quote certificate serial
numbers there, not in the message ("The serial number is attached for reference", seed 002; KB2901554's event
32042 reads "The certificate serial number is attached for reference"). An optional ``Binary`` (hex) holds a
classic event's binary data when the collector keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence, parse_time


@dataclass(frozen=True)
class Event:
    provider: str
    id: int
    time: datetime
    level: str
    message: str
    machine: str = ""
    properties: tuple[str, ...] = ()  # the attached data (EventData values, byte[] as hex)

    def __str__(self) -> str:
        first = self.message.strip().splitlines()[0] if self.message.strip() else ""
        return f"{self.time.isoformat(timespec='seconds')} {self.provider} {self.id} {self.level}: {first}"


def parse_events(evidence: Evidence) -> tuple[Event, ...]:
    out = []
    for rec in evidence.records("WinEvent"):
        when = parse_time(rec.get("TimeCreated"))
        try:
            event_id = int(rec.get("Id"))  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):  # OverflowError: int(Infinity)
            raise EvidenceGap(evidence.server, "WinEvent",
                              f"is malformed: an entry has no numeric Id: {rec!r:.120}") from None
        if when is None:
            raise EvidenceGap(evidence.server, "WinEvent", f"is malformed: event {event_id} has no TimeCreated")
        provider = rec.get("ProviderName")
        if not isinstance(provider, str) or not provider.strip():  # every EventLogRecord names its provider
            raise EvidenceGap(evidence.server, "WinEvent", f"is malformed: event {event_id} has ProviderName "
                                                           f"{provider!r:.60}, not the provider's name")
        out.append(Event(provider.strip(), event_id, when, str(rec.get("LevelDisplayName", "")),
                         str(rec.get("Message") or ""), str(rec.get("MachineName", "")),
                         _attached(rec, evidence.server, event_id)))
    return tuple(sorted(out, key=lambda e: e.time))


def _attached(rec: dict, server: str, event_id: int) -> tuple[str, ...]:
    raw = rec.get("Properties")
    raw = [] if raw is None else [raw] if isinstance(raw, (str, int, float)) else raw
    if not isinstance(raw, list):
        raise EvidenceGap(server, "WinEvent", f"is malformed: event {event_id} has Properties that are not a list")
    values = tuple("" if v is None else str(v) for v in raw)
    binary = rec.get("Binary")
    return values + ((binary,) if isinstance(binary, str) and binary else ())


def events(evidence: Evidence) -> tuple[Event, ...]:
    """Every collected event of the server, oldest first, parsed once per run."""
    return evidence.parsed("events", parse_events)


def recent(evidence: Evidence, provider: str, ids: set[int] | frozenset[int], lookback_hours: int) -> list[Event]:
    """Events of ``provider`` with one of ``ids`` within ``lookback_hours`` before the evidence was collected."""
    end = evidence.collected_at
    start = end - timedelta(hours=lookback_hours) if end else None
    return [e for e in events(evidence)
            if e.provider.casefold() == provider.casefold() and e.id in ids and (start is None or e.time >= start)]
