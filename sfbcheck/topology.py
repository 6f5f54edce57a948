"""Inventory from the topology: ``python -m sfbcheck.topology FILE [--out inventory.yml [--force]]``.

Reads a ``.tbxml`` (Topology Builder) or the output of ``Get-CsTopology -AsXml`` (:mod:`sfbcheck.topology_xml` says
what is read from where) and writes an inventory with a ``TODO`` wherever the topology is silent: the Edge pools'
internal subnets and gateway, the internal DNS servers, an internal IP given as 0.0.0.0 ("every address"), the CMS
when the file has no Central Management Server, the product when no service version is known, the federation route
when there are several Edge pools. A pool whose services have another version than the deployment's (a Lync Server
2013 pool beside SfB pools) gets its own ``product``. A ``TODO`` left in place stops the run naming its field. The
header (the same on screen and in the file) lists what is left to fill in. An existing inventory is never
overwritten without ``--force``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from sfbcheck import atomic
from sfbcheck.errors import EvidenceError, EvidenceGap
from sfbcheck.inventory import Inventory, named_path, placeholders
from sfbcheck.topology_xml import (
    Topology,
    TopologyError,
    TopologyGateway,
    TopologyMachine,
    TopologyPool,
    as_data,
    parse_topology,
)

__all__ = ["Topology", "TopologyError", "TopologyGateway", "TopologyMachine", "TopologyPool", "compare",
           "compare_snapshot", "parse_topology", "to_inventory", "write_inventory"]

TODO_SUBNETS = "TODO: the internal subnets behind this Edge pool (CIDR, e.g. 10.10.0.0/16)"
TODO_GATEWAY = "TODO: the Edge pool's internal (DMZ) gateway IP"
TODO_DNS = "TODO: the internal DNS servers' IPs"
TODO_NEXT_HOP = "TODO: the next-hop pool (the topology names no Registrar this Edge pool depends on)"
TODO_CMS = "TODO: the CMS Front End pool (this topology has no Central Management Server)"
TODO_PRODUCT = "TODO: lync2013, sfb2015 or sfb2019 (no known service version in the topology)"
TODO_ROUTE = "TODO: true on the one Edge pool federation goes through, false on the others"
TODO_AD_DOMAIN = "TODO: the Active Directory domain"


def _todo_ip(fqdn: str) -> str:
    return f"TODO: {fqdn}'s internal IP (the topology gives 0.0.0.0: every address)"


def _product(topology: Topology) -> str:
    cms = topology.cms_pool
    if cms is not None and cms.product:
        return cms.product
    known = sorted({p.service_version for p in topology.pools if p.product and p.service_version})
    return next(p.product for p in topology.pools if p.service_version == known[-1]) if known else TODO_PRODUCT


def _pool_entry(pool: TopologyPool, edges: int, product: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"fqdn": pool.fqdn, "role": pool.role}
    if pool.edition == "standard":
        entry["edition"] = "standard"
    if pool.product and pool.product != product and pool.role != "owas":
        entry["product"] = pool.product  # coexistence: this pool's services have another version than the CMS's
    if pool.site:
        entry["site"] = pool.site
    if [m.fqdn for m in pool.machines] == [pool.fqdn]:
        entry["dns_load_balanced"] = False  # a pool of one server named like it: the pool FQDN is its own record
    if pool.features:
        entry["features"] = list(pool.features)
    if pool.backup:
        entry["backup"] = pool.backup
    if pool.role in ("owas", "director", "mediation"):
        entry["homes_users"] = False
    if pool.role == "edge":
        entry["next_hop"] = pool.next_hop or TODO_NEXT_HOP
        if edges > 1:
            entry["federation_route"] = TODO_ROUTE
        for name in ("access_edge_fqdn", "webconf_edge_fqdn", "av_edge_fqdn"):
            if getattr(pool, name):
                entry[name] = getattr(pool, name)
        entry["internal_subnets"] = [TODO_SUBNETS]
        entry["internal_gateway"] = TODO_GATEWAY
    members = []
    for machine in pool.machines:
        member: dict[str, Any] = {"fqdn": machine.fqdn, "ip": machine.internal_ip or _todo_ip(machine.fqdn)}
        if pool.role == "edge":
            if machine.external_ips:
                member["external_ip"] = machine.external_ips[0]
            if machine.external_ips[1:]:
                member["external_ips"] = machine.external_ips[1:]
            if machine.public_ip:
                member["public_ip"] = machine.public_ip
            member["connection"] = {"method": "file"}
        members.append(member)
    entry["members"] = members
    return entry


def to_inventory(topology: Topology, deployment: str = "from the topology") -> dict[str, Any]:
    """An inventory (as data) with TODO placeholders for what a topology does not hold."""
    domains = Counter(m.fqdn.partition(".")[2] for p in topology.pools for m in p.machines if "." in m.fqdn)
    cms = topology.cms_pool
    edges = sum(1 for p in topology.pools if p.role == "edge")
    product = _product(topology)
    inventory: dict[str, Any] = {
        "deployment": deployment,
        "product": product,
        "ad_domain": domains.most_common(1)[0][0] if domains else TODO_AD_DOMAIN,
        "sip_domains": [{"name": d, "homed": "on-premises"} for d in topology.sip_domains],
        "sites": topology.sites,
        "cms": {"pool": cms.fqdn if cms is not None else TODO_CMS},
        "dns_servers": [TODO_DNS],
        "pools": [_pool_entry(p, edges, product) for p in topology.pools],
    }
    if topology.gateways:
        inventory["pstn_gateways"] = [{k: v for k, v in g.__dict__.items() if v is not None}
                                      for g in topology.gateways]
    inventory["evidence"] = "evidence"
    return inventory


def header(topology: Topology, data: dict[str, Any], source: str) -> str:
    """The comment block on top of a generated inventory: where it comes from and every TODO left to fill."""
    todos = [f"#   - {named_path(loc, data)}: {text.removeprefix('TODO: ')}" for loc, text in placeholders(data)]
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    lines = [f"# Inventory generated by `sfbcheck import-topology` from {Path(source).name} ({topology.form}):",
             f"# {count(len(topology.pools), 'pool')}, {count(len(topology.servers()), 'server')}, "
             f"{count(len(topology.gateways), 'PSTN gateway')}."]
    if todos:
        lines += [f"# Left to fill in ({len(todos)} TODO; a TODO left in place stops the run naming its field):",
                  *todos]
    else:
        lines.append("# Nothing is left as TODO.")
    lines += ["# Check too: sip_domains[].homed (on-premises or online) and mobile_push, pools[].features,",
              "# federation_partners, reverse_proxy, external_dns_servers, policy, and each server's connection",
              "# (Edge servers are set to `method: file`; the others use WinRM over HTTPS with Kerberos:",
              "# docs/live.md)."]
    return "\n".join(lines) + "\n"


def render(topology: Topology, source: str, deployment: str | None = None) -> tuple[str, str]:
    """The generated inventory file's header and YAML."""
    data = to_inventory(topology, deployment or Path(source).stem)
    return header(topology, data, source), yaml.safe_dump(data, sort_keys=False, default_flow_style=False,
                                                          width=110)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path, text)


