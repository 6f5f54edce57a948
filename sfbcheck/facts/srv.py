"""SRV lookups run on a server (``ResolveDnsNameSrv``): ``Resolve-DnsName -Name <name> -Type SRV`` for each name
the checks need (the Edge: every federation partner's ``_sipfederationtls._tcp`` record; EDGE-DNS-05).

One object per name, as the collector writes it::

    {"QueryName": "_sipfederationtls._tcp.litwareinc.com", "QueryType": "SRV", "Error": null,
     "Records": [{"Name": "_sipfederationtls._tcp.litwareinc.com", "Type": "SRV", "TTL": 3600, "Section": "Answer",
                  "NameTarget": "sip.litwareinc.com", "Priority": 0, "Weight": 0, "Port": 5061}, ...]}

``Type`` is the record type's name or number (SRV is 33); a failed lookup has ``Error`` and no records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence

SECTION = "ResolveDnsNameSrv"


@dataclass(frozen=True)
class SrvLookup:
    query: str
    targets: tuple[tuple[str, int], ...]  # (NameTarget, Port)
    error: str

    def describe(self) -> str:
        if not self.targets:
            return f"Resolve-DnsName {self.query} -Type SRV: {self.error or 'no SRV record'}"
        return f"Resolve-DnsName {self.query} -Type SRV: " + ", ".join(f"{t}:{p}" for t, p in self.targets)


def _lookup(record: Any) -> SrvLookup:
    if not isinstance(record, dict) or not isinstance(record.get("QueryName"), str):
        raise ValueError(f"an entry has no QueryName: {record!r:.80}")
    raw = record.get("Records") or []
    raw = [raw] if isinstance(raw, dict) else raw
    if not isinstance(raw, list):
        raise ValueError(f"{record['QueryName']}: Records is not a list")
    targets = []
    for rec in raw:
        if not isinstance(rec, dict):
            raise ValueError(f"{record['QueryName']}: a record is not an object")
        if str(rec.get("Section") or "Answer").casefold() != "answer" or str(rec.get("Type")).upper() not in ("SRV",
                                                                                                              "33"):
            continue
        try:
            targets.append((str(rec["NameTarget"]).rstrip(".").lower(), int(rec["Port"])))
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{record['QueryName']}: an SRV record lacks NameTarget or Port") from None
    error = record.get("Error")
    return SrvLookup(record["QueryName"].strip().rstrip(".").lower(), tuple(targets), str(error) if error else "")


def parse_srv(evidence: Evidence) -> dict[str, SrvLookup]:
    section = evidence.section(SECTION, (list, dict))
    entries = [section] if isinstance(section, dict) else section
    out = {}
    for entry in entries:
        try:
            lookup = _lookup(entry)
        except ValueError as exc:
            raise EvidenceGap(evidence.server, SECTION, f"is malformed: {exc}") from None
        out[lookup.query] = lookup
    return out


def srv_lookups(evidence: Evidence) -> dict[str, SrvLookup]:
    return evidence.parsed("srv-lookups", parse_srv)
