"""Windows services: the Access Edge's configuration (SVC-01), each role's services (SVC-02) and the CMS
replication agents (CMS-04), all read from one table, ``sfbcheck/service_table.yml``.

Sources: seed 002 (Access Edge would not start after a CU; the fix was re-applying NETWORK SERVICE as the
log-on account in services.msc), seed 001 (CMS replication: Master Replicator Agent, File Transfer Agent and
Replica Replicator Agent).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sfbcheck.errors import EvidenceGap
from sfbcheck.facts.services import Service, services
from sfbcheck.facts.system import core_components
from sfbcheck.host import Host
from sfbcheck.problems import Problem


@dataclass(frozen=True)
class ServiceTable:
    roles: dict[str, dict[str, str]]  # role -> service name -> what it is
    replication_roles: tuple[str, ...]
    replication_everywhere: dict[str, str]
    replication_cms_master: dict[str, str]
    access_edge: dict[str, Any]
    features: dict[str, dict[str, str]] = field(default_factory=dict)  # feature -> service -> what
    products: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # role -> product -> ...

    def expected(self, role: str, features: Iterable[str] = (), product: str | None = None) -> dict[str, str]:
        """SVC-02: the services a server of ``role`` must be running, for its pool's ``features`` and ``product``
        (service name -> what it is, with the feature or product that brings it)."""
        out = dict(self.roles.get(role, {}))
        for feature in features:
            out |= {name: f"{what} (feature {feature})" for name, what in self.features.get(feature, {}).items()
                    if name not in out}
        if product is not None:
            out |= {name: f"{what} ({product})" for name, what in self.products.get(role, {}).get(product, {}).items()
                    if name not in out}
        return out

    def replication(self, role: str, is_cms_master: bool) -> dict[str, str]:
        """CMS-04: the replication agents a server must be running (empty if it takes no part)."""
        if role not in self.replication_roles:
            return {}
        return self.replication_everywhere | (self.replication_cms_master if is_cms_master else {})


@cache
def service_table() -> ServiceTable:
    data = yaml.safe_load(resources.files("sfbcheck").joinpath("service_table.yml").read_text(encoding="utf-8"))
    replication = data["replication"]
    return ServiceTable(data["roles"], tuple(replication["roles"]), replication["everywhere"],
                        replication["cms_master"], data["access_edge"], data.get("features") or {},
                        data.get("products") or {})


def _start_command(name: str) -> str:
    return f"Start-Service {name}    # or: Start-CsWindowsService -Name {name}"


def _listing(found: dict[str, Service], names: list[str]) -> str:
    return "\n".join(str(found[n]) if n in found else f"{n}: not installed (no such service)" for n in names)


def _not_running(server: Host, expected: dict[str, str], requirement: str) -> list[Problem]:
    found = services(server.evidence)
    problems = []
    for name, what in expected.items():
        service = found.get(name.upper())
        if service is None:
            problems.append(Problem(
                f"the {what} service ({name}) is not installed on {server.fqdn}",
                fix=(f"Install the missing component: run the Deployment Wizard on {server.fqdn} "
                     "(Install or Update Skype for Business Server System, step 2: Setup or Remove Components), "
                     "then Start-CsWindowsService."),
                evidence=_listing(found, list(expected))))
        elif not service.running:
            disabled = service.start_mode.casefold() == "disabled"
            fix = (f"Set-Service {name} -StartupType Automatic\n" if disabled else "") + _start_command(name)
            problems.append(Problem(
                f"the {what} service ({name}) is {service.state or 'in an unknown state'}, not Running"
                + (" (start mode Disabled)" if disabled else ""),
                fix=fix + f"\nIf it stops again, read the Lync Server event log for the reason ({requirement}).",
                evidence=str(service)))
    return problems


PRODUCTS_BY_MAJOR = {5: "lync2013", 6: "sfb2015", 7: "sfb2019"}


def running_product(server: Host) -> str:
    """The product the server runs: its installed Core Components' major version, else its pool's product in the
    inventory (the pool's ``product``, else the deployment's)."""
    try:
        installed = core_components(server.evidence)
    except EvidenceGap:
        installed = None  # no InstalledProducts: the inventory's product decides
    if installed is not None and installed.version is not None and installed.version[0] in PRODUCTS_BY_MAJOR:
        return PRODUCTS_BY_MAJOR[installed.version[0]]
    return server.product.value


def expected_services(server: Host) -> dict[str, str]:
    """SVC-02's list for this server: its role's services, those its pool's topology features add, and the
    product's (Windows Fabric on Front Ends)."""
    product = running_product(server) if server.role.value in service_table().products else None
    return service_table().expected(server.role.value, [f.value for f in server.pool.features], product)


def role_services_running(server: Host) -> list[Problem]:
    """SVC-02: every Lync/SfB service expected for the server's role, its pool's features and the product
    (service_table.yml ``roles``, ``features``, ``products``) is Running (001, 002)."""
    return _not_running(server, expected_services(server), "SVC-02")


def replication_services_running(server: Host) -> list[Problem]:
    """CMS-04: REPLICA runs on every Lync/SfB server; MASTER and FTA also on the CMS master (seed 001)."""
    is_master = server.fqdn == server.inventory.cms_master.fqdn
    return _not_running(server, service_table().replication(server.role.value, is_master), "CMS-04")


def access_edge_service(edge: Host) -> list[Problem]:
    """SVC-01: the Access Edge (RTCSRV) is Running, start mode Auto, log-on NT AUTHORITY\\NetworkService (002)."""
    rule = service_table().access_edge
    name = rule["service"]
    service = services(edge.evidence).get(name.upper())
    logon_fix = (f"services.msc → {name} (Access Edge) → Properties → Log On → This account: NT AUTHORITY\\NETWORK "
                 "SERVICE, clear both password fields, OK (seed 002: re-applying the log-on account after a CU), or:\n"
                 f"sc.exe config {name} obj= \"NT AUTHORITY\\NetworkService\" password= \"\"\n{_start_command(name)}")
    if service is None:
        return [Problem(f"the Access Edge service ({name}) is not installed on {edge.fqdn}",
                        fix="Run the Deployment Wizard on the Edge (Install or Update: Setup or Remove Components).",
                        evidence=f"Win32_Service has no {name}")]
    problems = []
    if service.start_name.casefold() not in {n.casefold() for n in rule["start_names"]}:
        problems.append(Problem(
            f"the Access Edge service logs on as {service.start_name or '(no account)'}, "
            "not NT AUTHORITY\\NetworkService",
            fix=logon_fix, evidence=str(service)))
    if service.start_mode.casefold() not in (rule["start_mode"].casefold(), "automatic"):
        problems.append(Problem(
            f"the Access Edge service's start mode is {service.start_mode or '(none)'}, not Automatic: "
            "it will not come back after a reboot",
            fix=f"Set-Service {name} -StartupType Automatic", evidence=str(service)))
    if service.state.casefold() != rule["state"].casefold():
        problems.append(Problem(
            f"the Access Edge service is {service.state or 'in an unknown state'}, not Running",
            fix=(f"{_start_command(name)}\nIf it will not start (events 12303/14694/14397, see EVT-01) although the "
                 f"certificate is valid, re-apply its log-on account:\n{logon_fix}"),
            evidence=str(service)))
    return problems