def write_inventory(topology: Topology, out: Path, source: str, force: bool = False) -> str:
    """Write the generated inventory (never over an existing file unless ``force``); returns its header."""
    if out.exists() and not force:
        raise FileExistsError("exists: not overwritten (give --force to replace it)")
    head, body = render(topology, source)
    _write_atomically(out, head + body)
    return head


# -- topology vs inventory -----------------------------------------------------------------------------
def compare(inventory: Inventory, topology: Topology) -> list[str]:
    """Servers in the topology missing from the inventory, and the reverse, and role differences."""
    listed = {s.fqdn: s.role.value for s in inventory.servers()}
    published = topology.servers()
    lines = [f"{fqdn} ({role}) is in the topology but not in the inventory: add it to the inventory"
             for fqdn, role in sorted(published.items()) if fqdn not in listed]
    lines += [f"{fqdn} ({role}) is in the inventory but not in the topology: remove it from the inventory, "
              "or publish it in Topology Builder" for fqdn, role in sorted(listed.items()) if fqdn not in published]
    lines += [f"{fqdn} is a {listed[fqdn]} server in the inventory but a {role} server in the topology"
              for fqdn, role in sorted(published.items()) if fqdn in listed and listed[fqdn] != role]
    return lines


def topology_from_evidence(sections: dict[str, Any]) -> Topology | None:
    raw = sections.get("CsTopology")
    if not isinstance(raw, dict) or not isinstance(raw.get("Xml"), str):
        return None
    return parse_topology(raw["Xml"])


def compare_snapshot(inventory: Inventory, directory: Path) -> list[str]:
    """Compare the topology the CMS master reported (section ``CsTopology``) with the inventory."""
    from sfbcheck.evidence import evidence_path, load_document

    master = inventory.cms_master.fqdn
    try:
        document = load_document(evidence_path(directory, master), master)
        topology = topology_from_evidence(document["Sections"])
    except (EvidenceError, EvidenceGap, TopologyError) as exc:
        return [f"not compared with the published topology: {exc}"]
    if topology is None:
        return [f"not compared with the published topology: no CsTopology section from the CMS master {master}"]
    differences = compare(inventory, topology)
    return differences or [f"the inventory lists the same {len(topology.servers())} servers as the published "
                           f"topology (from {master})"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sfbcheck.topology", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="a .tbxml, or the output of Get-CsTopology -AsXml")
    parser.add_argument("--out", type=Path, default=None, help="inventory YAML to write (default: print it)")
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    parser.add_argument("--json", action="store_true", help="print the parsed topology as JSON")
    args = parser.parse_args(argv)
    try:
        topology = parse_topology(args.file.read_bytes())
    except (OSError, TopologyError) as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(as_data(topology), indent=1))
        return 0
    if args.out is None:
        head, body = render(topology, str(args.file))
        print(head + body, end="")
        return 0
    try:
        head = write_inventory(topology, args.out, str(args.file), force=args.force)
    except FileExistsError as exc:
        print(f"{args.out}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{args.out}: not written ({exc.strerror})", file=sys.stderr)
        return 2
    print(head, end="")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
