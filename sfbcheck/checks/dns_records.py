"""DNS records, judged from the runner's DNS answers (``DnsQuery``, or a ``DnsZoneExport``).

Sources: seed 000 ("DNS (Local and LAN)": Edge servers are not domain members and must be added to the
internal DNS by hand), seed 004 (the backup pool's ``_sipinternaltls._tcp`` SRV record: port 5061, a
different priority than the primary's), seed 003 (hybrid: SRV and CNAME records of a domain homed online
point to Office 365), and Microsoft's DNS requirements for Skype for Business Server (DNS load balancing:
one A record per pool member; lyncdiscoverinternal to the internal web services).
"""

from __future__ import annotations

from sfbcheck.errors import EvidenceGap
from sfbcheck.facts.dns import DnsAnswer, dns_facts
from sfbcheck.facts.probes import Runner
from sfbcheck.host import Host
from sfbcheck.inventory import Pool, Role, SipDomain
from sfbcheck.probes import dns as dnsprobe
from sfbcheck.probes.dns import EXTERNAL, INTERNAL, servers_of
from sfbcheck.problems import Problem

SIP_INTERNAL_TLS_PORT = 5061


def ask(runner: Runner, view: str, name: str, rdtype: str) -> list[DnsAnswer]:
    """Every DNS server's answer (of ``view``) to the question; EvidenceGap when none was recorded."""
    facts = dns_facts(runner.evidence)
    try:
        return facts.lookup(view, name, rdtype)
    except EvidenceGap:
        servers, _ = servers_of(runner.inventory, view)
        if not servers and not facts.zones.get(view):
            field = "dns_servers" if view == INTERNAL else "external_dns_servers"
            raise EvidenceGap("runner", "DnsQuery", f"cannot hold {view} answers: the inventory lists no {field} "
                              f"(add them to the inventory, then run the probes: pytest --probe)") from None
        raise


def unanswered(answer: DnsAnswer, what: str) -> Problem:
    """A server that gave no verdict (timeout, SERVFAIL, REFUSED, unreachable): the requirement cannot pass."""
    return Problem(f"DNS server {answer.server} did not answer {answer.name} {answer.type} ({what}): "
                   f"{answer.outcome()}",
                   fix=f"Check that {answer.server} is reachable from the runner on UDP and TCP 53, and that it holds "
                       f"(or forwards) the zone of {answer.name}; then run the probes again (pytest --probe).",
                   evidence=answer.outcome())


def _zone_and_label(fqdn: str) -> tuple[str, str]:
    label, _, zone = fqdn.partition(".")
    return zone, label


def _add_a(fqdn: str, ip: object, server: str) -> str:
    zone, label = _zone_and_label(fqdn)
    return f"Add-DnsServerResourceRecordA -ComputerName {server} -ZoneName {zone} -Name {label} -IPv4Address {ip}"


# -- EDGE-DNS-03 -------------------------------------------------------------------------------------------
def edge_internal_a_records(edge: Host, runner: Runner) -> list[Problem]:
    """EDGE-DNS-03: the Edge FQDN resolves to exactly its internal IP, and the Edge pool internal FQDN to
    internal IPs of the pool that include this Edge's (000: Edge servers do not register in DNS)."""
    problems = []
    ip = str(edge.ip)
    pool_ips = {str(m.ip) for m in edge.pool.members}
    for answer in ask(runner, INTERNAL, edge.fqdn, "A"):
        if not answer.answered:
            problems.append(unanswered(answer, "EDGE-DNS-03"))
        elif answer.addresses != {ip}:
            wrong = sorted(answer.addresses - {ip})
            resolved = (f"resolves in internal DNS to {', '.join(sorted(answer.addresses))}, not to its internal IP "
                        f"{ip}" if answer.addresses else f"does not resolve in internal DNS ({answer.outcome()}); it "
                        f"must resolve to its internal IP {ip}")
            problems.append(Problem(
                f"{edge.fqdn} {resolved}" + (f" (remove {', '.join(wrong)})" if wrong else ""),
                fix=("Edge servers are workgroup machines and never register themselves: add the record by hand on "
                     f"the internal DNS:\n{_add_a(edge.fqdn, ip, answer.server)}"
                     + "".join(f"\nRemove-DnsServerResourceRecord -ZoneName {_zone_and_label(edge.fqdn)[0]} "
                               f"-RRType A -Name {_zone_and_label(edge.fqdn)[1]} -RecordData {w}" for w in wrong)),
                evidence=answer.outcome()))
    for answer in ask(runner, INTERNAL, edge.pool.fqdn, "A"):
        if not answer.answered:
            problems.append(unanswered(answer, "EDGE-DNS-03"))
            continue
        if edge.pool.vip is not None:
            problems += _vip_answer(edge.pool.fqdn, str(edge.pool.vip), answer, "the Edge pool internal FQDN")
            continue
        foreign = sorted(answer.addresses - pool_ips)
        if ip not in answer.addresses or foreign:
            what = (f"does not include {edge.fqdn}'s internal IP {ip}" if ip not in answer.addresses
                    else f"also resolves to {', '.join(foreign)}, which is no Edge internal IP")
            problems.append(Problem(
                f"the Edge pool internal FQDN {edge.pool.fqdn} {what}",
                fix=_add_a(edge.pool.fqdn, ip, answer.server) if ip not in answer.addresses else
                "\n".join(f"Remove-DnsServerResourceRecord -ZoneName {_zone_and_label(edge.pool.fqdn)[0]} -RRType A "
                          f"-Name {_zone_and_label(edge.pool.fqdn)[1]} -RecordData {f}" for f in foreign),
                evidence=answer.outcome()))
    return problems


