"""Ports between the servers, judged from TCP connects and a TLS handshake made ON the probing server.

Sources: seed 000 ("Firewall rules": TCP 443 and 4443 from the CMS Front End to the Edge internal
interface, tested from that server), seed 001 (CMS replication: the Master File Transfer service pushes to
the Replica Replicator Agent on Edge internal 4443, event 1017; replica file shares over SMB 445; event
1015 when the certificate presented does not match), seed 003 (an application-layer firewall answering
HTTP on Edge internal 443 while telnet/PortQry succeed), and Microsoft's Edge port summary (5061 SIP,
5062 A/V authentication, 8057 web conferencing, from the next-hop pool to the Edge internal interface).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from sfbcheck.errors import EvidenceGap
from sfbcheck.facts.assignments import assignment
from sfbcheck.facts.certificates import parse_entry, stores
from sfbcheck.facts.chain import build_chain
from sfbcheck.facts.probes import Runner, TlsResult, http_probes, tcp_targets, tls_probes
from sfbcheck.host import Host
from sfbcheck.problems import Problem

CMS_TO_EDGE_PORTS = (4443, 443)
NEXT_HOP_TO_EDGE_PORTS = (5061, 5062, 8057)
PORT_USE = {443: "HTTPS / A/V (TURN over TCP)", 4443: "CMS replication (Replica Replicator Agent)",
            445: "SMB (replica file share xds-replica)", 5061: "SIP/MTLS (Access Edge)",
            5062: "SIP/MTLS A/V authentication", 8057: "PSOM (Web Conferencing Edge)"}


def _about(result_address: str, result_name: str, host: Host) -> bool:
    return result_address == str(host.ip) or result_name.lower() in (host.fqdn, str(host.ip))


def tcp_ports(source: Host, target: Host, ports: tuple[int, ...], fix_where: str) -> list[Problem]:
    """Each of ``ports`` on ``target``'s internal IP connects in the TcpProbe evidence collected on ``source``."""
    about = tcp_targets(source.evidence).about(str(target.ip), target.fqdn)  # the results _about() the target
    problems = []
    for port in ports:
        found = [r for r in about if r.port == port]
        use = PORT_USE.get(port, "")
        test = f"Test-NetConnection {target.ip} -Port {port}"
        if not found:
            problems.append(Problem(
                f"no TCP {port} probe from {source.fqdn} to {target.fqdn} ({target.ip}) in {source.fqdn}'s evidence: "
                "cannot tell whether the port is open",
                fix=f"Re-collect {source.fqdn}'s evidence with the collector (it probes every port the checks need), "
                    f"or run on {source.fqdn}: {test}",
                evidence="\n".join(str(r) for r in about) or f"(no TcpProbe entry for {target.ip})"))
        elif not any(r.succeeded for r in found):
            problems.append(Problem(
                f"TCP {port} ({use}) from {source.fqdn} to {target.fqdn} internal IP {target.ip} does not connect",
                fix=f"Open TCP {port} from {source.fqdn} ({source.ip}) to {target.ip} on {fix_where}; check the "
                    f"route back from {target.fqdn} to {source.ip}. Verify on {source.fqdn}: {test}",
                evidence="\n".join(str(r) for r in found)))
    return problems


def cms_to_edge(cms: Host, edge: Host) -> list[Problem]:
    """EDGE-FW-01: TCP 4443 and 443 from the CMS master Front End to the Edge's internal IP connect (000, 001)."""
    return tcp_ports(cms, edge, CMS_TO_EDGE_PORTS, "the internal perimeter firewall (LAN to internal DMZ)")


def next_hop_to_edge(frontend: Host, edge: Host) -> list[Problem]:
    """EDGE-FW-02: TCP 5061, 5062 and 8057 from each Front End of the next-hop pool to the Edge internal IP."""
    return tcp_ports(frontend, edge, NEXT_HOP_TO_EDGE_PORTS, "the internal perimeter firewall (LAN to internal DMZ)")


