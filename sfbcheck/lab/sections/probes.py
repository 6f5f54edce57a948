"""Lab network evidence: what the probes would have seen in the clean lab.

* On the CMS master Front End: ``TcpProbe`` (Test-NetConnection to each Edge internal IP on 443/4443, and to
  every internal server on 445) and ``TlsProbe`` (the certificate each Edge presents on internal 4443).
* On each Front End of the Edge pools' next-hop pool: ``TcpProbe`` to each Edge internal IP on 5061/5062/8057.
* In runner.json: ``DnsQuery`` (every question of ``sfbcheck.probes.dns.plan``, answered from the lab's DNS
  zones below, not by querying anything), ``HttpProbe`` (Edge internal 443 is a silent TLS endpoint) and
  ``TlsVersionProbe`` (the reverse proxy accepts TLS 1.0 to 1.2, as the lab's policy requires).

The lab's DNS is data: :func:`lab_zones` gives the RFC 1035 text of each zone in each view (internal DNS,
external DNS); :func:`dns_answers` answers the planned questions from them.
"""

from __future__ import annotations

import base64
import ipaddress
from typing import Any

from sfbcheck.facts.dns import DnsAnswer, answer_from_zones, parse_zone_text
from sfbcheck.inventory import Inventory
from sfbcheck.lab.model import Lab
from sfbcheck.probes import dns as dnsprobe

EXTERNAL_DNS = ["203.0.113.53"]                       # data only: never contacted
REVERSE_PROXY = {"host": "webext.contoso.com", "port": 443}
REVERSE_PROXY_PUBLIC_IP = "198.51.100.20"
LAB_TLS_POLICY = ["TLSv1", "TLSv1.1", "TLSv1.2"]      # seed 003: TLS 1.0 must stay on the reverse proxy
PARTNERS = {"litwareinc.com": ("online", ""), "adatum.com": ("on-premises", "203.0.113.40")}
TTL = 3600


def configure_inventory(lab: Lab) -> None:
    """The inventory fields the network probes need (external DNS, reverse proxy, TLS policy)."""
    inv = lab.inventory
    inv.setdefault("external_dns_servers", list(EXTERNAL_DNS))
    inv.setdefault("reverse_proxy", dict(REVERSE_PROXY))
    inv.setdefault("policy", {}).setdefault("reverse_proxy_tls_versions", list(LAB_TLS_POLICY))


# -- DNS zones ----------------------------------------------------------------------------------------------
def _zone_of(fqdn: str) -> str:
    return fqdn.split(".", 1)[1] if fqdn.count(".") >= 2 else fqdn


