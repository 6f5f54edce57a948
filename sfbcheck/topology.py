"""Inventory from the topology: ``python -m sfbcheck.topology FILE --out inventory.yml``.

Reads either form of a Lync Server 2013 / Skype for Business Server topology:

* the published topology, ``Get-CsTopology -AsXml`` (root ``Topology`` in
  ``urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008``): ``InternalDomains``, ``Sites/CentralSite``,
  ``Clusters/Cluster`` (``ClusterId SiteId Number``, ``Machine Fqdn`` with ``NetInterface InterfaceSide
  InterfaceNumber IPAddress``) and ``Services/Service`` (``ServiceId RoleName``, ``InstalledOn/ClusterId``,
  ``DependsOn/Dependency Usage``);
* a Topology Builder file (``.tbxml``, root ``TopologyBuilder``): the same content under
  ``NewTopology/PartialTopology`` (WritableTopology schema), where clusters sit inside
  ``CentralSites/CentralSite/Clusters`` with a ``UniqueId`` and services name their cluster in ``InstalledOn``.

Element names are matched by local name, so either namespace works. Roles: a ``Registrar`` service makes its
cluster a Front End pool (a Director pool if ``RegistrarService IsDirector="true"``), ``EdgeServer`` an Edge
pool, ``WacService`` Office Web Apps, ``MediationServer`` (alone) a Mediation pool; ``CentralMgmt`` marks the
CMS pool; a Registrar dependency whose ``Usage`` names a backup gives the backup pool, an Edge dependency whose
``Usage`` names the next hop gives ``next_hop``. A topology does not hold the Edge pools' internal subnets and
internal gateway nor the internal DNS servers: the generated inventory has ``TODO`` placeholders there, which
fail inventory validation with the field's name until they are filled in.
"""

from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sfbcheck.errors import EvidenceError, EvidenceGap
from sfbcheck.inventory import Inventory

TODO_SUBNETS = "TODO: the internal subnets behind this Edge pool (CIDR, e.g. 10.10.0.0/16)"
TODO_GATEWAY = "TODO: the Edge pool's internal (DMZ) gateway IP"
TODO_DNS = "TODO: the internal DNS servers' IPs"
TODO_NEXT_HOP = "TODO.next-hop.pool.fqdn"


class TopologyError(ValueError):
    """The file is not a topology this reader understands (with the reason)."""


@dataclass
class TopologyMachine:
    fqdn: str
    internal_ip: str | None = None
    external_ips: list[str] = field(default_factory=list)


@dataclass
class TopologyPool:
    fqdn: str
    role: str
    site: str | None = None
    machines: list[TopologyMachine] = field(default_factory=list)
    backup: str | None = None
    next_hop: str | None = None
    access_edge_fqdn: str | None = None
    cms: bool = False


@dataclass
class Topology:
    form: str  # "Get-CsTopology -AsXml" or ".tbxml"
    sip_domains: list[str]
    sites: list[str]
    pools: list[TopologyPool]

    def servers(self) -> dict[str, str]:
        """Every server FQDN -> its role."""
        return {m.fqdn: p.role for p in self.pools for m in p.machines}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(node: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in node if _local(c.tag) == name]


def _child(node: ET.Element, name: str) -> ET.Element | None:
    found = _children(node, name)
    return found[0] if found else None


def _descendants(node: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in node.iter() if _local(c.tag) == name]


def _lower(value: str | None) -> str | None:
    return value.strip().rstrip(".").lower() if value else None


def parse_topology(text: str | bytes) -> Topology:
    """Parse a published topology or a .tbxml; TopologyError naming what is missing."""
    try:
        root = ET.fromstring(text)  # noqa: S314 - the admin's own topology; expat loads no external entity
    except ET.ParseError as exc:
        raise TopologyError(f"not XML: {exc}") from None
    name = _local(root.tag)
    if name == "TopologyBuilder":
        new = _child(root, "NewTopology")
        body = _child(new, "PartialTopology") if new is not None else None
        if body is None:
            raise TopologyError("a TopologyBuilder file without NewTopology/PartialTopology")
        return _parse(body, ".tbxml")
    if name == "Topology":
        return _parse(root, "Get-CsTopology -AsXml")
    raise TopologyError(f"the root element is {name!r}; expected Topology (Get-CsTopology -AsXml) or "
                        "TopologyBuilder (.tbxml)")


