"""The lab's topology in both real forms, built from its inventory: ``Get-CsTopology -AsXml`` (the CMS master's
``CsTopology`` section) and a Topology Builder ``.tbxml``.

The element and attribute names follow the public topology files in ``selftest/data/topologies`` (README there):
clusters with their machines and ``NetInterface`` entries, services with ``ServiceVersion``, ``DependsOn``
and ``Ports``; the Edge's dependency on the next-hop pool's ``Registrar``, a ``Registrar``'s on its backup's,
the Edge's external ports with ``ConfiguredFqdn``. Reading either back with :mod:`sfbcheck.topology_xml` gives the
lab's pools again (a self-test proves the round trip).
"""

from __future__ import annotations

import uuid
from typing import Any
from xml.sax.saxutils import quoteattr

from sfbcheck.lab.model import Lab

T = "urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008"
ROLES_NS = "urn:schema:Microsoft.Rtc.Management.Deploy.ServiceRoles.2008"
TB = "urn:schema:Microsoft.Rtc.Management.Deploy.TopologyBuilder.2008"
WT = "urn:schema:Microsoft.Rtc.Management.Deploy.WritableTopology.2008"
SERVICE_VERSION = {"lync2013": "6", "sfb2015": "7", "sfb2019": "8"}
EDGE_PORTS = (  # (Owner, Usage, Port, Protocol, the pool field whose FQDN the port is configured with)
    ("urn:component:AccessEdge", "SipClient", "5061", "Tls", "access_edge_fqdn"),
    ("urn:component:DataEdge", "PsomClient", "444", "Tls", "webconf_edge_fqdn"),
    ("urn:component:MediaRelayEdge", "TURNServer", "443", "Tcp", "av_edge_fqdn"),
)
REGISTRAR_TYPE = "Microsoft.Rtc.Management.Deploy.Internal.ServiceRoles.RegistrarService"


def _a(**attrs: Any) -> str:
    return "".join(f" {k}={quoteattr(str(v))}" for k, v in attrs.items() if v is not None)


class _Model:
    """Sites, clusters and services of the lab, numbered as Topology Builder numbers them."""

    def __init__(self, lab: Lab) -> None:
        inventory = lab.inventory
        self.sites = list(dict.fromkeys([*inventory.get("sites", []), *(p.get("site") or "Site"
                                                                         for p in lab.pools())]))
        self.product = inventory.get("product", "sfb2019")
        self.pools = lab.pools()
        self.cms = inventory["cms"]["pool"]
        self.number: dict[str, tuple[int, int]] = {}  # pool fqdn -> (site id, cluster number)
        per_site: dict[int, int] = {}
        for pool in self.pools:
            site = self.sites.index(pool.get("site") or "Site") + 1
            per_site[site] = per_site.get(site, 0) + 1
            self.number[pool["fqdn"]] = (site, per_site[site])
        self.services: list[dict[str, Any]] = []
        instance: dict[tuple[int, str], int] = {}
        for pool in self.pools:
            site = self.number[pool["fqdn"]][0]
            for role in self._roles(pool):
                instance[(site, role)] = instance.get((site, role), 0) + 1
                self.services.append({"role": role, "pool": pool, "site": site, "instance": instance[(site, role)]})

    def version(self, pool: dict[str, Any]) -> str:
        """The ServiceVersion of a pool's services: its own product's (coexistence), else the deployment's."""
        return SERVICE_VERSION.get(pool.get("product") or self.product, "8")

    def _roles(self, pool: dict[str, Any]) -> list[str]:
        features = pool.get("features", [])
        roles = {"frontend": ["UserServices", "Registrar"], "director": ["Registrar"], "edge": ["EdgeServer"],
                 "owas": ["WacService"], "mediation": ["MediationServer"]}[pool["role"]]
        if pool["role"] == "frontend" and "conferencing" in features:
            roles.append("ConfServices")
        if "mediation_collocated" in features:
            roles.append("MediationServer")
        if pool["fqdn"] == self.cms:
            roles.append("CentralMgmt")
        return roles

    def service(self, pool_fqdn: str, role: str) -> dict[str, Any] | None:
        return next((s for s in self.services if s["pool"]["fqdn"] == pool_fqdn and s["role"] == role), None)

    def depends(self, service: dict[str, Any]) -> list[dict[str, Any]]:
        pool, role = service["pool"], service["role"]
        wanted: list[dict[str, Any] | None] = []
        if role == "Registrar":
            wanted.append(self.service(pool["fqdn"], "UserServices"))
            if pool.get("backup"):
                wanted.append(self.service(pool["backup"], "Registrar"))
        elif role == "EdgeServer":
            wanted.append(self.service(pool["next_hop"], "Registrar"))
        elif role == "MediationServer":
            wanted.append(self.service(pool["fqdn"], "Registrar"))
        return [w for w in wanted if w is not None]

    @staticmethod
    def uid(*parts: Any) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_DNS, "/".join(str(p) for p in parts)))