def _vip_answer(fqdn: str, vip: str, answer: DnsAnswer, what: str) -> list[Problem]:
    """A hardware-load-balanced name resolves to its VIP and nothing else (inventory ``pools[].vip``)."""
    if answer.addresses == {vip}:
        return []
    zone, label = _zone_and_label(fqdn)
    wrong = sorted(answer.addresses - {vip})
    return [Problem(
        f"{what} {fqdn} is behind a hardware load balancer (VIP {vip}) but resolves in internal DNS to "
        f"{', '.join(sorted(answer.addresses)) or 'nothing'}: traffic bypasses the load balancer",
        fix="\n".join([f"Remove-DnsServerResourceRecord -ZoneName {zone} -RRType A -Name {label} -RecordData {w}"
                       for w in wrong] + ([] if vip in answer.addresses else [_add_a(fqdn, vip, answer.server)])),
        evidence=answer.outcome())]


# -- BACKUP-02 ---------------------------------------------------------------------------------------------
def _registrar_pool(runner: Runner, target: str) -> Pool | None:
    inventory = runner.inventory
    for pool in inventory.pools:
        if pool.role in (Role.frontend, Role.director) and (
                pool.fqdn == target or any(m.fqdn == target for m in pool.members)):
            return pool
    return None


def _director_fallback(name: str, domain: SipDomain, srv: list, director: Pool, priority: int, runner: Runner,
                       shown: str) -> list[Problem]:
    """A Director pool first: Directors have no backup pool (they redirect to the user's home pool, which its
    backup covers), so that is compliant; without a lower-precedence record for another registrar pool the
    Directors are a single point of discovery, which is reported as a warning (004)."""
    others = [r for r in srv if r.priority > priority and (p := _registrar_pool(runner, r.data)) is not None
              and p.fqdn != director.fqdn]
    if others:
        return []
    candidates = [p.fqdn for p in runner.inventory.pools
                  if p.role in (Role.frontend, Role.director) and p.fqdn != director.fqdn]
    if not candidates:
        return []  # one registrar pool only: nothing to fall back to
    target = next((p.fqdn for p in runner.inventory.pools if p.role is Role.frontend and p.homes_users),
                  candidates[0])
    return [Problem(
        f"{name} points first to the Director pool {director.fqdn} and has no lower-precedence SRV record for another "
        f"registrar pool: when the Directors are down, clients of {domain.name} find no registrar (a Director pool "
        "has no backup pool of its own)",
        fix=f"Add-DnsServerResourceRecord -Srv -ZoneName {domain.name} -Name _sipinternaltls._tcp "
            f"-DomainName {target} -Priority {priority + 10} -Weight 10 -Port 5061", evidence=shown, warning=True)]


