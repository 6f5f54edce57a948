"""DNS answers from the runner's evidence: ``DnsQuery`` (dnspython probes) or ``DnsZoneExport`` (RFC 1035 zone
text as ``dnscmd /ZoneExport`` writes it), looked up per view (internal / external), name and type.

An answer's ``status`` keeps the outcomes apart: NOERROR (records), NODATA (the name exists, no record of
that type), NXDOMAIN, SERVFAIL, REFUSED, TIMEOUT, ERROR (server unreachable).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import dns.exception
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.zone

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence

STATUSES = ("NOERROR", "NODATA", "NXDOMAIN", "SERVFAIL", "REFUSED", "TIMEOUT", "ERROR")
MAX_CNAME_CHAIN = 8


@dataclass(frozen=True)
class DnsRecord:
    name: str
    type: str
    ttl: int
    data: str = ""          # A/AAAA address, CNAME target, SRV target
    priority: int = 0
    weight: int = 0
    port: int = 0

    def __str__(self) -> str:
        if self.type == "SRV":
            return f"{self.name} SRV {self.priority} {self.weight} {self.port} {self.data}"
        return f"{self.name} {self.type} {self.data}"


@dataclass(frozen=True)
class DnsAnswer:
    view: str
    name: str
    type: str
    server: str
    status: str
    records: tuple[DnsRecord, ...] = ()
    error: str = ""
    transport: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "NOERROR"

    @property
    def answered(self) -> bool:
        """The server gave an authoritative verdict on the name (records, no record, or no such name)."""
        return self.status in ("NOERROR", "NODATA", "NXDOMAIN")

    def of_type(self, rdtype: str) -> list[DnsRecord]:
        return [r for r in self.records if r.type == rdtype]

    @property
    def addresses(self) -> set[str]:
        return {r.data for r in self.records if r.type in ("A", "AAAA")}

    @property
    def aliases(self) -> list[str]:
        """The CNAME targets in the answer, in order (the canonical name is the last one)."""
        return [r.data for r in self.records if r.type == "CNAME"]

    def outcome(self) -> str:
        """The outcome in words, distinct for each status."""
        where = f"{self.server}"
        if self.status == "NOERROR":
            return f"{where}: " + ("; ".join(str(r) for r in self.records) or "NOERROR")
        text = {
            "NODATA": f"NOERROR with no {self.type} record (NODATA: the name exists, the record type does not)",
            "NXDOMAIN": "NXDOMAIN (the name does not exist)",
            "SERVFAIL": "SERVFAIL (the server failed: a broken zone, forwarder or DNSSEC problem)",
            "REFUSED": "REFUSED (the server does not answer for this name)",
            "TIMEOUT": f"TIMEOUT ({self.error or 'no answer in time'})",
            "ERROR": f"ERROR: the DNS server could not be reached ({self.error})",
        }.get(self.status, f"{self.status} {self.error}")
        return f"{where}: {text}"


@dataclass
class DnsFacts:
    answers: dict[tuple[str, str, str], list[DnsAnswer]] = field(default_factory=dict)
    zones: dict[str, list[tuple[str, dns.zone.Zone]]] = field(default_factory=dict)  # view -> [(origin, zone)]
    server: str = "runner"

    def lookup(self, view: str, name: str, rdtype: str) -> list[DnsAnswer]:
        """Every server's answer to (name, type) in ``view``; from a zone export when no query was recorded."""
        key = (view, name.lower().rstrip("."), rdtype.upper())
        if key in self.answers:
            return self.answers[key]
        zones = self.zones.get(view, [])
        if _zone_for(zones, key[1]) is not None:
            return [answer_from_zones(zones, view, key[1], key[2])]
        raise EvidenceGap(self.server, "DnsQuery", f"has no {view} answer for {key[1]} {key[2]} (run the runner "
                          "probes: pytest --probe, or python -m sfbcheck.probes; or add a DnsZoneExport of the zone)")


def _int(value: Any) -> int:
    return int(value) if value not in (None, "") else 0


def parse_record(raw: Any) -> DnsRecord:
    if not isinstance(raw, dict) or "Type" not in raw or "Name" not in raw:
        raise ValueError(f"an answer record needs Name and Type: {raw!r:.120}")
    kind = str(raw["Type"]).upper()
    data = raw.get("IPAddress") or raw.get("NameHost") or raw.get("NameTarget") or raw.get("Data") or ""
    return DnsRecord(str(raw["Name"]).lower().rstrip("."), kind, _int(raw.get("TTL")),
                     str(data).lower().rstrip("."), _int(raw.get("Priority")), _int(raw.get("Weight")),
                     _int(raw.get("Port")))


def parse_queries(evidence: Evidence) -> dict[tuple[str, str, str], list[DnsAnswer]]:
    answers: dict[tuple[str, str, str], list[DnsAnswer]] = {}
    for i, rec in enumerate(evidence.records("DnsQuery")):
        try:
            status = str(rec["Status"]).upper()
            if status not in STATUSES:
                raise ValueError(f"Status {status!r} is none of {', '.join(STATUSES)}")
            raw_answer = rec.get("Answer")
            if status == "NOERROR" and (not isinstance(raw_answer, list) or not raw_answer):
                # the probe writes NOERROR only with records (else NODATA): a null Answer is damage, not "none"
                raise ValueError(f"Status NOERROR with Answer {raw_answer!r:.40}, not a list of records")
            if raw_answer is not None and not isinstance(raw_answer, list):
                raise ValueError(f"Answer is {type(raw_answer).__name__}, not a list of records")
            answer = DnsAnswer(str(rec.get("View", "internal")), str(rec["Name"]).lower().rstrip("."),
                               str(rec["Type"]).upper(), str(rec.get("Server", "?")), status,
                               tuple(parse_record(r) for r in rec.get("Answer") or []), str(rec.get("Error") or ""),
                               str(rec.get("Transport") or ""))
        except (KeyError, ValueError, TypeError, OverflowError) as exc:
            raise EvidenceGap(evidence.server, "DnsQuery", f"is malformed: entry {i}: {exc}") from None
        answers.setdefault((answer.view, answer.name, answer.type), []).append(answer)
    return answers