def _parse(body: ET.Element, form: str) -> Topology:
    domains_node = _child(body, "InternalDomains")
    domains = [_lower(d.get("Name")) for d in _children(domains_node, "InternalDomain")] if domains_node is not None \
        else []
    default = _lower(domains_node.get("DefaultDomain")) if domains_node is not None else None
    sip_domains = [d for d in domains if d]
    if default in sip_domains:
        sip_domains.remove(default)
        sip_domains.insert(0, default)
    sites: dict[str, str] = {}
    for site in _descendants(body, "CentralSite"):
        site_name = _child(site, "Name")
        sites[site.get("SiteId", "")] = (site_name.text or "").strip() if site_name is not None else site.get(
            "SiteId", "")
    clusters: dict[str, TopologyPool] = {}  # key: "site:number" or UniqueId
    for cluster in _descendants(body, "Cluster"):
        fqdn = _lower(cluster.get("Fqdn"))
        if not fqdn:
            continue
        cluster_id = _child(cluster, "ClusterId")
        if cluster_id is not None:
            key, site_id = f"{cluster_id.get('SiteId')}:{cluster_id.get('Number')}", cluster_id.get("SiteId", "")
        else:
            key, site_id = cluster.get("UniqueId", fqdn).lower(), _site_of(body, cluster)
        pool = TopologyPool(fqdn, "", sites.get(site_id))
        for machine in _descendants(cluster, "Machine"):
            member = TopologyMachine(_lower(machine.get("Fqdn")) or fqdn)
            for nic in _children(machine, "NetInterface"):
                ip = nic.get("IPAddress")
                if not ip or ip == "0.0.0.0":
                    continue
                if nic.get("InterfaceSide") == "Primary" and member.internal_ip is None:
                    member.internal_ip = ip
                elif nic.get("InterfaceSide") == "External":
                    member.external_ips.append(ip)
            pool.machines.append(member)
        clusters[key] = pool
    services = _services(body)
    by_service = {sid: clusters.get(info["cluster"]) for sid, info in services.items()}
    for sid, info in services.items():
        pool = by_service[sid]
        if pool is None:
            continue
        role = info["role"]
        if role == "Registrar":
            pool.role = "director" if info["is_director"] else "frontend"
            for usage, target in info["depends"]:
                if "backup" in usage.lower() and by_service.get(target) is not None:
                    pool.backup = by_service[target].fqdn  # type: ignore[union-attr]
        elif role == "EdgeServer":
            pool.role = "edge"
            pool.access_edge_fqdn = info["access_edge_fqdn"]
            for usage, target in info["depends"]:
                if "nexthop" in usage.lower() and by_service.get(target) is not None:
                    pool.next_hop = by_service[target].fqdn  # type: ignore[union-attr]
        elif role == "WacService":
            pool.role = pool.role or "owas"
        elif role == "MediationServer":
            pool.role = pool.role or "mediation"
        elif role == "CentralMgmt":
            pool.cms = True
    pools = [p for p in clusters.values() if p.role]
    if not pools:
        raise TopologyError("no Front End, Director, Edge, Mediation or Office Web Apps pool found")
    return Topology(form, sip_domains, [s for s in sites.values() if s], pools)


def _site_of(body: ET.Element, cluster: ET.Element) -> str:
    for site in _descendants(body, "CentralSite"):
        if any(c is cluster for c in site.iter()):
            return site.get("SiteId", "")
    return ""


def _service_key(node: ET.Element | None) -> str:
    if node is None:
        return ""
    return f"{node.get('SiteId')}:{node.get('RoleName')}:{node.get('Instance')}"


def _services(body: ET.Element) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for service in _descendants(body, "Service"):
        sid_node = _child(service, "ServiceId")
        if sid_node is not None:  # published topology
            key, role = _service_key(sid_node), sid_node.get("RoleName", "")
            installed = _child(service, "InstalledOn")
            cluster_id = _child(installed, "ClusterId") if installed is not None else None
            cluster = f"{cluster_id.get('SiteId')}:{cluster_id.get('Number')}" if cluster_id is not None else ""
        else:  # .tbxml
            key, role = (service.get("UniqueId") or "").lower(), service.get("RoleName", "")
            cluster = (service.get("InstalledOn") or "").lower()
        if not role:
            continue
        depends: list[tuple[str, str]] = []
        for dependency in _descendants(service, "Dependency"):
            target = _child(dependency, "ServiceId")
            target_key = _service_key(target) if target is not None else (dependency.get("ServiceUniqueId") or
                                                                           "").lower()
            depends.append((dependency.get("Usage", ""), target_key))
        registrar = [n for n in service.iter() if _local(n.tag) == "RegistrarService"]
        access = next((value for node in service.iter() for attr, value in node.attrib.items()
                       if attr in ("ExternalSipAccessFqdn", "AccessEdgeExternalFqdn")), None)
        found[key] = {"role": role, "cluster": cluster, "depends": depends,
                      "is_director": bool(registrar) and registrar[0].get("IsDirector", "false").lower() == "true",
                      "access_edge_fqdn": _lower(access)}
    return found