def backup_pool_srv(domain: SipDomain, runner: Runner) -> list[Problem]:
    """BACKUP-02: _sipinternaltls._tcp.<domain> has SRV records for the primary pool and its backup pool, both
    on 5061, the backup with lower precedence (a higher priority number) (004); where the first record names a
    Director pool (which has no backup pool), a lower-precedence record names another registrar pool."""
    name = f"_sipinternaltls._tcp.{domain.name}"
    problems = []
    for answer in ask(runner, INTERNAL, name, "SRV"):
        if not answer.answered:
            problems.append(unanswered(answer, "BACKUP-02"))
            continue
        srv = answer.of_type("SRV")
        shown = answer.outcome()
        if not srv:
            problems.append(Problem(
                f"{name} has no SRV record on {answer.server}: {answer.outcome()}",
                fix=f"Add-DnsServerResourceRecord -Srv -ZoneName {domain.name} -Name _sipinternaltls._tcp "
                    f"-DomainName <primary pool FQDN> -Priority 0 -Weight 0 -Port 5061\n(and one for its backup pool "
                    "with -Priority 10)", evidence=shown))
            continue
        primary_priority = min(r.priority for r in srv)
        primary_records = [r for r in srv if r.priority == primary_priority]
        primary = next((p for r in primary_records if (p := _registrar_pool(runner, r.data)) is not None), None)
        for r in srv:
            if r.port != SIP_INTERNAL_TLS_PORT:
                problems.append(Problem(
                    f"{name} SRV record for {r.data} uses port {r.port}, not {SIP_INTERNAL_TLS_PORT}",
                    fix=f"Recreate it: Remove-DnsServerResourceRecord -ZoneName {domain.name} -RRType Srv "
                        f"-Name _sipinternaltls._tcp -RecordData '{r.priority} {r.weight} {r.port} {r.data}.'; "
                        f"Add-DnsServerResourceRecord -Srv -ZoneName {domain.name} -Name _sipinternaltls._tcp "
                        f"-DomainName {r.data} -Priority {r.priority} -Weight {r.weight} -Port 5061",
                    evidence=shown))
        if primary is None:
            problems.append(Problem(
                f"{name} points first (priority {primary_priority}) to "
                f"{', '.join(r.data for r in primary_records)}, which is no Front End or Director pool of the "
                "inventory", fix="Point the lowest-priority SRV record to the primary registrar pool FQDN.",
                evidence=shown))
            continue
        if primary.role is Role.director:
            problems += _director_fallback(name, domain, srv, primary, primary_priority, runner, shown)
            continue
        if primary.backup is None:
            problems.append(Problem(
                f"the primary pool {primary.fqdn} has no backup pool in the inventory, so {name} cannot name one",
                fix=f"Pair {primary.fqdn} with a backup pool in Topology Builder (and in the inventory), then add "
                    "its SRV record with a higher priority number.", evidence=shown))
            continue
        backup = [r for r in srv if _registrar_pool(runner, r.data) is not None
                  and _registrar_pool(runner, r.data).fqdn == primary.backup]  # type: ignore[union-attr]
        if not backup:
            problems.append(Problem(
                f"{name} has no SRV record for the backup pool {primary.backup} on {answer.server}: clients cannot "
                f"find it when {primary.fqdn} is down",
                fix=f"Add-DnsServerResourceRecord -Srv -ZoneName {domain.name} -Name _sipinternaltls._tcp "
                    f"-DomainName {primary.backup} -Priority {primary_priority + 10} -Weight 10 -Port 5061",
                evidence=shown))
        elif min(r.priority for r in backup) <= primary_priority:
            problems.append(Problem(
                f"{name}: the backup pool {primary.backup} has priority {min(r.priority for r in backup)}, the same "
                f"or higher precedence than the primary {primary.fqdn} ({primary_priority}); clients spread across "
                "both pools instead of failing over",
                fix=f"Give the backup record a higher priority number (e.g. {primary_priority + 10}) in DNS Manager, "
                    f"or recreate it with Add-DnsServerResourceRecord -Srv -ZoneName {domain.name} "
                    f"-Name _sipinternaltls._tcp -DomainName {primary.backup} -Priority {primary_priority + 10} "
                    "-Weight 10 -Port 5061", evidence=shown))
    return problems


