"""Network faults from seeds 000, 001, 003 and 004: closed ports, an intercepted Edge, DNS records missing or
wrong (they change the runner's DNS answers in runner.json), a federation partner not allowed, and TLS 1.0
disabled on the reverse proxy."""

from __future__ import annotations

from typing import Any

from sfbcheck.lab import pki
from sfbcheck.lab.faults import fault
from sfbcheck.lab.model import Lab
from sfbcheck.lab.sections.probes import b64

CMS, FE02, FE04 = "fe01.contoso.local", "fe02.contoso.local", "fe04.contoso.local"
EDGE1, EDGE2 = "edge01.contoso.local", "edge02.contoso.local"


def _tcp(lab: Lab, source: str, target: str, port: int) -> dict[str, Any]:
    ip = lab.member(target)["ip"]
    return next(r for r in lab.sections(source)["TcpProbe"] if r["RemoteAddress"] == ip and r["RemotePort"] == port)


def _block(lab: Lab, source: str, target: str, port: int) -> None:
    _tcp(lab, source, target, port).update(TcpTestSucceeded=False, Error="TCP connect to port failed (timed out)")


def answers(lab: Lab, view: str, name: str, rdtype: str) -> list[dict[str, Any]]:
    """The runner's DnsQuery records (one per DNS server) for a question."""
    found = [q for q in lab.runner_sections()["DnsQuery"]
             if q["View"] == view and q["Name"] == name and q["Type"] == rdtype]
    assert found, f"the lab asks no {view} question {name} {rdtype}"
    return found


def _srv(records: list[dict[str, Any]], target: str) -> dict[str, Any]:
    return next(r for r in records if r.get("NameTarget") == target)


@fault("cms-4443-blocked-to-edge02", "EDGE-FW-01", EDGE2,
       "the internal perimeter firewall drops TCP 4443 from the CMS Front End to edge02 (000, 001: event 1017, "
       "replication to the Edge fails)")
def cms_4443_blocked(lab: Lab) -> None:
    _block(lab, CMS, EDGE2, 4443)


@fault("fe02-5062-blocked-to-edge01", "EDGE-FW-02", EDGE1,
       "TCP 5062 (A/V authentication) from the next-hop Front End fe02 to edge01 is not open")
def fe02_5062_blocked(lab: Lab) -> None:
    _block(lab, FE02, EDGE1, 5062)


@fault("edge01-4443-ssl-inspection", "EDGE-FW-03", EDGE1,
       "an SSL-inspecting firewall answers edge01's internal 4443 with its own certificate (003; 001 event 1015)")
def ssl_inspection(lab: Lab) -> None:
    inspection_ca = pki.make_root("Perimeter Firewall Inspection CA", org="Contoso Network Team", now=lab.now)
    forged = pki.make_leaf("edgepool.contoso.local", inspection_ca, sans=["edgepool.contoso.local", EDGE1],
                           now=lab.now)
    ip = lab.member(EDGE1)["ip"]
    probe = next(r for r in lab.sections(CMS)["TlsProbe"] if r["RemoteAddress"] == ip)
    probe["Certificates"] = [b64(forged.der), b64(inspection_ca.der)]


@fault("edge02-443-layer7-proxy", "EDGE-FW-04", EDGE2,
       "a layer-7 firewall forward proxy answers edge02's internal 443 with 407 Proxy Authentication Required (003)")
def layer7_proxy(lab: Lab) -> None:
    probe = next(r for r in lab.runner_sections()["HttpProbe"] if r["ComputerName"] == EDGE2)
    probe.update(TlsHandshake="failed: WRONG_VERSION_NUMBER", PresentedCertificate="", HttpAnswered=True,
                 StatusLine="HTTP/1.1 407 Proxy Authentication Required", StatusCode=407,
                 Headers={"Proxy-Authenticate": 'Basic realm="Perimeter proxy"', "Via": "1.1 fw01 (proxy)"},
                 Title="Authentication required")


@fault("cms-445-blocked-to-fe04", "CMS-07", FE04,
       "SMB 445 from the CMS master to fe04 (the other site) is blocked: the replica file share is unreachable (001)")
def cms_445_blocked(lab: Lab) -> None:
    _block(lab, CMS, FE04, 445)