def _nics(pool: dict[str, Any], member: dict[str, Any], ns: str) -> list[str]:
    if pool["role"] != "edge":
        return [f"<NetInterface{_a(InterfaceSide='Primary', InterfaceNumber=1, IPAddress=member['ip'])}{ns} />"]
    lines = [f"<NetInterface{_a(InterfaceSide='Internal', InterfaceNumber=1, IPAddress=member['ip'])}{ns} />"]
    external = [member.get("external_ip"), *member.get("external_ips", [])]
    for number, ip in enumerate([ip for ip in external if ip], start=1):
        public = member.get("public_ip") if number == len([ip for ip in external if ip]) else None
        lines.append(f"<NetInterface{_a(InterfaceSide='External', InterfaceNumber=number, IPAddress=ip)}{ns}"
                     f"{_a(ConfiguredIPAddress=public)} />")
    return lines


def _body(model: _Model, service: dict[str, Any]) -> list[str]:
    """Ports and the role element of a service (the same in both forms)."""
    pool, role = service["pool"], service["role"]
    lines: list[str] = []
    if role == "EdgeServer":
        access = pool.get("access_edge_fqdn")
        externals = len([ip for ip in [pool["members"][0].get("external_ip"),
                                       *pool["members"][0].get("external_ips", [])] if ip]) or 1
        lines.append(f'<Ports xmlns="{ROLES_NS}">')
        for i, (owner, usage, port, protocol, name) in enumerate(EDGE_PORTS):
            lines.append(f"  <Port{_a(Owner=owner, Usage=usage, InterfaceSide='External')}"
                         f"{_a(InterfaceNumber=min(i + 1, externals), Port=port, Protocol=protocol, UrlPath='/')}"
                         f"{_a(AuthorizesRequests='false', ConfiguredFqdn=pool.get(name) or access)} />")
        lines.append("</Ports>")
    if role == "Registrar":
        director = "true" if pool["role"] == "director" else "false"
        lines.append(f'<RegistrarService IsDirector="{director}" xmlns="{ROLES_NS}" />')
    if role == "WacService":
        lines.append(f'<WacService DiscoveryUrl="https://{pool["fqdn"]}/hosting/discovery/" IsExternal="false" '
                     f'xmlns="{ROLES_NS}" />')
    return lines


def published_topology(lab: Lab) -> str:
    """``Get-CsTopology -AsXml`` of the lab."""
    model = _Model(lab)
    domains = [d["name"] for d in lab.inventory["sip_domains"]]
    out = [f'<Topology xmlns="{T}" Signature="{model.uid("signature", lab.inventory["deployment"])}">',
           f'  <InternalDomains AllowAllDomains="false" DefaultDomain="{domains[0]}">',
           *(f'    <InternalDomain Name="{d}" Authoritative="false" AllowSubDomains="false" />' for d in domains),
           "  </InternalDomains>", "  <Sites>"]
    for i, site in enumerate(model.sites, start=1):
        out += [f'    <CentralSite SiteId="{i}">', f"      <Name>{site}</Name>", "      <Location />",
                "    </CentralSite>"]
    out += ["  </Sites>", "  <Clusters>"]
    for pool in model.pools:
        site, number = model.number[pool["fqdn"]]
        out += [f'    <Cluster RequiresReplication="true" RequiresSetup="true" Fqdn="{pool["fqdn"]}">',
                f'      <ClusterId SiteId="{site}" Number="{number}" />']
        for ordinal, member in enumerate(pool["members"], start=1):
            out.append(f"      <Machine{_a(OrdinalInCluster=ordinal, Fqdn=member['fqdn'])}>")
            out += [f"        {nic}" for nic in _nics(pool, member, "")]
            out.append("      </Machine>")
        out.append("    </Cluster>")
    out += ["  </Clusters>", "  <Services>"]
    for service in model.services:
        site, number = model.number[service["pool"]["fqdn"]]
        kind = f' Type="{REGISTRAR_TYPE}"' if service["role"] == "Registrar" else ""
        out += [f'    <Service RoleVersion="1" ServiceVersion="{model.version(service["pool"])}"{kind}>',
                f'      <ServiceId SiteId="{site}" RoleName="{service["role"]}" Instance="{service["instance"]}" />',
                "      <DependsOn>"]
        for target in model.depends(service):
            out += ['        <Dependency Usage="Default">',
                    f'          <ServiceId SiteId="{target["site"]}" RoleName="{target["role"]}" '
                    f'Instance="{target["instance"]}" />', "        </Dependency>"]
        out += ["      </DependsOn>", "      <InstalledOn>", f'        <ClusterId SiteId="{site}" Number="{number}" />',
                "      </InstalledOn>", *(f"      {line}" for line in _body(model, service)), "    </Service>"]
    out += ["  </Services>", "</Topology>"]
    return "\n".join(out) + "\n"