# -- DNS-01 ------------------------------------------------------------------------------------------------
def pool_a_records(pool: Pool, runner: Runner) -> list[Problem]:
    """DNS-01: a DNS-load-balanced pool FQDN has an A record for every member's IP and nothing else (003)."""
    expected = {str(m.ip) for m in pool.members}
    owners = {str(m.ip): m.fqdn for m in pool.members}
    zone, label = _zone_and_label(pool.fqdn)
    problems = []
    for answer in ask(runner, INTERNAL, pool.fqdn, "A"):
        if not answer.answered:
            problems.append(unanswered(answer, "DNS-01"))
            continue
        missing = sorted(expected - answer.addresses)
        extra = sorted(answer.addresses - expected)
        if not answer.addresses:
            problems.append(Problem(
                f"{pool.fqdn} does not resolve in internal DNS ({answer.outcome()}): clients cannot reach the pool",
                fix="\n".join(_add_a(pool.fqdn, ip, answer.server) for ip in missing), evidence=answer.outcome()))
        elif missing:
            problems.append(Problem(
                f"{pool.fqdn} has no A record for {', '.join(f'{owners[ip]} ({ip})' for ip in missing)} on "
                f"{answer.server}: DNS load balancing never sends clients to "
                f"{'that member' if len(missing) == 1 else 'those members'}",
                fix="\n".join(_add_a(pool.fqdn, ip, answer.server) for ip in missing), evidence=answer.outcome()))
        if extra:
            problems.append(Problem(
                f"{pool.fqdn} also resolves to {', '.join(extra)}, which is no member of the pool: clients are sent "
                "to a server that is not in it",
                fix="\n".join(f"Remove-DnsServerResourceRecord -ComputerName {answer.server} -ZoneName {zone} "
                              f"-RRType A -Name {label} -RecordData {ip}" for ip in extra), evidence=answer.outcome()))
    return problems


# -- DNS-02 ------------------------------------------------------------------------------------------------
def _web_internal(pool: Pool) -> str:
    return pool.web_internal_fqdn or pool.fqdn


def _pool_web_ips(runner: Runner, pool: Pool) -> set[str]:
    ips = {str(m.ip) for m in pool.members}
    try:
        for answer in ask(runner, INTERNAL, _web_internal(pool), "A"):
            ips |= answer.addresses
    except EvidenceGap:
        pass
    return ips


def lyncdiscoverinternal(domain: SipDomain, runner: Runner) -> list[Problem]:
    """DNS-02: lyncdiscoverinternal.<domain> resolves (A or CNAME) to the internal web services of a pool that
    homes users (Microsoft DNS requirements)."""
    name = f"lyncdiscoverinternal.{domain.name}"
    pools = [p for p in runner.inventory.pools if p.role is Role.frontend and p.homes_users]
    webs = {_web_internal(p): p for p in pools}
    example = _web_internal(pools[0]) if pools else "<internal web services FQDN>"
    problems = []
    for answer in ask(runner, INTERNAL, name, "A"):
        if not answer.answered:
            problems.append(unanswered(answer, "DNS-02"))
            continue
        fix = (f"Add-DnsServerResourceRecordCName -ComputerName {answer.server} -ZoneName {domain.name} "
               f"-Name lyncdiscoverinternal -HostNameAlias {example}\n(in the internal zone {domain.name}, or a "
               "pin-point zone for the name)")
        if not answer.ok or not (answer.addresses or answer.aliases):
            problems.append(Problem(f"{name} does not resolve in internal DNS: {answer.outcome()}; internal clients "
                                    "cannot discover the web services (mobile clients, Autodiscover)",
                                    fix=fix, evidence=answer.outcome()))
            continue
        if any(alias in webs for alias in answer.aliases):
            continue
        if answer.addresses and any(answer.addresses <= _pool_web_ips(runner, p) for p in pools):
            continue
        problems.append(Problem(
            f"{name} resolves to {', '.join(answer.aliases + sorted(answer.addresses))}, which is not the internal "
            f"web services of a pool that homes users ({', '.join(webs)})", fix=fix, evidence=answer.outcome()))
    return problems


# -- HYB-03 ------------------------------------------------------------------------------------------------
def _srv_expectation(answer: DnsAnswer, targets: set[str], port: int, where: str) -> str | None:
    """Why the SRV answer does not point to one of ``targets`` on ``port`` (None when it does)."""
    srv = answer.of_type("SRV")
    if not srv:
        return f"has no SRV record ({answer.outcome()})"
    wrong = [r for r in srv if r.data not in targets or r.port != port]
    if wrong:
        return (f"points to {', '.join(f'{r.data}:{r.port}' for r in wrong)}, not to {where} "
                f"({' or '.join(sorted(targets))}:{port})")
    return None


