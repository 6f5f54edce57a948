"""Names resolved on the server itself (``ResolveDnsName`` section).

The collector runs ``Resolve-DnsName -Name <fqdn>`` on the server (hosts file and its own DNS servers, as
the services see them) for each name the checks need, and records one object per name::

    {"QueryName": "pool01.contoso.local", "Error": null,
     "Records": [{"Name": "pool01.contoso.local", "Type": "A", "TTL": 86400, "Section": "Answer",
                  "IPAddress": "10.10.1.11"}, …]}

``Type`` is the record type's name (``A``, ``AAAA``, ``CNAME``) or number; a failed lookup has ``Error``
(the exception message, e.g. "DNS name does not exist") and no records.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence

SECTION = "ResolveDnsName"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_TYPES = {1: "A", 28: "AAAA", 5: "CNAME"}


@dataclass(frozen=True)
class Resolution:
    query: str
    addresses: tuple[IPAddress, ...]
    cnames: tuple[tuple[str, str], ...]  # (alias, target)
    error: str

    @property
    def failed(self) -> bool:
        return not self.addresses

    def describe(self) -> str:
        if self.error and not self.addresses:
            return f"Resolve-DnsName {self.query}: {self.error}"
        chain = "".join(f"{alias} CNAME {target}; " for alias, target in self.cnames)
        shown = ", ".join(str(ip) for ip in self.addresses) or "(no address)"
        return f"Resolve-DnsName {self.query}: {chain}{shown}"


def _record_type(raw: Any) -> str:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return _TYPES.get(raw, str(raw))
    return str(raw).upper() if isinstance(raw, str) else "?"


def parse_resolution(record: Any) -> Resolution:
    """One name's lookup; ValueError naming what is malformed."""
    if not isinstance(record, dict):
        raise ValueError(f"an entry is not an object: {record!r:.80}")
    query = record.get("QueryName")
    if not isinstance(query, str) or not query.strip():
        raise ValueError(f"an entry has no QueryName: {record!r:.80}")
    raw_records = record.get("Records") or []
    raw_records = [raw_records] if isinstance(raw_records, dict) else raw_records
    if not isinstance(raw_records, list):
        raise ValueError(f"{query}: Records is not a list")
    addresses: list[IPAddress] = []
    cnames: list[tuple[str, str]] = []
    for rec in raw_records:
        if not isinstance(rec, dict):
            raise ValueError(f"{query}: a record is not an object: {rec!r:.80}")
        if str(rec.get("Section") or "Answer").casefold() != "answer":
            continue
        kind = _record_type(rec.get("Type"))
        if kind in ("A", "AAAA"):
            try:
                addresses.append(ipaddress.ip_address(str(rec.get("IPAddress"))))
            except ValueError:
                raise ValueError(f"{query}: an {kind} record has no valid IPAddress: {rec!r:.80}") from None
        elif kind == "CNAME":
            cnames.append((str(rec.get("Name") or query), str(rec.get("NameHost") or "?")))
    error = record.get("Error")
    return Resolution(query.strip().rstrip(".").lower(), tuple(addresses), tuple(cnames),
                      str(error) if error else "")


def parse_resolutions(records: Any, server: str = "?") -> dict[str, Resolution]:
    """Lookups by lower-case query name; EvidenceGap (never another exception) if malformed."""
    records = [records] if isinstance(records, dict) else records
    if not isinstance(records, list):
        raise EvidenceGap(server, SECTION, "is malformed: expected a list of lookups")
    out: dict[str, Resolution] = {}
    for record in records:
        try:
            parsed = parse_resolution(record)
        except ValueError as exc:
            raise EvidenceGap(server, SECTION, f"is malformed: {exc}") from None
        out[parsed.query] = parsed
    return out


def resolutions(evidence: Evidence) -> dict[str, Resolution]:
    """What the server resolved, by lower-case name, parsed once per run."""
    return evidence.parsed("resolutions", lambda ev: parse_resolutions(ev.section(SECTION, (list, dict)), ev.server))
