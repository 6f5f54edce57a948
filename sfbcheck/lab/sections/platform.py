"""Lab evidence of the local stores, pool state and the Edge's external side (VER-04, POOL-01/02/04, EDGE-FW-05,
EDGE-DNS-05, FED-03/04): the local SQL Express instances as services and their ``sys.databases``,
``Test-CsDatabase`` results, Windows Fabric, the SIP listener, ``Get-CsService -EdgeServer``,
``Get-CsBlockedDomain``, and on the Edges their 5061 probes to the next hop and their external lookups.

Clean lab: every Lync/SfB server runs RTCLOCAL, Front Ends also LYNCLOCAL and Windows Fabric; every schema is
current; Front Ends and Directors listen for SIP on every address of their one internal NIC; one Edge pool federates.
The database versions are the lab's own (the product's real schema versions differ by update; docs/evidence.md).
"""

from __future__ import annotations

from typing import Any

from sfbcheck.lab.model import Lab
from sfbcheck.lab.sections.probes import PARTNERS, tcp
from sfbcheck.probes.dns import OFFICE365_FEDERATION

LYNC_ROLES = ("frontend", "director", "edge", "mediation")
SQL_ACCOUNT = "NT Service\\MSSQL${}"
SCHEMAS = {"RTCLOCAL": (("rtc", "125.54.2"), ("rtcdyn", "125.54.2"), ("xds", "10.13.2"), ("lis", "3.1.1")),
           "LYNCLOCAL": (("lyss", "7.0.1"),),
           "RTC": (("rtcxds", "125.54.2"), ("rtcshared", "125.54.2"), ("rtcab", "62.42.14"), ("xds", "10.13.2"),
                   ("lis", "3.1.1"))}
BACK_END_SCHEMAS = (("rtcxds", "125.54.2"), ("rtcshared", "125.54.2"), ("rtcab", "62.42.14"),
                    ("rgsconfig", "5.5.1"), ("rgsdyn", "2.2.1"), ("cpsdyn", "1.1.2"))
SYSTEM_DATABASES = ("master", "tempdb", "model", "msdb")
BLOCKED = [{"Identity": "fabrikam-marketing.example", "Domain": "fabrikam-marketing.example",
            "Comment": "unsolicited IM campaigns"}]
SIPFED_ADDRESS = "203.0.113.90"  # the lab's answer for sipfed.online.lync.com (a documentation address)
RTCSRV_PID = 4312


def sql_service(instance: str, state: str = "Running") -> dict[str, Any]:
    return {"Name": f"MSSQL${instance}", "DisplayName": f"SQL Server ({instance})", "State": state,
            "StartMode": "Auto", "StartName": SQL_ACCOUNT.format(instance)}


def fabric_service(state: str = "Running") -> dict[str, Any]:
    return {"Name": "FabricHostSvc", "DisplayName": "Windows Fabric Host Service", "State": state,
            "StartMode": "Auto", "StartName": "LocalSystem"}


def instances(pool: dict[str, Any]) -> tuple[str, ...]:
    if pool["role"] != "frontend":
        return ("RTCLOCAL",)
    return ("RTCLOCAL", "LYNCLOCAL", "RTC") if pool.get("edition") == "standard" else ("RTCLOCAL", "LYNCLOCAL")


def sql_databases(names: tuple[str, ...]) -> list[dict[str, Any]]:
    """sys.databases of each local instance: name, state_desc, user_access_desc."""
    return [{"Instance": instance, "name": name, "state_desc": "ONLINE", "user_access_desc": "MULTI_USER"}
            for instance in names
            for name in (*SYSTEM_DATABASES, *(db for db, _ in SCHEMAS[instance]))]


def schema(fqdn: str, instance: str, database: str, version: str) -> dict[str, Any]:
    """One line of Test-CsDatabase."""
    return {"SqlServerFqdn": fqdn, "SqlInstanceName": instance, "DatabaseName": database,
            "DataSource": f"{fqdn}\\{instance}", "ExpectedVersion": version, "InstalledVersion": version,
            "Succeed": True}


def sip_listeners() -> list[dict[str, Any]]:
    """Get-NetTCPConnection -State Listen -LocalPort 5061: the Front End service on every address."""
    return [{"LocalAddress": address, "LocalPort": 5061, "RemoteAddress": remote, "RemotePort": 0,
             "State": "Listen", "OwningProcess": RTCSRV_PID}
            for address, remote in (("0.0.0.0", "0.0.0.0"), ("::", "::"))]