def _external_addresses(runner: Runner, name: str) -> set[str]:
    """The addresses every external DNS server gives ``name`` (empty when any did not answer it)."""
    try:
        answers = ask(runner, EXTERNAL, name, "A")
    except EvidenceGap:
        return set()
    if not answers or not all(a.ok for a in answers):
        return set()
    return set.intersection(*(a.addresses for a in answers))


def access_edge_names(domain: SipDomain, runner: Runner) -> set[str]:
    """The names SIP records of ``domain`` may point to for the on-premises Edge: each Edge pool's access edge
    FQDN, and ``sip.<domain>`` when it resolves in external DNS to an access edge FQDN's addresses (several SIP
    domains each get their ``sip.<domain>``, the name CERT-07 requires on the external certificate)."""
    edges = {p.access_edge_fqdn for p in runner.inventory.pools if p.role is Role.edge and p.access_edge_fqdn}
    own = f"sip.{domain.name}"
    if own not in edges:
        addresses = _external_addresses(runner, own)
        if addresses and any(addresses & _external_addresses(runner, e) for e in edges):
            edges.add(own)
    return edges


def hybrid_records(domain: SipDomain, runner: Runner) -> list[Problem]:
    """HYB-03: in external DNS, _sip._tls, _sipfederationtls._tcp and lyncdiscover of each SIP domain point to the
    on-premises Edge for domains with on-premises users (on-premises and split-domain hybrid) and to Office 365
    for domains homed online (003, Microsoft hybrid DNS requirements)."""
    online = not domain.on_premises_users
    edges = access_edge_names(domain, runner)
    if not online and not edges:
        raise EvidenceGap("inventory", "pools[].access_edge_fqdn", "is not set on any Edge pool: cannot tell where "
                          f"{domain.name}'s SIP records must point")
    where = "Office 365" if online else "the on-premises Access Edge"
    sip_targets = {dnsprobe.OFFICE365_SIP} if online else edges
    fed_targets = {dnsprobe.OFFICE365_FEDERATION} if online else edges
    expected = [(f"_sip._tls.{domain.name}", sip_targets, 443), (f"_sipfederationtls._tcp.{domain.name}",
                                                                  fed_targets, 5061)]
    problems = []
    for name, targets, port in expected:
        for answer in ask(runner, EXTERNAL, name, "SRV"):
            if not answer.answered:
                problems.append(unanswered(answer, "HYB-03"))
                continue
            why = _srv_expectation(answer, targets, port, where)
            if why:
                target = sorted(targets)[0]
                problems.append(Problem(
                    f"{name} ({domain.name} is homed {domain.homed}) {why}",
                    fix=f"At the public DNS host of {domain.name}: SRV {name} -> {target} port {port} "
                        "(priority 100, weight 1)", evidence=answer.outcome()))
    discover = f"lyncdiscover.{domain.name}"
    for answer in ask(runner, EXTERNAL, discover, "A"):
        if not answer.answered:
            problems.append(unanswered(answer, "HYB-03"))
            continue
        to_office = any(a.endswith(".online.lync.com") or a == dnsprobe.OFFICE365_DISCOVER for a in answer.aliases)
        resolves = answer.ok and bool(answer.aliases or answer.addresses)
        if online and dnsprobe.OFFICE365_DISCOVER not in answer.aliases:
            problems.append(Problem(
                f"{discover} ({domain.name} is homed online) does not point to {dnsprobe.OFFICE365_DISCOVER}: "
                f"{answer.outcome()}",
                fix=f"At the public DNS host of {domain.name}: CNAME lyncdiscover -> {dnsprobe.OFFICE365_DISCOVER}",
                evidence=answer.outcome()))
        elif not online and (not resolves or to_office):
            problems.append(Problem(
                f"{discover} ({domain.name} is homed {domain.homed}) "
                + ("points to Office 365" if to_office else "does not resolve") + f": {answer.outcome()}",
                fix=f"At the public DNS host of {domain.name}: lyncdiscover -> the reverse proxy publishing the "
                    "external web services (A record to its public IP, or a CNAME to its FQDN)",
                evidence=answer.outcome()))
    return problems
