"""The evidence model: every section a requirement reads, who must have it, how it is validated, what reads it.

One table (:data:`SECTIONS`) says, per section of a server's evidence document,

* ``requirements``: the requirements that read it (they cannot be judged without it);
* ``needed_by``: which servers must have it: a role (``frontend``, ``edge``, ``director``, ``owas``,
  ``mediation``), ``cms`` (the CMS master, whose global settings and probes the CMS-, FED-, HYB- and
  OAUTH- checks read) or ``next_hop`` (a Front End of a pool an Edge pool forwards to); empty: judged only
  where it is present (a pool's first member, for instance);
* ``validate``: the typed parser of :mod:`sfbcheck.facts` that reads it. Each parser turns a wrong type, a
  null, a missing property or a value Windows never writes into :class:`~sfbcheck.errors.EvidenceGap`
  naming the section and the property, and :meth:`sfbcheck.evidence.Evidence.parsed` turns any other
  exception a parser trips over into one as well: a wrong type is caught at one place, the parser, never as
  a crash or a pass in a check.

EVID-02 (:mod:`sfbcheck.checks.evidence_sections`) walks this table once per server. The self-test
``selftest/test_evidence_model.py`` proves the table against the checks: removing a section from the sample
lab leaves exactly requirements listed here unjudged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sfbcheck.evidence import Evidence
from sfbcheck.facts import (
    assignments,
    backup,
    certificates,
    events,
    federation,
    hosts,
    network,
    probes,
    registry,
    replication,
    resolution,
    services,
    software,
    system,
)

ALL = ("frontend", "edge", "director", "owas", "mediation")
LYNC = ("frontend", "edge", "director", "mediation")
CERT = ("CERT-01", "CERT-02", "CERT-03", "CERT-04", "CERT-05", "CERT-06", "CERT-07", "CERT-08", "CERT-09",
        "CERT-10", "CERT-11", "CERT-12", "CERT-13")
STORE = ("STORE-01", "STORE-02", "STORE-03", "STORE-04", "STORE-05", "STORE-06")
SCHANNEL = ("SCHANNEL-01", "SCHANNEL-02", "SCHANNEL-03", "SCHANNEL-04", "TLS-01", "TLS-03", "TLS-04")


@dataclass(frozen=True)
class Section:
    name: str
    requirements: tuple[str, ...]
    needed_by: tuple[str, ...]
    validate: Callable[[Evidence], object] | None = None


def _records(name: str) -> Callable[[Evidence], object]:
    return lambda evidence: evidence.records(name)


SECTIONS: dict[str, Section] = {s.name: s for s in (
    Section("NetIPAddress", ("EDGE-NIC-01", "EDGE-ROUTE-01", "EDGE-ROUTE-02", "POOL-04"), ("edge",), network.network),
    Section("NetRoute", ("EDGE-NIC-01", "EDGE-ROUTE-01", "EDGE-ROUTE-02", "POOL-04"), ("edge",), network.network),
    Section("HostsFile", ("EDGE-HOSTS-01", "EDGE-HOSTS-02"), ("edge",), hosts.hosts_file),
    Section("Win32_ComputerSystem", ("EDGE-DNS-01", "HOST-02"), ("edge",), system.computer_system),
    Section("ResolveDnsName", ("EDGE-DNS-04",), ("edge",), resolution.resolutions),
    Section("Registry", (*SCHANNEL, "EDGE-DNS-02"), ALL, registry.registry),
    Section("Win32_OperatingSystem", (*SCHANNEL, "OWAS-01", "VER-03", "HOST-03", "HOST-04"), ALL,
            system.operating_system),
    Section("InstalledProducts", ("SCHANNEL-04", "TLS-01", "TLS-04", "VER-01", "VER-02", "VER-03"), ALL,
            system.installed_products),
    Section("CertificateStores", (*CERT, *STORE, "EDGE-FW-03"), ALL, certificates.stores),
    Section("CsCertificate", (*CERT, "EDGE-FW-03"), LYNC, assignments.cs_certificates),
    Section("OfficeWebAppsFarm", CERT, ("owas",), _records("OfficeWebAppsFarm")),
    Section("Win32_Product", ("OWAS-01",), ("owas",), software.products),
    Section("Win32_Service", ("SVC-01", "SVC-02", "CMS-04", "BACKUP-03", "POOL-01", "POOL-02"), ALL, services.services),
    Section("WinEvent", ("EVT-01", "CMS-05", "OAUTH-02"), ("frontend", "edge"), events.events),
    Section("SmbShareAccess", ("CMS-06",), ("frontend", "director"), replication.share_access),
    Section("ADPrincipalGroupMembership", ("CMS-06",), ("cms",), replication.groups),
    Section("CsManagementStoreReplicationStatus", ("CMS-01", "CMS-02"), ("cms",), replication.replicas),
    Section("CsCentralManagementStoreStatus", ("CMS-03",), ("cms",), replication.cms_status),
    Section("CsSipDomain", ("HYB-01",), ("cms",), federation.sip_domains),
    Section("CsHostingProvider", ("FED-01", "HYB-02", "EDGE-DNS-05"), ("cms",), federation.hosting_providers),
    Section("CsAllowedDomain", ("FED-01", "FED-02", "FED-04", "EDGE-DNS-05"), ("cms",), federation.allowed_domains),
    Section("CsAccessEdgeConfiguration", ("FED-01", "FED-03"), ("cms",), federation.partner_discovery),
    Section("CsPushNotificationConfiguration", ("FED-02",), ("cms",), federation.push_configuration),
    Section("CsOAuthConfiguration", ("OAUTH-01",), ("cms",), federation.autodiscover_url),
    Section("ResolveDnsNameAutodiscover", ("OAUTH-01",), ("cms",), _records("ResolveDnsNameAutodiscover")),
    Section("TcpProbe", ("CMS-07", "EDGE-FW-01", "EDGE-FW-02", "EDGE-FW-05"), ("cms", "next_hop"), probes.tcp_probes),
    Section("TlsProbe", ("EDGE-FW-03",), ("cms",), probes.tls_probes),
    Section("CsPoolBackupRelationship", ("BACKUP-01",), (), backup.relationships),
    Section("CsBackupServiceStatus", ("BACKUP-03",), (), backup.backup_status),
    Section("CsServiceRegistrar", ("BACKUP-05",), (), backup.registrars),
    Section("CsDatabaseCentralManagement", ("BACKUP-04",), (), backup.cms_database),
    Section("CsBlockedDomain", ("FED-04",), (), _records("CsBlockedDomain")),
    Section("CsServiceEdgeServer", ("FED-03",), (), _records("CsServiceEdgeServer")),
    Section("ResolveDnsNameFederation", ("EDGE-DNS-05",), (), _records("ResolveDnsNameFederation")),
    Section("CsDatabaseConfigured", ("VER-04",), (), _records("CsDatabaseConfigured")),
    Section("CsDatabaseLocal", ("VER-04",), (), _records("CsDatabaseLocal")),
    Section("SqlLocalDatabases", ("POOL-01",), (), _records("SqlLocalDatabases")),
    Section("CsPoolFabricState", ("POOL-02",), (), _records("CsPoolFabricState")),
    Section("NetTCPConnectionSip", ("POOL-04",), (), _records("NetTCPConnectionSip")),
    Section("Win32_PowerPlan", ("HOST-01",), (), _records("Win32_PowerPlan")),
    Section("Win32_Processor", ("HOST-02",), (), _records("Win32_Processor")),
    Section("Win32_LogicalDisk", ("HOST-03",), (), _records("Win32_LogicalDisk")),
    Section("DataLocations", ("HOST-03",), (), _records("DataLocations")),
    Section("PendingReboot", ("HOST-04",), (), _records("PendingReboot")),
)}