def cms_to_internal_server(cms: Host, server: Host) -> list[Problem]:
    """CMS-07: TCP 445 (SMB, the replica file share) from the CMS master to each internal server (001)."""
    return tcp_ports(cms, server, (445,), f"{server.fqdn}'s Windows Firewall (File and Printer Sharing (SMB-In)) "
                                          "and any firewall between the two sites")


# -- EDGE-FW-03: the certificate presented on Edge internal 4443 ------------------------------------------
def _thumbprint(cert: x509.Certificate) -> str:
    return hashlib.sha1(cert.public_bytes(Encoding.DER)).hexdigest().upper()  # noqa: S324 - Windows thumbprint


def _names(cert: x509.Certificate) -> set[str]:
    names = {str(a.value).lower() for a in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)}
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names |= {n.lower() for n in san.get_values_for_type(x509.DNSName)}
    except x509.ExtensionNotFound:
        pass
    return names


def _show(cert: x509.Certificate) -> str:
    return (f"subject {cert.subject.rfc4514_string()}, issuer {cert.issuer.rfc4514_string()}, "
            f"thumbprint {_thumbprint(cert)}, names {', '.join(sorted(_names(cert)))}")


def _assigned_internal(edge: Host) -> str:
    internal = assignment(edge.evidence, "Internal")
    if internal is None:
        raise EvidenceGap(edge.fqdn, "CsCertificate", "has no certificate assigned to Use Internal")
    return internal.thumbprint


def _tls_probe(cms: Host, edge: Host) -> TlsResult | None:
    found = [r for r in tls_probes(cms.evidence) if r.port == 4443 and _about(r.address, r.computer_name, edge)]
    return next((r for r in found if r.leaf is not None), found[0] if found else None)


def _deployment_root(cms: Host) -> str | None:
    """The thumbprint of the root the CMS master's own Default certificate chains to (the internal PKI)."""
    try:
        default = assignment(cms.evidence, "Default")
        mine = next(c for c in stores(cms.evidence)["My"] if default and c.thumbprint == default.thumbprint)
    except (StopIteration, EvidenceGap):
        return None
    result = build_chain(mine, stores(cms.evidence), cms.evidence.judged_at())
    return result.root.thumbprint if result.ok and result.root else None


def edge_4443_certificate(cms: Host, edge: Host) -> list[Problem]:
    """EDGE-FW-03: Edge internal 4443 presents the Edge's own internal certificate to the CMS (001, 003)."""
    probe = _tls_probe(cms, edge)
    where = f"{edge.fqdn} internal {edge.ip}:4443"
    if probe is None:
        return [Problem(f"no TLS probe of {where} in {cms.fqdn}'s evidence: cannot tell which certificate it presents",
                        fix=f"Re-collect {cms.fqdn}'s evidence with the collector (TlsProbe section).",
                        evidence="(no TlsProbe entry on port 4443 for this Edge)")]
    if probe.leaf is None:
        return [Problem(f"{where} presented no certificate to {cms.fqdn}: {probe.error or 'no TLS handshake'}",
                        fix="Open TCP 4443 (EDGE-FW-01) and check that the Replica Replicator Agent (REPLICA) runs "
                            f"on {edge.fqdn} with its Internal certificate assigned (Deployment Wizard, step 3).",
                        evidence=f"TlsProbe {probe.address}:{probe.port}: {probe.error}")]
    leaf = probe.leaf
    assigned = _assigned_internal(edge)
    shown = f"presented: {_show(leaf)}\nassigned on {edge.fqdn} (Get-CsCertificate -Type Internal): {assigned}"
    problems = []
    if _thumbprint(leaf) != assigned:
        problems.append(Problem(
            f"{where} presents a certificate that is not {edge.fqdn}'s internal certificate: something between "
            f"{cms.fqdn} and the Edge intercepts TLS (an SSL-inspecting firewall or proxy), or a load balancer "
            "sends 4443 to another server (event 1015: host/cluster name mismatch)",
            fix=f"Exempt {edge.ip}:4443 (and 443) from SSL inspection / application-layer filtering on the firewall "
                f"between {cms.fqdn} and the Edge; on a hardware load balancer, do not load-balance 4443 (each Edge "
                "is contacted directly). Re-check with: Invoke-CsManagementStoreReplication; "
                "Get-CsManagementStoreReplicationStatus.",
            evidence=shown))
        return problems
    cms_stores = stores(cms.evidence)
    presented = [parse_entry("CA", {"RawData": base64.b64encode(c.public_bytes(Encoding.DER)).decode()})
                 for c in probe.certificates[1:]]
    chain_stores = {**cms_stores, "CA": [*cms_stores["CA"], *presented]}
    result = build_chain(leaf, chain_stores, cms.evidence.judged_at())
    root = _deployment_root(cms)
    if not result.ok:
        problems.append(Problem(
            f"the certificate on {where} does not chain to a root {cms.fqdn} trusts: {result.problem}",
            fix=f"Issue {edge.fqdn}'s internal certificate from the deployment's internal CA and import that CA's "
                f"root and intermediates on {cms.fqdn} (LocalMachine\\Root and \\CA).",
            evidence=f"{shown}\nchain: {result.describe_path()}"))
    elif root is not None and result.root is not None and result.root.thumbprint != root:
        problems.append(Problem(
            f"the certificate on {where} chains to {result.root.subject}, not to the deployment's internal root "
            f"(the root of {cms.fqdn}'s own Default certificate)",
            fix=f"Re-issue {edge.fqdn}'s internal certificate from the internal CA the Front Ends use.",
            evidence=f"{shown}\nchain: {result.describe_path()}"))
    names = _names(leaf)
    if not names & {edge.fqdn, edge.pool.fqdn}:
        problems.append(Problem(
            f"the certificate on {where} names neither {edge.fqdn} nor the Edge pool {edge.pool.fqdn}",
            fix=f"Request the Edge internal certificate with subject {edge.pool.fqdn} and SAN {edge.fqdn} "
                "(Deployment Wizard, Request, Install or Assign Certificates, Edge internal).",
            evidence=shown))
    return problems


