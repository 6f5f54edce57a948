"""Local stores and pool health (POOL-01…04).

Sources: OPD rules RDCheckSQLServicesAreRunning and RDCheckSFBLocalDBsSingleUserMode (the local SQL Express
instances; rtc/rtcdyn not ONLINE or SINGLE_USER), RDCheckSfbServerQuorumLoss (every Front End of the pool
reachable), RDCheckDNSResolution, RDCheckMultihomedServer and RDCheckListenAll; Microsoft "Front End pool
architecture" (quorum: more than half the pool's servers; a pool of two is a documented special case) and its DNS
requirements (forward and reverse lookup).
"""

from __future__ import annotations

import ipaddress

from sfbcheck.checks.dns_records import ask, unanswered
from sfbcheck.checks.version import PoolMembers
from sfbcheck.errors import EvidenceGap
from sfbcheck.facts.network import network
from sfbcheck.facts.platform import fabric_findings, sip_listeners, sql_databases
from sfbcheck.facts.probes import Runner
from sfbcheck.facts.services import services
from sfbcheck.host import Host
from sfbcheck.inventory import Edition, Role
from sfbcheck.probes.dns import INTERNAL
from sfbcheck.problems import Problem

SIP_PORT = 5061


# -- POOL-01 ---------------------------------------------------------------------------------------------------
def local_instances(server: Host) -> tuple[str, ...]:
    """The SQL Express instances the role needs: RTCLOCAL everywhere, LYNCLOCAL on Front Ends, RTC on Standard
    Edition (its back end is local)."""
    instances = ["RTCLOCAL"]
    if server.role is Role.frontend:
        instances.append("LYNCLOCAL")
        if server.pool.edition is Edition.standard:
            instances.append("RTC")
    return tuple(instances)


def local_sql_instances(server: Host) -> list[Problem]:
    """POOL-01: the local SQL Express instances of the role run, and none of their databases is in single-user
    mode or other than ONLINE."""
    running = services(server.evidence)
    problems = []
    for instance in local_instances(server):
        service = running.get(f"MSSQL${instance}")
        if service is None or not service.running:
            state = str(service) if service else f"MSSQL${instance} is not installed (no such service)"
            problems.append(Problem(
                f"the local SQL Server instance {instance} is not running on {server.fqdn}: the services that keep "
                "their data there (the replica of the CMS, presence and conferencing state) fail",
                fix=f"Start-Service 'MSSQL${instance}'; Set-Service 'MSSQL${instance}' -StartupType Automatic"
                    + ("" if service else "\n(if it is missing: Install-CsDatabase -LocalDatabases, or run "
                                          "Bootstrapper.exe from the product's Setup folder)"),
                evidence=f"Win32_Service: {state}"))
    wanted = set(local_instances(server))
    for db in sql_databases(server.evidence):
        if db.instance not in wanted or (db.state == "ONLINE" and db.user_access == "MULTI_USER"):
            continue
        problems.append(Problem(
            f"the local database {db.instance}\\{db.name} on {server.fqdn} is {db.state}, {db.user_access}: the "
            "Front End service cannot open it (a restore or repair left it so)",
            fix=(f"sqlcmd -S .\\{db.instance} -E -Q \"ALTER DATABASE [{db.name}] SET MULTI_USER\"" if
                 db.user_access == "SINGLE_USER" else
                 f"Bring it online (sqlcmd -S .\\{db.instance} -E -Q \"ALTER DATABASE [{db.name}] SET ONLINE\"), "
                 "or recreate the local databases: Install-CsDatabase -LocalDatabases"),
            evidence=f"sys.databases: {db}"))
    return problems


# -- POOL-02 ---------------------------------------------------------------------------------------------------
QUORUM_SERVICES = ("RTCSRV", "FABRICHOSTSVC")


def pool_quorum(pool: PoolMembers) -> list[Problem]:
    """POOL-02: more than half of an Enterprise Edition pool's members run the Front End service (RTCSRV) and
    Windows Fabric (FabricHostSvc), and Get-CsPoolFabricState reports no missing replicas; a pool of exactly two
    is reported as a warning (it cannot lose a server without losing quorum)."""
    lines, up = [], []
    for member in pool.members:
        running = services(member.evidence)
        states = {name: running.get(name) for name in QUORUM_SERVICES}
        ok = all(s is not None and s.running for s in states.values())
        up += [member.fqdn] if ok else []
        lines.append(f"{member.fqdn}: " + "; ".join(str(s) if s else f"{n} not installed" for n, s in states.items()))
    total = len(pool.members)
    problems = []
    if len(up) * 2 <= total:
        down = [m.fqdn for m in pool.members if m.fqdn not in up]
        problems.append(Problem(
            f"{pool.fqdn} has lost quorum: only {len(up)} of {total} Front Ends run the Front End service and "
            f"Windows Fabric (more than half must); {', '.join(down)} do not, so the pool's users sign in to "
            "limited functionality",
            fix=(f"Start the services on {', '.join(down)} (Start-CsWindowsService); if the pool stays down, "
                 f"Reset-CsPoolRegistrarState -PoolFqdn {pool.fqdn} -ResetType QuorumLossRecovery"),
            evidence="\n".join(lines)))
    findings = fabric_findings(pool.members[0].evidence)
    if findings:
        problems.append(Problem(
            f"Get-CsPoolFabricState on {pool.fqdn} reports missing replicas: the pool's routing groups are not fully "
            "replicated",
            fix=(f"Get-CsPoolFabricState -PoolFqdn {pool.fqdn} for the details; start the Front End service on every "
                 f"member; if replicas stay missing: Reset-CsPoolRegistrarState -PoolFqdn {pool.fqdn} "
                 "-ResetType ServiceReset"),
            evidence="\n".join(findings)))
    if total == 2:
        problems.append(Problem(
            f"{pool.fqdn} has exactly two Front Ends: losing either one loses quorum (Microsoft recommends at least "
            "three; a pool of two must be restarted together with care)",
            fix=f"Add a third Front End to {pool.fqdn} in Topology Builder and publish the topology.",
            evidence="\n".join(lines), warning=True))
    return problems