# -- inventory --------------------------------------------------------------------------------------
def to_inventory(topology: Topology, deployment: str = "from the topology") -> dict[str, Any]:
    """An inventory (as data) with TODO placeholders for what a topology does not hold."""
    domains = Counter(m.fqdn.partition(".")[2] for p in topology.pools for m in p.machines)
    cms = next((p.fqdn for p in topology.pools if p.cms), None) or next(
        (p.fqdn for p in topology.pools if p.role == "frontend"), None)
    pools = []
    for pool in topology.pools:
        entry: dict[str, Any] = {"fqdn": pool.fqdn, "role": pool.role}
        if pool.site:
            entry["site"] = pool.site
        if pool.backup:
            entry["backup"] = pool.backup
        if pool.role == "owas":
            entry["homes_users"] = False
        if pool.role == "edge":
            entry["next_hop"] = pool.next_hop or TODO_NEXT_HOP
            if pool.access_edge_fqdn:
                entry["access_edge_fqdn"] = pool.access_edge_fqdn
            entry["internal_subnets"] = [TODO_SUBNETS]
            entry["internal_gateway"] = TODO_GATEWAY
        members = []
        for machine in pool.machines:
            member: dict[str, Any] = {"fqdn": machine.fqdn, "ip": machine.internal_ip or "TODO: internal IP"}
            if pool.role == "edge":
                if machine.external_ips:
                    member["external_ip"] = machine.external_ips[0]
                member["connection"] = {"method": "file"}
            members.append(member)
        entry["members"] = members
        pools.append(entry)
    inventory: dict[str, Any] = {
        "deployment": deployment,
        "product": "sfb2019",
        "ad_domain": domains.most_common(1)[0][0] if domains else "TODO.ad.domain",
        "sip_domains": [{"name": d} for d in topology.sip_domains],
        "sites": topology.sites,
        "cms": {"pool": cms or "TODO.cms.pool.fqdn"},
        "dns_servers": [TODO_DNS],
        "pools": pools,
        "evidence": "evidence",
    }
    return inventory


HEADER = """\
# Inventory generated by `python -m sfbcheck.topology` from {source} ({form}).
# A topology does not hold everything the suite needs. Fill in every TODO before running the suite
# (a TODO left in place stops the run with the field's name):
#   - pools[].internal_subnets and internal_gateway of each Edge pool (the routes the Edge must have)
#   - dns_servers (the internal DNS servers the runner queries)
#   - product (lync2013, sfb2015 or sfb2019), sip_domains[].homed / mobile_push, federation_partners, policy
#   - connection settings: Edge servers are set to `method: file` (evidence collected by hand);
#     the others use WinRM over HTTPS with Kerberos by default (see docs/live.md)
"""


def write_inventory(topology: Topology, out: Path, source: str) -> Path:
    data = to_inventory(topology, deployment=Path(source).stem)
    text = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=110)
    out.write_text(HEADER.format(source=Path(source).name, form=topology.form) + text, encoding="utf-8")
    return out


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
    parser.add_argument("--json", action="store_true", help="print the parsed topology as JSON")
    args = parser.parse_args(argv)
    try:
        topology = parse_topology(args.file.read_bytes())
    except (OSError, TopologyError) as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(topology, default=lambda o: o.__dict__, indent=1))
        return 0
    if args.out is None:
        print(yaml.safe_dump(to_inventory(topology, args.file.stem), sort_keys=False, width=110))
        return 0
    write_inventory(topology, args.out, str(args.file))
    print(f"wrote {args.out}: {len(topology.pools)} pools, {len(topology.servers())} servers; fill in the TODOs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