FABRIC_HEALTHY = """\
Pool: {pool}
Number of routing groups: 128
Missing primaries: 0
Missing secondaries: 0
"""


def edge_services(lab: Lab) -> list[dict[str, Any]]:
    """Get-CsService -EdgeServer: every Edge pool; federation (5061) on the first one."""
    return [{"Identity": f"EdgeServer:{p['fqdn']}", "PoolFqdn": p["fqdn"], "AccessEdgeInternalSipPort": 5061,
             "AccessEdgeClientSipPort": 443, "AccessEdgeExternalSipPort": 5061 if i == 0 else 443}
            for i, p in enumerate(lab.pools("edge"))]


def a_lookup(name: str, address: str) -> dict[str, Any]:
    return {"QueryName": name, "QueryType": "A", "Error": None,
            "Records": [{"Name": name, "Type": "A", "TTL": 300, "Section": "Answer", "IPAddress": address}]}


def srv_lookup(name: str, target: str) -> dict[str, Any]:
    return {"QueryName": name, "QueryType": "SRV", "Error": None,
            "Records": [{"Name": name, "Type": "SRV", "TTL": 3600, "Section": "Answer", "NameTarget": target,
                         "Priority": 100 if target == OFFICE365_FEDERATION else 0, "Weight": 1, "Port": 5061}]}


def edge_external(lab: Lab, edge: dict[str, Any]) -> None:
    sections = lab.sections(edge["fqdn"])
    hop = next(p for p in lab.pools() if p["fqdn"] == lab.pool_of(edge["fqdn"])["next_hop"])
    sections.setdefault("TcpProbe", []).extend(tcp(edge["ip"], m["ip"], 5061) for m in hop["members"])
    lookups = [a_lookup(OFFICE365_FEDERATION, SIPFED_ADDRESS)]
    for partner in lab.inventory.get("federation_partners", []):
        domain = partner["domain"]
        homed, _ = PARTNERS.get(domain, ("on-premises", ""))
        target = OFFICE365_FEDERATION if homed == "online" else f"sip.{domain}"
        lookups.append(srv_lookup(f"_sipfederationtls._tcp.{domain}", target))
    sections["ResolveDnsNameFederation"] = lookups


def build(lab: Lab) -> None:
    cms_master = lab.cms_master  # cms.master, else the CMS pool's first member
    for pool in lab.pools():
        if pool["role"] not in LYNC_ROLES:
            continue
        names = instances(pool)
        for member in pool["members"]:
            fqdn = member["fqdn"]
            sections = lab.sections(fqdn)
            services = sections.setdefault("Win32_Service", [])
            present = {s["Name"].upper() for s in services}
            services.extend(sql_service(i) for i in names if f"MSSQL${i}" not in present)
            if pool["role"] == "frontend" and "FABRICHOSTSVC" not in present:
                services.append(fabric_service())
            sections["SqlLocalDatabases"] = sql_databases(names)
            sections["CsDatabaseLocal"] = [schema(fqdn, i, db, v) for i in names for db, v in SCHEMAS[i]]
            if pool["role"] in ("frontend", "director"):
                sections["NetTCPConnectionSip"] = sip_listeners()
            if pool["role"] == "frontend":
                sections["CsServiceEdgeServer"] = edge_services(lab)
                sections["CsBlockedDomain"] = [dict(b) for b in BLOCKED]
            if pool["role"] == "edge":
                edge_external(lab, member)
        if pool["role"] == "frontend" and pool.get("edition") != "standard":
            lab.sections(pool["members"][0]["fqdn"])["CsPoolFabricState"] = {
                "PoolFqdn": pool["fqdn"], "Text": FABRIC_HEALTHY.format(pool=pool["fqdn"])}
    cms_pool = next(p for p in lab.pools() if p["fqdn"] == lab.inventory["cms"]["pool"])
    back_end = f"sql-{cms_pool['fqdn'].split('.')[0]}.{cms_pool['fqdn'].split('.', 1)[1]}"
    lab.sections(cms_master)["CsDatabaseConfigured"] = [schema(back_end, "RTC", db, v) for db, v in BACK_END_SCHEMAS]