# -- POOL-03 ---------------------------------------------------------------------------------------------------
def reverse_name(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    return ip.reverse_pointer


def forward_and_reverse_dns(server: Host, runner: Runner) -> list[Problem]:
    """POOL-03: in internal DNS the server's FQDN resolves to its inventory IP and that IP's PTR is the FQDN."""
    problems = []
    ip = str(server.ip)
    label, _, zone = server.fqdn.partition(".")
    for answer in ask(runner, INTERNAL, server.fqdn, "A"):
        if not answer.answered:
            problems.append(unanswered(answer, "POOL-03"))
        elif ip not in answer.addresses:
            problems.append(Problem(
                f"{server.fqdn} does not resolve to its address {ip} in internal DNS "
                f"({', '.join(sorted(answer.addresses)) or answer.outcome()})",
                fix=f"Add-DnsServerResourceRecordA -ComputerName {answer.server} -ZoneName {zone} -Name {label} "
                    f"-IPv4Address {ip} (and remove a wrong record), or let the server register: ipconfig /registerdns",
                evidence=answer.outcome()))
    ptr = reverse_name(server.ip)
    for answer in ask(runner, INTERNAL, ptr, "PTR"):
        names = {r.data for r in answer.of_type("PTR")}
        if not answer.answered:
            problems.append(unanswered(answer, "POOL-03"))
        elif server.fqdn not in names:
            reverse_zone = ptr.partition(".")[2]
            problems.append(Problem(
                f"the reverse lookup of {ip} ({ptr}) "
                + (f"names {', '.join(sorted(names))}, not {server.fqdn}" if names else "finds no PTR record")
                + ": Kerberos, the certificate checks of server-to-server TLS and the tools that resolve addresses "
                  "back to names see another server",
                fix=(f"Add-DnsServerResourceRecordPtr -ComputerName {answer.server} -ZoneName {reverse_zone} "
                     f"-Name {ptr.partition('.')[0]} -PtrDomainName {server.fqdn}"
                     + ("".join(f"\nRemove-DnsServerResourceRecord -ZoneName {reverse_zone} -RRType Ptr -Name "
                                f"{ptr.partition('.')[0]} -RecordData {n}" for n in sorted(names)))),
                evidence=answer.outcome()))
    return problems


# -- POOL-04 ---------------------------------------------------------------------------------------------------
def _in_use(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.version == 4 and not (address.is_loopback or address.is_link_local or address.is_unspecified)


def single_homed_sip(server: Host) -> list[Problem]:
    """POOL-04: one internal IPv4 address in use (or SIP bound to the topology address only, which is what the
    topology's "limit service usage to selected IP addresses" does), and SIP 5061 listens on the topology address."""
    interfaces = network(server.evidence).interfaces
    addresses = sorted({i.address for i in interfaces if _in_use(i.address)}, key=str)
    listeners = [listener for listener in sip_listeners(server.evidence) if listener.port == SIP_PORT]
    shown = "\n".join([f"NetIPAddress: {', '.join(f'{i}' for i in interfaces if _in_use(i.address)) or '(none)'}",
                       "Get-NetTCPConnection -State Listen -LocalPort 5061: "
                       + (", ".join(str(listener) for listener in listeners) or "(no listener)")])
    problems = []
    if not listeners:
        problems.append(Problem(
            f"nothing listens on TCP 5061 on {server.fqdn}: the Front End service (SIP) is not running or listens "
            "elsewhere",
            fix="Start-CsWindowsService; check the topology's SIP port of the pool (5061) and publish it.",
            evidence=shown))
    elif not any(listener.wildcard or listener.address == server.ip for listener in listeners):
        problems.append(Problem(
            f"SIP 5061 on {server.fqdn} listens on {', '.join(str(x.address) for x in listeners)}, not on "
            f"the topology address {server.ip}: other servers and clients reach it at {server.ip}",
            fix=(f"In Topology Builder, set the server's primary IP address to the one the pool uses ({server.ip}), "
                 "publish, and restart the services; or correct the inventory if the server moved."),
            evidence=shown))
    if len(addresses) > 1 and any(listener.wildcard for listener in listeners):
        others = [str(a) for a in addresses if a != server.ip]
        problems.append(Problem(
            f"{server.fqdn} is multi-homed on its internal side ({', '.join(str(a) for a in addresses)}) and SIP "
            f"listens on every address: traffic may leave or arrive on {', '.join(others)}, which the topology, the "
            "load balancer and the firewalls do not expect",
            fix=(f"Remove the extra addresses ({', '.join(others)}) or disable their adapters; or in Topology Builder "
                 f"limit service usage to the selected IP address {server.ip} and publish."),
            evidence=shown))
    if not addresses:
        raise EvidenceGap(server.fqdn, "NetIPAddress", "has no IPv4 address in use")
    return problems