@fault("edge01-missing-from-internal-dns", "EDGE-DNS-03", EDGE1,
       "nobody added edge01 to the internal DNS (a workgroup server never registers itself, 000): NXDOMAIN")
def edge_not_in_dns(lab: Lab) -> None:
    for q in answers(lab, "internal", EDGE1, "A"):
        q.update(Status="NXDOMAIN", Answer=[])


@fault("backup-srv-missing", "BACKUP-02", "contoso.com",
       "the SRV record for the backup pool pool02 was never added to _sipinternaltls._tcp.contoso.com (004)")
def backup_srv_missing(lab: Lab) -> None:
    for q in answers(lab, "internal", "_sipinternaltls._tcp.contoso.com", "SRV"):
        q["Answer"] = [r for r in q["Answer"] if r.get("NameTarget") != "pool02.contoso.local"]


@fault("backup-srv-wrong-port", "BACKUP-02", "contoso.com",
       "the backup pool's SRV record uses port 5060 instead of 5061 (004)")
def backup_srv_wrong_port(lab: Lab) -> None:
    for q in answers(lab, "internal", "_sipinternaltls._tcp.contoso.com", "SRV"):
        _srv(q["Answer"], "pool02.contoso.local")["Port"] = 5060


@fault("backup-srv-same-priority", "BACKUP-02", "contoso.com",
       "the backup pool's SRV record has the primary's priority 0 (004: it must differ)")
def backup_srv_same_priority(lab: Lab) -> None:
    for q in answers(lab, "internal", "_sipinternaltls._tcp.contoso.com", "SRV"):
        _srv(q["Answer"], "pool02.contoso.local")["Priority"] = 0


@fault("pool01-member-a-record-missing", "DNS-01", "pool01.contoso.local",
       "pool01.contoso.local has no A record for fe03: DNS load balancing never sends clients to it")
def pool_member_missing(lab: Lab) -> None:
    for q in answers(lab, "internal", "pool01.contoso.local", "A"):
        q["Answer"] = [r for r in q["Answer"] if r.get("IPAddress") != "10.10.1.13"]


@fault("lyncdiscoverinternal-missing", "DNS-02", "contoso.com",
       "lyncdiscoverinternal.contoso.com was never created in the internal contoso.com zone: NXDOMAIN")
def lyncdiscoverinternal_missing(lab: Lab) -> None:
    for q in answers(lab, "internal", "lyncdiscoverinternal.contoso.com", "A"):
        q.update(Status="NXDOMAIN", Answer=[])


@fault("fabrikam-sip-points-on-premises", "HYB-03", "fabrikam.com",
       "fabrikam.com is homed online but its _sip._tls record still points to the on-premises Edge (003)")
def online_domain_on_premises(lab: Lab) -> None:
    for q in answers(lab, "external", "_sip._tls.fabrikam.com", "SRV"):
        q["Answer"] = [{"Name": "_sip._tls.fabrikam.com", "Type": "SRV", "TTL": 3600, "NameTarget": "sip.contoso.com",
                        "Priority": 0, "Weight": 0, "Port": 443}]


@fault("litwareinc-not-allowed", "FED-01", "litwareinc.com",
       "litwareinc.com (hosted in Office 365) is not an allowed domain, only push.lync.com is: ms-diagnostics 1028 "
       "when users join its meetings (003)")
def partner_not_allowed(lab: Lab) -> None:
    for member in lab.members("frontend"):
        sections = lab.sections(member["fqdn"])
        sections["CsAllowedDomain"] = [d for d in sections["CsAllowedDomain"] if d["Domain"] != "litwareinc.com"]


@fault("reverse-proxy-tls10-disabled", "TLS-02", "webext.contoso.com",
       "TLS 1.0 was disabled on the reverse proxy for PCI: Exchange Online meeting scheduling and the Lync "
       "Connectivity Analyzer fail (003)")
def reverse_proxy_tls10_disabled(lab: Lab) -> None:
    probe = next(r for r in lab.runner_sections()["TlsVersionProbe"] if r["Version"] == "TLSv1")
    probe.update(Accepted=False, NegotiatedVersion="", Cipher="",
                 Error="handshake refused: TLSV1_ALERT_PROTOCOL_VERSION")