_AGE = re.compile(r"\[AGE:\d+\]", re.I)
_WINS = re.compile(r"^\S*\s+(\d+\s+)?(IN\s+)?WINS(-R)?\b.*$", re.I | re.M)


def parse_zone_text(text: str, origin: str) -> dns.zone.Zone:
    """RFC 1035 zone text; Windows ``dnscmd /ZoneExport`` aging marks ``[AGE:n]`` and WINS records are dropped."""
    cleaned = _WINS.sub("", _AGE.sub("", text))
    return dns.zone.from_text(cleaned, origin=origin.rstrip(".") + ".", relativize=False, check_origin=False)


def parse_zone_exports(evidence: Evidence) -> dict[str, list[tuple[str, dns.zone.Zone]]]:
    zones: dict[str, list[tuple[str, dns.zone.Zone]]] = {}
    if not evidence.has("DnsZoneExport"):
        return zones
    for i, rec in enumerate(evidence.records("DnsZoneExport")):
        name = str(rec.get("ZoneName") or "").lower().rstrip(".")
        try:
            zone = parse_zone_text(str(rec["Text"]), name)
        except (KeyError, dns.exception.DNSException, ValueError) as exc:
            raise EvidenceGap(evidence.server, "DnsZoneExport",
                              f"is malformed: entry {i} ({name or 'no ZoneName'}): {exc}") from None
        zones.setdefault(str(rec.get("View", "internal")), []).append((name, zone))
    return zones


def _zone_for(zones: list[tuple[str, dns.zone.Zone]], name: str) -> tuple[str, dns.zone.Zone] | None:
    fitting = [(origin, z) for origin, z in zones if name == origin or name.endswith("." + origin)]
    return max(fitting, key=lambda item: len(item[0])) if fitting else None


def answer_from_zones(zones: list[tuple[str, dns.zone.Zone]], view: str, name: str, rdtype: str,
                      server: str | None = None) -> DnsAnswer:
    """Answer (name, type) the way an authoritative server holding ``zones`` would (CNAMEs followed)."""
    wanted = dns.rdatatype.from_text(rdtype)
    records: list[DnsRecord] = []
    current = name
    source = server
    for _ in range(MAX_CNAME_CHAIN):
        found = _zone_for(zones, current)
        if found is None:
            status = "NOERROR" if records else "REFUSED"
            return DnsAnswer(view, name, rdtype, source or "zone export", status, tuple(records))
        origin, zone = found
        source = source or f"zone export {origin}"
        node = zone.get_node(dns.name.from_text(current + "."))
        if node is None:
            below = any(str(n).rstrip(".").endswith("." + current) for n in zone.nodes)
            status = "NOERROR" if records else ("NODATA" if below else "NXDOMAIN")
            return DnsAnswer(view, name, rdtype, source, status, tuple(records))
        rdataset = node.get_rdataset(dns.rdataclass.IN, wanted)
        if rdataset is not None:
            records += [_from_rdata(current, rdataset.ttl, rdtype, rd) for rd in rdataset]
            return DnsAnswer(view, name, rdtype, source, "NOERROR", tuple(records))
        alias = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
        if alias is None:
            return DnsAnswer(view, name, rdtype, source, "NOERROR" if records else "NODATA", tuple(records))
        target = alias[0].target.to_text().rstrip(".").lower()
        records.append(DnsRecord(current, "CNAME", alias.ttl, target))
        current = target
    return DnsAnswer(view, name, rdtype, source or "zone export", "SERVFAIL", tuple(records),
                     "CNAME chain too long")


def _from_rdata(name: str, ttl: int, rdtype: str, rd: Any) -> DnsRecord:
    if rdtype in ("A", "AAAA"):
        return DnsRecord(name, rdtype, ttl, rd.address)
    if rdtype == "SRV":
        return DnsRecord(name, "SRV", ttl, rd.target.to_text().rstrip(".").lower(), rd.priority, rd.weight, rd.port)
    if rdtype in ("CNAME", "PTR"):
        return DnsRecord(name, rdtype, ttl, rd.target.to_text().rstrip(".").lower())
    return DnsRecord(name, rdtype, ttl, rd.to_text())


def parse_dns(evidence: Evidence) -> DnsFacts:
    answers = parse_queries(evidence) if evidence.has("DnsQuery") else {}
    zones = parse_zone_exports(evidence)
    if not answers and not zones and not evidence.has("DnsQuery"):
        raise EvidenceGap(evidence.server, "DnsQuery", "is missing (run the runner probes: pytest --probe, or "
                          "python -m sfbcheck.probes; or add a DnsZoneExport)")
    return DnsFacts(answers, zones, evidence.server)


def dns_facts(evidence: Evidence) -> DnsFacts:
    """The runner's DNS evidence, parsed once per run."""
    return evidence.parsed("dns", parse_dns)
