"""Read a Lync Server 2013 / Skype for Business Server topology file into :class:`Topology`.

Both forms hold the same content (namespace ``urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008`` and
friends; elements are matched by local name so either namespace works):

* the published topology, ``Get-CsTopology -AsXml`` (root ``Topology``): ``Sites/CentralSite``, ``Clusters/Cluster``
  (``ClusterId SiteId Number``, ``Machine Fqdn``), ``Services/Service`` naming itself by ``ServiceId SiteId RoleName
  Instance`` and its cluster by ``InstalledOn/ClusterId``, dependencies by ``DependsOn/Dependency/ServiceId``;
* a Topology Builder file (``.tbxml``, root ``TopologyBuilder``): the same under ``NewTopology/PartialTopology``, with
  clusters inside ``CentralSites/CentralSite/Clusters`` named by ``UniqueId`` (a ``Machine`` of a single-machine
  cluster has no ``Fqdn``: it is the cluster's), services naming their cluster in ``InstalledOn`` and dependencies
  by ``ServiceUniqueId``.

Public samples of both forms are in ``selftest/data/topologies`` (their sources in its README). What is read:

* roles: a ``Registrar`` service makes its cluster a Front End pool, or a Director pool when ``RegistrarService
  IsDirector="true"``; ``EdgeServer`` an Edge pool; ``WacService`` an Office Web Apps farm; ``MediationServer`` a
  Mediation pool, or, on a Front End pool, the feature ``mediation_collocated``; ``PstnGateway`` a gateway;
* Standard Edition: a Front End cluster of one machine named like the cluster (``.tbxml``:
  ``IsSingleMachineOnly="true"``);
* interfaces: ``NetInterface InterfaceSide="Primary"`` or ``"Internal"`` is the internal address (0.0.0.0 means
  "every address" and is left to fill in), each ``"External"`` interface an external address, its
  ``ConfiguredIPAddress`` the public address it is translated to (NAT);
* Edge: the external ports' ``ConfiguredFqdn`` give the Access Edge (``urn:component:AccessEdge``), web conferencing
  (``DataEdge``) and A/V (``MediaRelayEdge``) FQDNs and which external interface each uses; the Edge's dependency
  on a ``Registrar`` service is its next hop;
* a ``Registrar``'s dependency on another ``Registrar`` is its backup pool (resiliency);
* features: ``ConfServices`` = conferencing; a ``Registrar`` depending on ``ArchivingStore`` / ``MonitoringStore``
  = archiving / monitoring; a Mediation Server depending on the pool's Registrar = enterprise_voice;
* the CMS: the cluster the ``CentralMgmt`` service is installed on (none in the file: none here, never a guess);
* product: the pool services' ``ServiceVersion`` (6 Lync Server 2013, 7 Skype for Business Server 2015,
  8 Skype for Business Server 2019).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

SERVICE_VERSIONS = {6: "lync2013", 7: "sfb2015", 8: "sfb2019"}
POOL_ROLES = ("frontend", "director", "edge", "mediation", "owas")
EDGE_COMPONENTS = {"urn:component:AccessEdge": "access", "urn:component:DataEdge": "webconf",
                   "urn:component:MediaRelayEdge": "av"}


class TopologyError(ValueError):
    """The file is not a topology this reader understands (with the reason)."""


@dataclass
class TopologyMachine:
    fqdn: str
    internal_ip: str | None = None
    external_ips: list[str] = field(default_factory=list)  # the Access Edge interface's first
    public_ip: str | None = None  # the address the A/V interface is translated to (NAT)


@dataclass
class TopologyPool:
    fqdn: str
    role: str
    site: str | None = None
    machines: list[TopologyMachine] = field(default_factory=list)
    backup: str | None = None
    next_hop: str | None = None
    access_edge_fqdn: str | None = None
    webconf_edge_fqdn: str | None = None
    av_edge_fqdn: str | None = None
    cms: bool = False
    edition: str = "enterprise"
    features: list[str] = field(default_factory=list)
    service_version: int | None = None

    @property
    def product(self) -> str | None:
        return SERVICE_VERSIONS.get(self.service_version) if self.service_version is not None else None


@dataclass
class TopologyGateway:
    fqdn: str
    site: str | None = None
    mediation_pool: str | None = None
    port: int | None = None
    transport: str | None = None


@dataclass
class Topology:
    form: str  # "Get-CsTopology -AsXml" or ".tbxml"
    sip_domains: list[str]  # the default domain first
    sites: list[str]
    pools: list[TopologyPool]
    gateways: list[TopologyGateway] = field(default_factory=list)

    def servers(self) -> dict[str, str]:
        """Every server FQDN -> its role."""
        return {m.fqdn: p.role for p in self.pools for m in p.machines}

    def pool(self, fqdn: str) -> TopologyPool:
        return next(p for p in self.pools if p.fqdn == fqdn.lower())

    @property
    def cms_pool(self) -> TopologyPool | None:
        return next((p for p in self.pools if p.cms), None)


# -- XML helpers ---------------------------------------------------------------------------------------
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(node: ET.Element | None, name: str) -> list[ET.Element]:
    return [c for c in node if _local(c.tag) == name] if node is not None else []


def _child(node: ET.Element | None, name: str) -> ET.Element | None:
    found = _children(node, name)
    return found[0] if found else None


def _descendants(node: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in node.iter() if _local(c.tag) == name]


def _lower(value: str | None) -> str | None:
    return value.strip().rstrip(".").lower() if value and value.strip() else None


def _address(value: str | None) -> str | None:
    return value if value and value not in ("0.0.0.0", "::") else None  # 0.0.0.0: "every address"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# -- the two forms, to one shape ---------------------------------------------------------------------------
@dataclass
class _Cluster:
    fqdn: str
    site_id: str
    node: ET.Element
    single_machine: bool


@dataclass
class _Service:
    role: str
    cluster: str
    depends: list[str]
    node: ET.Element


def parse_topology(text: str | bytes) -> Topology:
    """Parse a published topology or a .tbxml; TopologyError naming what is missing."""
    try:
        root = ET.fromstring(text)  # noqa: S314 - the admin's own topology; expat loads no external entity
    except ET.ParseError as exc:
        raise TopologyError(f"not XML: {exc}") from None
    name = _local(root.tag)
    if name == "TopologyBuilder":
        body = _child(_child(root, "NewTopology"), "PartialTopology")
        if body is None:
            raise TopologyError("a TopologyBuilder file without NewTopology/PartialTopology")
        return _build(body, ".tbxml")
    if name == "Topology":
        return _build(root, "Get-CsTopology -AsXml")
    raise TopologyError(f"the root element is {name!r}; expected Topology (Get-CsTopology -AsXml) or "
                        "TopologyBuilder (.tbxml)")


def _cluster_key(cluster_id: ET.Element | None) -> str:
    return f"{cluster_id.get('SiteId')}:{cluster_id.get('Number')}" if cluster_id is not None else ""


def _service_key(service_id: ET.Element | None) -> str:
    if service_id is None:
        return ""
    return f"{service_id.get('SiteId')}:{service_id.get('RoleName')}:{service_id.get('Instance')}"


def _clusters(body: ET.Element) -> dict[str, _Cluster]:
    found: dict[str, _Cluster] = {}
    for site in _descendants(body, "CentralSite"):  # .tbxml: clusters inside their site
        for cluster in _descendants(site, "Cluster"):
            fqdn = _lower(cluster.get("Fqdn"))
            if fqdn and cluster.get("UniqueId"):
                found[cluster.get("UniqueId", "").lower()] = _Cluster(
                    fqdn, site.get("SiteId", ""), cluster, cluster.get("IsSingleMachineOnly") == "true")
    for cluster in _descendants(body, "Cluster"):  # published: ClusterId SiteId Number
        cluster_id = _child(cluster, "ClusterId")
        fqdn = _lower(cluster.get("Fqdn"))
        if fqdn and cluster_id is not None:
            found[_cluster_key(cluster_id)] = _Cluster(fqdn, cluster_id.get("SiteId", ""), cluster, False)
    return found


def _services(body: ET.Element) -> dict[str, _Service]:
    found: dict[str, _Service] = {}
    for service in _descendants(body, "Service"):
        service_id = _child(service, "ServiceId")
        if service_id is not None:  # published
            key, role = _service_key(service_id), service_id.get("RoleName", "")
            cluster = _cluster_key(_child(_child(service, "InstalledOn"), "ClusterId"))
            depends = [_service_key(_child(d, "ServiceId")) for d in _descendants(service, "Dependency")]
        else:  # .tbxml
            key, role = (service.get("UniqueId") or "").lower(), service.get("RoleName", "")
            cluster = (service.get("InstalledOn") or "").lower()
            depends = [(d.get("ServiceUniqueId") or "").lower() for d in _descendants(service, "Dependency")]
        if key and role:
            found[key] = _Service(role, cluster, depends, service)
    return found


def _sites(body: ET.Element) -> dict[str, str]:
    sites: dict[str, str] = {}
    for site in _descendants(body, "CentralSite"):
        name = _child(site, "Name")
        sites[site.get("SiteId", "")] = (name.text or "").strip() if name is not None and name.text else site.get(
            "SiteId", "")
    return sites


def _sip_domains(body: ET.Element) -> list[str]:
    node = _child(body, "InternalDomains")
    domains = [d for d in (_lower(x.get("Name")) for x in _children(node, "InternalDomain")) if d]
    default = _lower(node.get("DefaultDomain")) if node is not None else None
    if default:
        domains = [default] + [d for d in domains if d != default]
    return domains


# -- pools -----------------------------------------------------------------------------------------------------
def _machines(cluster: _Cluster) -> tuple[list[TopologyMachine], dict[str, dict[str, ET.Element]]]:
    """The cluster's machines, and each one's external interfaces by InterfaceNumber."""
    machines, external = [], {}
    for machine in _descendants(cluster.node, "Machine"):
        member = TopologyMachine(_lower(machine.get("Fqdn")) or cluster.fqdn)
        nics: dict[str, ET.Element] = {}
        for nic in _children(machine, "NetInterface"):
            side = nic.get("InterfaceSide")
            if side in ("Primary", "Internal") and member.internal_ip is None:
                member.internal_ip = _address(nic.get("IPAddress"))
            elif side == "External":
                nics.setdefault(nic.get("InterfaceNumber", "1"), nic)
        member.external_ips = [ip for ip in (_address(n.get("IPAddress")) for n in nics.values()) if ip]
        machines.append(member)
        external[member.fqdn] = nics
    return machines, external


def _edge_ports(service: _Service) -> dict[str, tuple[str | None, str]]:
    """Access / web conferencing / A/V: (ConfiguredFqdn, external InterfaceNumber) of their external ports."""
    found: dict[str, tuple[str | None, str]] = {}
    for port in _descendants(service.node, "Port"):
        kind = EDGE_COMPONENTS.get(port.get("Owner", ""))
        if kind and port.get("InterfaceSide") == "External":
            fqdn = _lower(port.get("ConfiguredFqdn"))
            if kind not in found or (fqdn and not found[kind][0]):
                found[kind] = (fqdn, port.get("InterfaceNumber", "1"))
    return found


def _apply_edge(pool: TopologyPool, service: _Service, external: dict[str, dict[str, ET.Element]]) -> None:
    ports = _edge_ports(service)
    pool.access_edge_fqdn = ports.get("access", (None, ""))[0]
    pool.webconf_edge_fqdn = ports.get("webconf", (None, ""))[0]
    pool.av_edge_fqdn = ports.get("av", (None, ""))[0]
    order = [ports[k][1] for k in ("access", "webconf", "av") if k in ports]
    for machine in pool.machines:
        nics = external.get(machine.fqdn, {})
        numbers = list(dict.fromkeys([n for n in order if n in nics] + list(nics)))
        machine.external_ips = list(dict.fromkeys(
            ip for ip in (_address(nics[n].get("IPAddress")) for n in numbers) if ip))
        av = nics.get(ports["av"][1]) if "av" in ports else None
        public = _address(av.get("ConfiguredIPAddress")) if av is not None else None
        machine.public_ip = public if public and public != _address(av.get("IPAddress")) else None


def _build(body: ET.Element, form: str) -> Topology:
    sites = _sites(body)
    clusters = _clusters(body)
    services = _services(body)
    pools: dict[str, TopologyPool] = {}
    external: dict[str, dict[str, dict[str, ET.Element]]] = {}

    def pool_of(key: str) -> TopologyPool:
        cluster = clusters[key]
        if key not in pools:
            machines, external[key] = _machines(cluster)
            pools[key] = TopologyPool(cluster.fqdn, "", sites.get(cluster.site_id) or None, machines)
        return pools[key]

    roles_on: dict[str, set[str]] = {}
    for service in services.values():
        roles_on.setdefault(service.cluster, set()).add(service.role)
    cluster_of_service = {key: s.cluster for key, s in services.items()}
    for service in services.values():
        if service.cluster not in clusters:
            continue
        role, key = service.role, service.cluster
        if role == "Registrar":
            pool = pool_of(key)
            registrar = _descendants(service.node, "RegistrarService")
            pool.role = "director" if registrar and registrar[0].get("IsDirector", "").lower() == "true" \
                else "frontend"
        elif role == "EdgeServer":
            pool_of(key).role = "edge"
        elif role == "WacService":
            pool_of(key).role = pool_of(key).role or "owas"
        elif role == "MediationServer" and "Registrar" not in roles_on.get(key, set()):
            pool_of(key).role = "mediation"
    for service in services.values():
        pool = pools.get(service.cluster)
        if pool is None:
            continue
        version = _int(service.node.get("ServiceVersion"))
        if version is not None and service.role in ("Registrar", "EdgeServer", "MediationServer", "UserServices"):
            pool.service_version = max(pool.service_version or 0, version)
        targets = [(services[d].role, pools.get(cluster_of_service[d])) for d in service.depends if d in services]
        if service.role == "Registrar":
            for target_role, target in targets:
                if target_role == "Registrar" and target is not None and target is not pool:
                    pool.backup = target.fqdn
                elif target_role == "ArchivingStore":
                    _feature(pool, "archiving")
                elif target_role == "MonitoringStore":
                    _feature(pool, "monitoring")
        elif service.role == "EdgeServer":
            _apply_edge(pool, service, external[service.cluster])
            pool.next_hop = next((t.fqdn for r, t in targets if r == "Registrar" and t is not None), None)
        elif service.role == "ConfServices":
            _feature(pool, "conferencing")
        elif service.role == "MediationServer":
            if pool.role in ("frontend", "director"):
                _feature(pool, "mediation_collocated")
            for target_role, target in targets:
                if target_role == "Registrar" and target is not None and target.role == "frontend":
                    _feature(target, "enterprise_voice")
        elif service.role == "CentralMgmt":
            pool.cms = True
    for key, pool in pools.items():
        single = clusters[key].single_machine or (len(pool.machines) == 1 and pool.machines[0].fqdn == pool.fqdn)
        if pool.role == "frontend" and single:
            pool.edition = "standard"
    found = [p for p in pools.values() if p.role in POOL_ROLES]
    if not found:
        raise TopologyError("no Front End, Director, Edge, Mediation or Office Web Apps pool found")
    gateways = _gateways(services, clusters, pools, sites)
    return Topology(form, _sip_domains(body), [s for s in sites.values() if s], found, gateways)


def _feature(pool: TopologyPool, name: str) -> None:
    if name not in pool.features:
        pool.features.append(name)


def _gateways(services: dict[str, _Service], clusters: dict[str, _Cluster], pools: dict[str, TopologyPool],
              sites: dict[str, str]) -> list[TopologyGateway]:
    """PSTN gateways (``PstnGateway`` services) and the Mediation pool whose Mediation service depends on them."""
    mediation_of: dict[str, str] = {}
    for service in services.values():
        if service.role == "MediationServer" and service.cluster in pools:
            for dependency in service.depends:
                mediation_of.setdefault(dependency, pools[service.cluster].fqdn)
    gateways = []
    for key, service in services.items():
        if service.role != "PstnGateway" or service.cluster not in clusters:
            continue
        cluster = clusters[service.cluster]
        port = next((p for p in _descendants(service.node, "Port")), None)
        transport = (port.get("Protocol") or "").upper() if port is not None else ""
        gateways.append(TopologyGateway(cluster.fqdn, sites.get(cluster.site_id) or None, mediation_of.get(key),
                                        _int(port.get("Port")) if port is not None else None,
                                        transport if transport in ("TCP", "TLS") else None))
    return gateways


def as_data(topology: Topology) -> dict[str, Any]:
    """The parsed topology as plain data (``--json``)."""
    return {"form": topology.form, "sip_domains": topology.sip_domains, "sites": topology.sites,
            "pools": [dict(p.__dict__, machines=[m.__dict__ for m in p.machines], product=p.product)
                      for p in topology.pools],
            "gateways": [g.__dict__ for g in topology.gateways]}