def lab_records(lab: Lab) -> dict[str, dict[str, list[str]]]:
    """view -> zone -> resource record lines (absolute names), for the clean lab."""
    views: dict[str, dict[str, list[str]]] = {"internal": {}, "external": {}}

    def rr(view: str, zone: str, line: str) -> None:
        views[view].setdefault(zone, []).append(line)

    inv = lab.inventory
    for pool in lab.pools():
        for m in pool["members"]:
            rr("internal", _zone_of(m["fqdn"]), f"{m['fqdn']}. {TTL} IN A {m['ip']}")
            if pool["role"] != "edge":  # POOL-03: internal servers register their PTR record (reverse zone per /24)
                ptr = ipaddress.ip_address(m["ip"]).reverse_pointer
                rr("internal", _zone_of(ptr), f"{ptr}. {TTL} IN PTR {m['fqdn']}.")
        if pool.get("dns_load_balanced", True) or pool["role"] == "edge":
            for m in pool["members"]:
                rr("internal", _zone_of(pool["fqdn"]), f"{pool['fqdn']}. {TTL} IN A {m['ip']}")
    user_pools = [p for p in lab.pools("frontend") if p.get("homes_users", True)]
    primary = user_pools[0]
    edges = lab.pools("edge")
    for domain in inv["sip_domains"]:
        d = domain["name"]
        if domain["homed"] in ("on-premises", "split"):
            rr("internal", d, f"_sipinternaltls._tcp.{d}. {TTL} IN SRV 0 0 5061 {primary['fqdn']}.")
            if primary.get("backup"):
                rr("internal", d, f"_sipinternaltls._tcp.{d}. {TTL} IN SRV 10 10 5061 {primary['backup']}.")
            web = primary.get("web_internal_fqdn") or primary["fqdn"]
            rr("internal", d, f"lyncdiscoverinternal.{d}. {TTL} IN CNAME {web}.")
            access = edges[0]["access_edge_fqdn"]
            rr("external", d, f"_sip._tls.{d}. {TTL} IN SRV 0 0 443 {access}.")
            rr("external", d, f"_sipfederationtls._tcp.{d}. {TTL} IN SRV 0 0 5061 {access}.")
            rr("external", d, f"lyncdiscover.{d}. {TTL} IN A {REVERSE_PROXY_PUBLIC_IP}")
            rr("external", d, f"webext.{d}. {TTL} IN A {REVERSE_PROXY_PUBLIC_IP}")
            if access.endswith("." + d):
                for m in edges[0]["members"]:
                    rr("external", d, f"{access}. {TTL} IN A {m['external_ip']}")
        else:
            rr("external", d, f"_sip._tls.{d}. {TTL} IN SRV 100 1 443 {dnsprobe.OFFICE365_SIP}.")
            rr("external", d, f"_sipfederationtls._tcp.{d}. {TTL} IN SRV 100 1 5061 {dnsprobe.OFFICE365_FEDERATION}.")
            rr("external", d, f"lyncdiscover.{d}. {TTL} IN CNAME {dnsprobe.OFFICE365_DISCOVER}.")
            rr("external", d, f"sip.{d}. {TTL} IN CNAME {dnsprobe.OFFICE365_SIP}.")
    for partner in inv.get("federation_partners", []):
        p = partner["domain"]
        homed, ip = PARTNERS.get(p, ("on-premises", "203.0.113.41"))
        if homed == "online":
            rr("external", p, f"_sipfederationtls._tcp.{p}. {TTL} IN SRV 100 1 5061 {dnsprobe.OFFICE365_FEDERATION}.")
        else:
            rr("external", p, f"_sipfederationtls._tcp.{p}. {TTL} IN SRV 0 0 5061 sip.{p}.")
            rr("external", p, f"sip.{p}. {TTL} IN A {ip}")
    return views


def zone_text(zone: str, lines: list[str]) -> str:
    """An RFC 1035 zone file (what BIND loads, and the shape of a dnscmd /ZoneExport)."""
    head = [f"$TTL {TTL}", f"{zone}. {TTL} IN SOA ns1.{zone}. hostmaster.{zone}. 1 900 600 86400 {TTL}",
            f"{zone}. {TTL} IN NS ns1.{zone}."]
    return "\n".join(head + lines) + "\n"


def lab_zones(lab: Lab) -> dict[str, dict[str, str]]:
    """view -> zone -> zone text."""
    return {view: {zone: zone_text(zone, lines) for zone, lines in zones.items()}
            for view, zones in lab_records(lab).items()}


# -- DnsQuery records ----------------------------------------------------------------------------------------
def answer_record(answer: DnsAnswer, server: str, port: int) -> dict[str, Any]:
    """A DnsAnswer as the runner probe writes it (Resolve-DnsName property names)."""
    records = []
    for r in answer.records:
        rec: dict[str, Any] = {"Name": r.name, "Type": r.type, "TTL": r.ttl}
        if r.type in ("A", "AAAA"):
            rec["IPAddress"] = r.data
        elif r.type in ("CNAME", "PTR"):
            rec["NameHost"] = r.data
        elif r.type == "SRV":
            rec.update(NameTarget=r.data, Priority=r.priority, Weight=r.weight, Port=r.port)
        records.append(rec)
    return {"Name": answer.name, "Type": answer.type, "View": answer.view, "Server": server, "Port": port,
            "Status": answer.status, "Transport": "udp", "Answer": records, "Error": "", "ElapsedMs": 2}


