"""External lookups run on an Edge for federation (``ResolveDnsNameFederation``, EDGE-DNS-05):
``Resolve-DnsName -Name <name> -Type <A|SRV> -DnsOnly`` for ``sipfed.online.lync.com`` (A) and every federation
partner's ``_sipfederationtls._tcp.<domain>`` (SRV).

One object per lookup, as the collector writes it::

    {"QueryName": "_sipfederationtls._tcp.litwareinc.com", "QueryType": "SRV", "Error": null,
     "Records": [{"Name": "_sipfederationtls._tcp.litwareinc.com", "Type": "SRV", "TTL": 3600, "Section": "Answer",
                  "NameTarget": "sipfed.online.lync.com", "Priority": 100, "Weight": 1, "Port": 5061}, ...]}

``Type`` is the record type's name or number (A 1, CNAME 5, AAAA 28, SRV 33); a failed lookup has ``Error`` (the
exception text) and no records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence

SECTION = "ResolveDnsNameFederation"
_TYPES = {"1": "A", "5": "CNAME", "28": "AAAA", "33": "SRV"}


@dataclass(frozen=True)
class Lookup:
    query: str
    type: str
    addresses: tuple[str, ...]
    targets: tuple[tuple[str, int], ...]  # SRV (NameTarget, Port)
    error: str

    @property
    def answered(self) -> bool:
        return bool(self.targets) if self.type == "SRV" else bool(self.addresses)

    def describe(self) -> str:
        head = f"Resolve-DnsName {self.query} -Type {self.type}: "
        if not self.answered:
            return head + (self.error or f"no {self.type} record")
        found = [f"{t}:{p}" for t, p in self.targets] if self.type == "SRV" else list(self.addresses)
        return head + ", ".join(found)


def _kind(raw: Any) -> str:
    text = str(raw).upper()
    return _TYPES.get(text, text)


def _lookup(record: Any) -> Lookup:
    if not isinstance(record, dict) or not isinstance(record.get("QueryName"), str):
        raise ValueError(f"an entry has no QueryName: {record!r:.80}")
    query = record["QueryName"].strip().rstrip(".").lower()
    raw = record.get("Records") or []
    raw = [raw] if isinstance(raw, dict) else raw
    if not isinstance(raw, list):
        raise ValueError(f"{query}: Records is not a list")
    addresses, targets = [], []
    for rec in raw:
        if not isinstance(rec, dict):
            raise ValueError(f"{query}: a record is not an object")
        if str(rec.get("Section") or "Answer").casefold() != "answer":
            continue
        kind = _kind(rec.get("Type"))
        try:
            if kind == "SRV":
                targets.append((str(rec["NameTarget"]).rstrip(".").lower(), int(rec["Port"])))
            elif kind in ("A", "AAAA"):
                addresses.append(str(rec["IPAddress"]))
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{query}: an {kind} record lacks its data") from None
    error = record.get("Error")
    return Lookup(query, _kind(record.get("QueryType") or "A"), tuple(addresses), tuple(targets),
                  str(error) if error else "")


def parse_lookups(evidence: Evidence) -> dict[tuple[str, str], Lookup]:
    section = evidence.section(SECTION, (list, dict))
    entries = [section] if isinstance(section, dict) else section
    out = {}
    for entry in entries:
        try:
            lookup = _lookup(entry)
        except ValueError as exc:
            raise EvidenceGap(evidence.server, SECTION, f"is malformed: {exc}") from None
        out[(lookup.query, lookup.type)] = lookup
    return out


def federation_lookups(evidence: Evidence) -> dict[tuple[str, str], Lookup]:
    """The Edge's federation lookups by (lower-case name, type), parsed once per run."""
    return evidence.parsed("federation-lookups", parse_lookups)