def topology_builder_file(lab: Lab) -> str:
    """The lab as Topology Builder saves it (``.tbxml``)."""
    model = _Model(lab)
    domains = [d["name"] for d in lab.inventory["sip_domains"]]
    t = f' xmlns="{T}"'
    out = ['<?xml version="1.0" encoding="utf-8"?>', f'<TopologyBuilder IsFreeFromChanges="true" xmlns="{TB}">',
           "  <NewTopology>", f'    <PartialTopology IsPublished="false" xmlns="{WT}">',
           f'      <InternalDomains AllowAllDomains="false" DefaultDomain="{domains[0]}"{t}>',
           *(f'        <InternalDomain Name="{d}" Authoritative="false" AllowSubDomains="false" />' for d in domains),
           "      </InternalDomains>", "      <CentralSites>"]
    for i, site in enumerate(model.sites, start=1):
        out += [f'        <CentralSite SiteId="{i}">', f"          <Name{t}>{site}</Name>",
                f"          <Location{t} />", "          <Clusters>"]
        for pool in [p for p in model.pools if model.number[p["fqdn"]][0] == i]:
            single = len(pool["members"]) == 1 and pool["members"][0]["fqdn"] == pool["fqdn"]
            out += [f"            <Cluster{_a(IsSingleMachineOnly=str(single).lower())}"
                    f"{_a(UniqueId=model.uid('cluster', pool['fqdn']), Fqdn=pool['fqdn'])}>",
                    "              <Machines>"]
            for member in pool["members"]:
                out.append(f"                <Machine{'' if single else _a(Fqdn=member['fqdn'])}>")
                out += [f"                  {nic}" for nic in _nics(pool, member, t)]
                out.append("                </Machine>")
            out += ["              </Machines>", "            </Cluster>"]
        out += ["          </Clusters>", "        </CentralSite>"]
    out += ["      </CentralSites>", "      <Services>"]
    for service in model.services:
        pool = service["pool"]
        out += [f"        <Service{_a(UniqueId=model.uid('service', pool['fqdn'], service['role']))}"
                f"{_a(RoleName=service['role'], RoleVersion=1, InstalledOn=model.uid('cluster', pool['fqdn']))}"
                f"{_a(ServiceVersion=model.version(pool))}>", "          <DependsOn>"]
        for target in model.depends(service):
            out.append(f"            <Dependency"
                       f"{_a(ServiceUniqueId=model.uid('service', target['pool']['fqdn'], target['role']))}"
                       ' Usage="Default" />')
        out += ["          </DependsOn>", *(f"          {line}" for line in _body(model, service)),
                "        </Service>"]
    out += ["      </Services>", "    </PartialTopology>", "  </NewTopology>", "</TopologyBuilder>"]
    return "\n".join(out) + "\n"


def build(lab: Lab) -> None:
    """The CMS master's ``CsTopology`` section (``Get-CsTopology -AsXml``)."""
    lab.sections(lab.cms_master)["CsTopology"] = {"Xml": published_topology(lab)}