# -- EDGE-FW-04: layer-7 interception on Edge internal 443, probed from the runner ------------------------
def edge_443_not_intercepted(edge: Host, runner: Runner) -> list[Problem]:
    """EDGE-FW-04: Edge internal 443 is not answered by an HTTP proxy (003: a layer-7 firewall)."""
    found = [p for p in http_probes(runner.evidence) if p.computer_name.lower() == edge.fqdn and p.port == 443]
    where = f"{edge.fqdn} internal {edge.ip}:443"
    if not found:
        return [Problem(f"no HTTP interception probe of {where} in the runner's evidence",
                        fix="Run the runner probes from an internal client: pytest --probe, or "
                            "python -m sfbcheck.probes --inventory INVENTORY.",
                        evidence="(no HttpProbe entry for this Edge)")]
    probe = found[0]
    detail = (f"TCP connect: {probe.tcp_succeeded}; TLS handshake: {probe.tls_handshake}; "
              f"HTTP answer: {probe.status_line or 'none'}")
    if probe.http_answered:
        headers = "\n".join(f"{k}: {v}" for k, v in probe.headers.items())
        title = f"\npage title: {probe.title}" if probe.title else ""
        return [Problem(
            f"{where} answered an HTTP request ({probe.status_line}): a layer-7 firewall or forward proxy "
            "intercepts traffic to the Edge (the Edge never answers HTTP on 443), so TLS/TURN sessions "
            "(desktop sharing, A/V over TCP) never reach it while telnet and PortQry still succeed",
            fix=f"On the firewall between the internal network and the Edge, disable application-layer (proxy) "
                f"filtering and SSL inspection for traffic to {edge.ip} and {edge.pool.fqdn}; exclude the Edge "
                "pool internal FQDN from the clients' web proxy (proxy bypass list).",
            evidence=f"{detail}\n{headers}{title}".rstrip())]
    if not probe.tcp_succeeded:
        return [Problem(
            f"the runner could not connect to {where} ({probe.error or 'no connection'}): cannot tell whether "
            "a proxy intercepts it",
            fix="Run the probes from an internal client that reaches the Edge internal interface, and open TCP 443 "
                f"to {edge.ip} from the internal network (EDGE-FW-01).",
            evidence=detail)]
    return []
