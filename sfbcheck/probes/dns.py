"""DNS probes from the runner with dnspython: which names to ask, and one query as a ``DnsQuery`` record.

Each query goes to one server over UDP and is retried over TCP when the answer is truncated; it is
bounded by the policy's ``dns_timeout_seconds``. The outcome is one of NOERROR (records found), NODATA
(the name exists but has no record of that type), NXDOMAIN, SERVFAIL, REFUSED, TIMEOUT or ERROR (the
server could not be reached), so a failure message can tell them apart. Answer records keep the
property names ``Resolve-DnsName`` shows (Name, Type, TTL, IPAddress, NameHost, NameTarget, Priority,
Weight, Port).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from sfbcheck.inventory import Inventory, Role

INTERNAL, EXTERNAL = "internal", "external"
OFFICE365_SIP = "sipdir.online.lync.com"
OFFICE365_FEDERATION = "sipfed.online.lync.com"
OFFICE365_DISCOVER = "webdir.online.lync.com"


@dataclass(frozen=True, order=True)
class Question:
    view: str   # "internal" (inventory.dns_servers) or "external" (inventory.external_dns_servers)
    name: str
    type: str   # "A", "SRV", ...


def plan(inventory: Inventory) -> list[Question]:
    """Every DNS question the checks need, derived from the inventory (internal and external views)."""
    asked: list[Question] = []

    def ask(view: str, name: str, rdtype: str) -> None:
        question = Question(view, name.lower().rstrip("."), rdtype)
        if question not in asked:
            asked.append(question)

    for domain in inventory.sip_domains:
        if domain.on_premises_users:
            ask(INTERNAL, f"_sipinternaltls._tcp.{domain.name}", "SRV")      # BACKUP-02
            ask(INTERNAL, f"lyncdiscoverinternal.{domain.name}", "A")        # DNS-02
    for pool in inventory.pools:
        if pool.dns_load_balanced or pool.role is Role.edge or pool.vip is not None:
            ask(INTERNAL, pool.fqdn, "A")                                     # DNS-01, EDGE-DNS-03
        if pool.role is Role.frontend and pool.homes_users and pool.web_internal_fqdn:
            ask(INTERNAL, pool.web_internal_fqdn, "A")                        # DNS-02
    for server in inventory.servers(Role.edge):
        ask(INTERNAL, server.fqdn, "A")                                       # EDGE-DNS-03
    for server in inventory.servers():
        if server.role is not Role.edge:
            ask(INTERNAL, server.fqdn, "A")                                   # POOL-03
            ask(INTERNAL, server.ip.reverse_pointer, "PTR")                   # POOL-03
    access_edges = [p.access_edge_fqdn for p in inventory.pools if p.role is Role.edge and p.access_edge_fqdn]
    for domain in inventory.sip_domains:                                      # HYB-03
        ask(EXTERNAL, f"_sip._tls.{domain.name}", "SRV")
        ask(EXTERNAL, f"_sipfederationtls._tcp.{domain.name}", "SRV")
        ask(EXTERNAL, f"lyncdiscover.{domain.name}", "A")
        if domain.on_premises_users and access_edges:                    # sip.<domain> may stand for the Edge
            ask(EXTERNAL, f"sip.{domain.name}", "A")
            for fqdn in access_edges:
                ask(EXTERNAL, fqdn, "A")
    for partner in inventory.federation_partners:                             # FED-01
        ask(EXTERNAL, f"_sipfederationtls._tcp.{partner.domain.lower()}", "SRV")
    return asked


def servers_of(inventory: Inventory, view: str) -> tuple[list[str], int]:
    if view == INTERNAL:
        return [str(s) for s in inventory.dns_servers], inventory.dns_port
    return [str(s) for s in inventory.external_dns_servers], inventory.external_dns_port


def _record(rrset: Any, rdata: Any) -> dict[str, Any]:
    name = rrset.name.to_text().rstrip(".").lower()
    kind = dns.rdatatype.to_text(rrset.rdtype)
    out: dict[str, Any] = {"Name": name, "Type": kind, "TTL": int(rrset.ttl)}
    if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
        out["IPAddress"] = rdata.address
    elif rrset.rdtype in (dns.rdatatype.CNAME, dns.rdatatype.PTR):
        out["NameHost"] = rdata.target.to_text().rstrip(".").lower()
    elif rrset.rdtype == dns.rdatatype.SRV:
        out.update(NameTarget=rdata.target.to_text().rstrip(".").lower(), Priority=rdata.priority,
                   Weight=rdata.weight, Port=rdata.port)
    else:
        out["Data"] = rdata.to_text()
    return out


def query(server: str, port: int, question: Question, timeout: float) -> dict[str, Any]:
    """Ask one server one question; a ``DnsQuery`` record whatever happens (never raises on network errors)."""
    from sfbcheck.probes import refuse_unless_allowed

    record: dict[str, Any] = {"Name": question.name, "Type": question.type, "View": question.view,
                              "Server": server, "Port": port, "Status": "ERROR", "Transport": "udp",
                              "Answer": [], "Error": ""}
    started = time.monotonic()
    try:
        refuse_unless_allowed(server)
        message = dns.message.make_query(question.name, question.type)
        message.flags |= dns.flags.RD
        response, used_tcp = dns.query.udp_with_fallback(message, server, timeout=timeout, port=port)
    except dns.exception.Timeout:
        record.update(Status="TIMEOUT", Error=f"no answer within {timeout:g} s")
        return record
    except (OSError, dns.exception.DNSException) as exc:
        record.update(Status="ERROR", Error=f"{type(exc).__name__}: {exc}")
        return record
    finally:
        record["ElapsedMs"] = round((time.monotonic() - started) * 1000)
    record["Transport"] = "tcp" if used_tcp else "udp"
    rcode = response.rcode()
    answer = [_record(rrset, rdata) for rrset in response.answer for rdata in rrset]
    record["Answer"] = answer
    if rcode == dns.rcode.NOERROR:
        wanted = dns.rdatatype.from_text(question.type)
        has_wanted = any(rrset.rdtype == wanted for rrset in response.answer)
        record["Status"] = "NOERROR" if has_wanted or answer else "NODATA"
    else:
        record["Status"] = dns.rcode.to_text(rcode)
    return record
