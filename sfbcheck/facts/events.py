"""Lync Server event-log entries from the ``WinEvent`` section (``Get-WinEvent -LogName 'Lync Server'``)."""

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
                         str(rec.get("Message") or ""), str(rec.get("MachineName", ""))))
    return tuple(sorted(out, key=lambda e: e.time))


def events(evidence: Evidence) -> tuple[Event, ...]:
    """Every collected event of the server, oldest first, parsed once per run."""
    return evidence.parsed("events", parse_events)


def recent(evidence: Evidence, provider: str, ids: set[int] | frozenset[int], lookback_hours: int) -> list[Event]:
    """Events of ``provider`` with one of ``ids`` within ``lookback_hours`` before the evidence was collected."""
    end = evidence.collected_at
    start = end - timedelta(hours=lookback_hours) if end else None
    return [e for e in events(evidence)
            if e.provider.casefold() == provider.casefold() and e.id in ids and (start is None or e.time >= start)]
