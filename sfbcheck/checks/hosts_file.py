"""The Edge's hosts file: one well-formed IP and one name per line (EDGE-HOSTS-01) and, for a DNS-load-balanced
next hop, one line per pool member with the pool FQDN as its name (EDGE-HOSTS-02).

Source: seed 003 (field notes, May 2012): several names on one hosts-file line make the resolver cache hold the
extra names as CNAMEs of the first one, so the pool FQDN resolves to a single Front End and the Edge no longer
fails over; the pool FQDN must be on its own line once per member IP. Microsoft "Deploy Edge Servers": without
perimeter DNS, each Edge resolves the next hop through its HOSTS file.
"""

from __future__ import annotations

from sfbcheck.facts.hosts import HostsEntry, HostsFile, IgnoredLine, hosts_file
from sfbcheck.host import Host
from sfbcheck.inventory import Pool
from sfbcheck.problems import Problem

HOSTS_PATH = r"C:\Windows\System32\drivers\etc\hosts"


def _pool_named(edge: Host, name: str) -> Pool | None:
    try:
        pool = edge.inventory.pool(name)
    except KeyError:
        return None
    return pool if pool.dns_load_balanced and len(pool.members) > 1 else None


def fixed_lines(edge: Host, entry: HostsEntry, hosts: HostsFile) -> list[str]:
    """What replaces ``entry``: one line per name; a DNS-load-balanced pool gets one line per member IP.
    Lines the file already has elsewhere are not repeated."""
    lines: list[str] = []
    for name in entry.names:
        pool = _pool_named(edge, name)
        addresses = [m.ip for m in pool.members] if pool else [entry.ip]
        for ip in addresses:
            line = f"{ip}\t{name}"
            if line not in lines and not (hosts.has_line(ip, name) and ip != entry.ip):
                lines.append(line)
    return lines


def _known_names(edge: Host) -> list[str]:
    inventory = edge.inventory
    return [p.fqdn for p in inventory.pools] + [s.fqdn for s in inventory.servers()]


def malformed_line(edge: Host, line: IgnoredLine) -> Problem:
    """A line the DNS client skips or misreads: say which, and what it was probably meant to be."""
    visible = "".join(c for c in line.text if (c.isprintable() and not c.isspace()) or c in " \t").casefold()
    meant = [n for n in _known_names(edge) if n.casefold() in visible]
    pool = next((n for n in meant if _pool_named(edge, n)), None)
    consequence = (f": the Edge silently loses this line, so {pool} resolves without that member" if pool else
                   f": the Edge silently loses this line ({', '.join(meant)} does not resolve through it)" if meant else
                   ": Windows skips or misreads it")
    return Problem(
        f"hosts-file line {line.line} is malformed ({line.reason}){consequence}",
        fix=(f"In {HOSTS_PATH}, retype line {line.line} as <IPv4 or IPv6 address><tab><one FQDN> with plain spaces "
             "or tabs, or delete it; then ipconfig /flushdns"),
        evidence=f"line {line.line}: {line.text!r}")


def one_name_per_line(edge: Host) -> list[Problem]:
    """EDGE-HOSTS-01: every hosts-file entry holds one well-formed IP and exactly one name (seed 003); a malformed
    line (bad address, garbage, control characters) is named, since the resolver silently drops or misreads it."""
    hosts = hosts_file(edge.evidence)
    problems = [malformed_line(edge, line) for line in hosts.malformed]
    given: set[str] = set()  # replacement lines already shown for an earlier line
    for entry in hosts.entries:
        if not entry.aliases:
            continue
        wanted = fixed_lines(edge, entry, hosts)
        lines = [line for line in wanted if line not in given]
        note = " (besides the lines given above)" if len(lines) < len(wanted) else ""
        given.update(lines)
        problems.append(Problem(
            f"hosts-file line {entry.line} gives {entry.ip} {len(entry.names)} names ({', '.join(entry.names)}): "
            f"the resolver caches {', '.join(entry.aliases)} as a CNAME of {entry.names[0]}"
            + (", so the pool resolves to this one member and the Edge does not fail over"
               if any(_pool_named(edge, name) for name in entry.aliases) else ""),
            fix=(f"In {HOSTS_PATH}, replace line {entry.line} with one name per line{note}:\n"
                 + "\n".join(lines)
                 + "\nthen ipconfig /flushdns"),
            evidence=f"line {entry.line}: {entry.text.strip()}"))
    return problems


def pool_member_lines(edge: Host) -> list[Problem]:
    """EDGE-HOSTS-02: a DNS-load-balanced next-hop pool in the hosts file has one line per member IP (003)."""
    hop_name = edge.pool.next_hop
    if not hop_name:
        return []
    hop = edge.inventory.pool(hop_name)
    hosts = hosts_file(edge.evidence)
    mentioned = hosts.with_name(hop.fqdn)
    if not hop.dns_load_balanced or not mentioned or hop.vip is not None:
        return []  # resolved through perimeter DNS (or a load balancer's VIP): EDGE-DNS-04 judges it
    listed = {e.ip for e in hosts.members(hop.fqdn)}  # a line where the pool FQDN is only an alias is no member line
    missing = [m for m in hop.members if m.ip not in listed]
    if not missing:
        return []
    shown = "\n".join(str(e) for e in mentioned)
    aliased = [e for e in mentioned if e.names[0].casefold() != hop.fqdn.casefold()]
    note = (f" (line(s) {', '.join(str(e.line) for e in aliased)} carry it only as an alias, which the resolver "
            f"turns into a CNAME of the line's first name, not a member address)" if aliased else "")
    return [Problem(
        f"the hosts file lists the DNS-load-balanced pool {hop.fqdn} without the member IP(s) "
        f"{', '.join(f'{m.ip} ({m.fqdn})' for m in missing)}: the Edge never uses those Front Ends{note}",
        fix=(f"Add to {HOSTS_PATH}, one line per member:\n"
             + "\n".join(f"{m.ip}\t{hop.fqdn}" for m in missing) + "\nthen ipconfig /flushdns"),
        evidence=shown)]