def dns_answers(lab: Lab, zones: dict[str, dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """Every planned question answered from the lab's zones, once per DNS server of its view."""
    inventory = Inventory.model_validate(lab.inventory)
    zones = zones or lab_zones(lab)
    parsed = {view: [(zone, parse_zone_text(text, zone)) for zone, text in by_zone.items()]
              for view, by_zone in zones.items()}
    out = []
    for question in dnsprobe.plan(inventory):
        servers, port = dnsprobe.servers_of(inventory, question.view)
        answer = answer_from_zones(parsed.get(question.view, []), question.view, question.name, question.type)
        if answer.status == "REFUSED":  # no zone of the lab holds the name: the resolver says it does not exist
            answer = DnsAnswer(answer.view, answer.name, answer.type, answer.server, "NXDOMAIN")
        out += [answer_record(answer, server, port) for server in servers]
    return out


# -- probes on the Front Ends ----------------------------------------------------------------------------------
def tcp(source_ip: str, target_ip: str, port: int, ok: bool = True) -> dict[str, Any]:
    """One Test-NetConnection result."""
    return {"ComputerName": target_ip, "RemoteAddress": target_ip, "RemotePort": port, "InterfaceAlias": "Ethernet",
            "SourceAddress": source_ip, "TcpTestSucceeded": ok, "Error": "" if ok else "TCP connect failed"}


def b64(der: bytes) -> str:
    return base64.b64encode(der).decode("ascii")


def tls(target_ip: str, port: int, chain: list[bytes]) -> dict[str, Any]:
    """One TlsProbe result: the certificates presented, leaf first."""
    return {"ComputerName": target_ip, "RemoteAddress": target_ip, "RemotePort": port, "TcpTestSucceeded": True,
            "SslProtocol": "Tls12", "Certificates": [b64(c) for c in chain], "Error": ""}


def build(lab: Lab) -> None:
    configure_inventory(lab)
    master = lab.cms_master
    master_ip = lab.member(master)["ip"]
    edges = lab.members("edge")
    probes: dict[str, list[dict[str, Any]]] = {}
    for edge in edges:
        probes.setdefault(master, []).extend(tcp(master_ip, edge["ip"], port) for port in (4443, 443))
    for pool in lab.pools():
        if pool["role"] in ("frontend", "director", "mediation"):
            for m in pool["members"]:
                if m["fqdn"] != master:
                    probes.setdefault(master, []).append(tcp(master_ip, m["ip"], 445))
    for edge_pool in lab.pools("edge"):
        next_hop = next(p for p in lab.pools() if p["fqdn"] == edge_pool["next_hop"])
        for fe in next_hop["members"]:
            for edge in edge_pool["members"]:
                probes.setdefault(fe["fqdn"], []).extend(tcp(fe["ip"], edge["ip"], port) for port in (5061, 5062, 8057))
    for fqdn, records in probes.items():
        lab.sections(fqdn)["TcpProbe"] = records
    issuing = lab.pki.issuing_rsa
    lab.sections(master)["TlsProbe"] = [
        tls(edge["ip"], 4443, [lab.pki.assigned[edge["fqdn"]]["Internal"].der, issuing.der]) for edge in edges]
    runner = lab.runner_sections()
    runner["DnsQuery"] = dns_answers(lab)
    runner["HttpProbe"] = [http_silent(edge, lab) for edge in edges]
    rp = lab.inventory["reverse_proxy"]
    accepted = set(lab.inventory["policy"]["reverse_proxy_tls_versions"])
    runner["TlsVersionProbe"] = [tls_version(rp["host"], rp["port"], v, v in accepted)
                                 for v in ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")]


def http_silent(edge: dict[str, Any], lab: Lab) -> dict[str, Any]:
    """Edge internal 443 as the Edge itself answers it: a TLS handshake, then silence to an HTTP request."""
    return {"ComputerName": edge["fqdn"], "RemoteAddress": edge["ip"], "RemotePort": 443, "TcpTestSucceeded": True,
            "TlsHandshake": "completed (TLSv1.2)",
            "PresentedCertificate": b64(lab.pki.assigned[edge["fqdn"]]["Internal"].der), "HttpAnswered": False,
            "StatusLine": "", "StatusCode": None, "Headers": {}, "Title": "", "Error": ""}


def tls_version(host: str, port: int, version: str, accepted: bool) -> dict[str, Any]:
    return {"ComputerName": host, "RemoteAddress": host, "RemotePort": port, "Version": version, "Accepted": accepted,
            "NegotiatedVersion": version if accepted else "", "Cipher": "ECDHE-RSA-AES256-SHA" if accepted else "",
            "Error": "" if accepted else "handshake refused: TLSV1_ALERT_PROTOCOL_VERSION"}
