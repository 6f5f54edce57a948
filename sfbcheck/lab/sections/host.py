"""Lab evidence of each machine: Win32_ComputerSystem, Win32_OperatingSystem, Registry (Tcpip Parameters,
SCHANNEL and its Protocols, .NET strong crypto), InstalledProducts, Win32_Service, and on the Edges the
hosts file and what the Edge resolves (ResolveDnsName, computed from its hosts file the way the Windows
resolver cache does: the first name on a line gets an A record, further names a CNAME to it).

Clean lab: Windows Server 2019, SfB Server 2019 at 7.0.2046.583 (CU8 with the October 2026 security update);
pool02 (fe04, fe05) is hardened with TLS 1.0/1.1 disabled (supported at that version, .NET strong crypto on); the
Edges are in a workgroup with the primary DNS suffix contoso.local and resolve the next hop through a hosts file. A
pool of another product (the legacy Lync Server 2013 Standard Edition server lync01, coexistence) runs it on the
Windows its product was installed on:
Lync Server 2013 at 5.0.8308.1198 (July 2022 security update) on Windows Server 2012 R2 with .NET 4.6.2, SSL 2.0/3.0
disabled (on by default there), TLS 1.0/1.1 left on (Microsoft supports them off on a Lync 2013 Edge only) and
SCHANNEL EnableSessionTicket = 2 (SCHANNEL-04).
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from sfbcheck.checks.edge_dns import names_to_resolve
from sfbcheck.checks.services import service_table
from sfbcheck.facts.hosts import parse_hosts
from sfbcheck.facts.registry import (
    NET_FRAMEWORK,
    NET_FRAMEWORK_2,
    NET_FRAMEWORK_2_WOW64,
    NET_FRAMEWORK_SETUP,
    NET_FRAMEWORK_WOW64,
    SCHANNEL,
    TCPIP_PARAMETERS,
    WINHTTP,
    WINHTTP_WOW64,
)
from sfbcheck.inventory import Inventory
from sfbcheck.lab.model import Lab

SFB_VERSION = "7.0.2046.583"  # the October 13, 2026 security update: the latest of sfbcheck/data/builds.yml (VER-01)
# Core Components per product where the lab has a pool of another product (coexistence): Lync Server 2013's July 2022
# security update (KB 5016714), the latest Lync 2013 update of sfbcheck/data/builds.yml (VER-01)
PRODUCT_BUILDS = {"lync2013": "5.0.8308.1198"}
# Windows per product: the legacy Lync Server 2013 pool runs Windows Server 2012 R2 (supported: 2008 R2 SP1, 2012,
# 2012 R2), where SCHANNEL-04 applies; the others the lab's Windows Server 2019.
WINDOWS_2019 = {"Caption": "Microsoft Windows Server 2019 Datacenter", "Version": "10.0.17763", "BuildNumber": "17763"}
PRODUCT_WINDOWS = {"lync2013": {"Caption": "Microsoft Windows Server 2012 R2 Standard", "Version": "6.3.9600",
                                "BuildNumber": "9600"}}
PRODUCT_PS_VERSIONS = {"lync2013": "4.0"}  # Windows PowerShell 4.0 ships with Windows Server 2012 R2
# .NET Framework NDP\v4\Full as each Windows reports it: 4.8 (Release 528049) on 2019; 4.6.2 (Release 394806, "all
# other Windows" in Microsoft "Determine which .NET Framework versions are installed") on the Lync 2013 server
# (supported with Lync Server 2013 from the November 2016 update)
NET_48 = {"Release": 528049, "Version": "4.8.03761"}
PRODUCT_NET = {"lync2013": {"Release": 394806, "Version": "4.6.01590"}}
HARDENED_POOLS = ("pool02.contoso.local",)  # TLS 1.0/1.1 disabled by a hardening baseline
PRODUCT_NAMES = {"lync2013": "Lync Server 2013", "sfb2015": "Skype for Business Server 2015",
                 "sfb2019": "Skype for Business Server 2019"}
# Programs and Features names Lync Server 2013's components with "Microsoft " in front ("Microsoft Lync Server 2013,
# Core Components", "Microsoft Lync Server 2013, Front End Server": public install scripts check for those names)
DISPLAY_PREFIX = {"lync2013": "Microsoft "}
ROLE_COMPONENTS = {"frontend": "Front End Server", "edge": "Edge Server", "director": "Director",
                   "mediation": "Mediation Server"}
NETWORK_SERVICE = "NT AUTHORITY\\NetworkService"
NET_INSTALL_PATH = "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\"
# Windows' own %SystemRoot%\System32\drivers\etc\hosts (Windows Server 2008 R2 and later ship this text, with
# CRLF line ends and no trailing entries; many public copies, e.g. the README of selftest/data/real).
HOSTS_HEADER = """\
# Copyright (c) 1993-2009 Microsoft Corp.
#
# This is a sample HOSTS file used by Microsoft TCP/IP for Windows.
#
# This file contains the mappings of IP addresses to host names. Each
# entry should be kept on an individual line. The IP address should
# be placed in the first column followed by the corresponding host name.
# The IP address and the host name should be separated by at least one
# space.
#
# Additionally, comments (such as these) may be inserted on individual
# lines or following the machine name denoted by a '#' symbol.
#
# For example:
#
#      102.54.94.97     rhino.acme.com          # source server
#       38.25.63.10     x.acme.com              # x client host

# localhost name resolution is handled within DNS itself.
#	127.0.0.1       localhost
#	::1             localhost
"""


# -- registry ---------------------------------------------------------------------------------------------
def reg_key(path: str, values: dict[str, tuple[str, Any]] | None, written: Any) -> dict[str, Any]:
    """One Registry entry; ``values`` maps name -> (RegistryValueKind, value); None = the key does not exist."""
    ps_path = "HKLM:" + path.removeprefix("HKLM")
    if values is None:
        return {"Path": ps_path, "Exists": False}
    return {"Path": ps_path, "Exists": True, "LastWriteTime": written.isoformat(),
            "Values": [{"Name": name, "Kind": kind, "Value": value} for name, (kind, value) in values.items()]}


def protocol_keys(hardened: bool, written: Any, ssl_disabled: bool = False) -> list[dict[str, Any]]:
    """SCHANNEL\\Protocols as Windows Server 2019 has it: only ``SSL 2.0\\Client`` (DisabledByDefault = 1, created
    by setup) unless a baseline (the Microsoft page's TLSDisable.reg) wrote the others; ``ssl_disabled``: SSL 2.0 and
    3.0 turned off by hand (Windows Server 2012 R2 enables SSL 3.0 by default) and TLS left as Windows has it."""
    keys = []
    for protocol in ("SSL 2.0", "SSL 3.0"):
        for side in ("Client", "Server"):
            path = f"{SCHANNEL}\\Protocols\\{protocol}\\{side}"
            if hardened or ssl_disabled:
                keys.append(reg_key(path, {"DisabledByDefault": ("DWord", 1), "Enabled": ("DWord", 0)}, written))
            elif (protocol, side) == ("SSL 2.0", "Client"):
                keys.append(reg_key(path, {"DisabledByDefault": ("DWord", 1)}, written - timedelta(days=370)))
            else:
                keys.append(reg_key(path, None, written))
    for protocol in ("TLS 1.0", "TLS 1.1", "TLS 1.2"):
        for side in ("Client", "Server"):
            path = f"{SCHANNEL}\\Protocols\\{protocol}\\{side}"
            if not hardened:
                keys.append(reg_key(path, None, written))
            elif protocol == "TLS 1.2":
                keys.append(reg_key(path, {"Enabled": ("DWord", 1), "DisabledByDefault": ("DWord", 0)}, written))
            else:
                keys.append(reg_key(path, {"Enabled": ("DWord", 0), "DisabledByDefault": ("DWord", 1)}, written))
    return keys


def registry(lab: Lab, fqdn: str, hardened: bool) -> list[dict[str, Any]]:
    host, _, domain = fqdn.partition(".")
    installed = lab.now - timedelta(days=400)
    product = lab.product(fqdn)
    net_setup = PRODUCT_NET.get(product, NET_48)
    strong = {"SchUseStrongCrypto": ("DWord", 1), "SystemDefaultTlsVersions": ("DWord", 1)}
    role = lab.pool_of(fqdn)["role"]
    net = strong if hardened or role == "edge" else {}
    # SCHANNEL: Windows creates the key with EventLogging = 1. The seed's .reg adds ClientAuthTrustMode and
    # SendTrustedIssuerList; the hardened pool followed Microsoft's TLS page, which leaves SendTrustedIssuerList
    # out (absent = 0 since 2012); Office Web Apps runs no Lync mutual TLS and keeps Windows' key untouched.
    schannel: dict[str, tuple[str, Any]] = {"EventLogging": ("DWord", 1)}
    if role != "owas":
        schannel["ClientAuthTrustMode"] = ("DWord", 2)
        if not hardened:
            schannel["SendTrustedIssuerList"] = ("DWord", 0)
    if role == "frontend" and product == "lync2013":
        # SCHANNEL-04: a Lync Server 2013 Front End on Windows Server 2012 R2 turns TLS session tickets off
        schannel["EnableSessionTicket"] = ("DWord", 2)
    return [
        reg_key(TCPIP_PARAMETERS, {"Hostname": ("String", host.upper()), "NV Hostname": ("String", host.upper()),
                                   "Domain": ("String", domain), "NV Domain": ("String", domain),
                                   "SearchList": ("String", "")}, installed),
        reg_key(SCHANNEL, schannel, lab.now - timedelta(days=200)),
        *protocol_keys(hardened, lab.now - timedelta(days=30), ssl_disabled=product in PRODUCT_WINDOWS),
        reg_key(NET_FRAMEWORK, {"OnlyUseLatestCLR": ("DWord", 1), **net}, installed),
        reg_key(NET_FRAMEWORK_WOW64, dict(net), installed),
        reg_key(NET_FRAMEWORK_2, dict(net) if hardened else {}, installed),
        reg_key(NET_FRAMEWORK_2_WOW64, dict(net) if hardened else {}, installed),
        reg_key(NET_FRAMEWORK_SETUP, {"CBS": ("DWord", 1), "Install": ("DWord", 1),
                                      "InstallPath": ("String", NET_INSTALL_PATH),
                                      "Release": ("DWord", net_setup["Release"]), "Servicing": ("DWord", 0),
                                      "TargetVersion": ("String", "4.0.0"),
                                      "Version": ("String", net_setup["Version"])},
                installed),
        reg_key(WINHTTP, {}, installed),
        reg_key(WINHTTP_WOW64, {}, installed),
    ]


# -- services -----------------------------------------------------------------------------------------------
def service(name: str, display: str, state: str = "Running", start_mode: str = "Auto",
            start_name: str = NETWORK_SERVICE) -> dict[str, Any]:
    return {"Name": name, "DisplayName": display, "State": state, "StartMode": start_mode, "StartName": start_name}


def services(lab: Lab, fqdn: str) -> list[dict[str, Any]]:
    """Win32_Service: the role's services, those the pool's topology features add, Windows Fabric on Front Ends."""
    pool = lab.pool_of(fqdn)
    role = pool["role"]
    table = service_table()
    product = lab.product(fqdn)
    prefix = PRODUCT_NAMES[product].rsplit(" ", 1)[0]  # "Skype for Business Server", "Lync Server"
    if role == "owas":
        return [service("WACSM", "Office Online", start_name="LocalSystem"),
                service("W3SVC", "World Wide Web Publishing Service", start_name="LocalSystem")]
    wanted = dict(table.roles.get(role, {}))
    for feature in pool.get("features", []):
        wanted |= table.features.get(feature, {})
    wanted |= table.replication(role, pool["fqdn"] == lab.inventory["cms"]["pool"])  # the whole CMS pool runs them
    out = [service(name, f"{prefix} {what}") for name, what in wanted.items()]
    for name, what in table.products.get(role, {}).get(product, {}).items():
        out.append(service(name, what, start_name="LocalSystem"))
    if role == "frontend":
        if pool.get("backup"):
            out.append(service("LYNCBACKUP", f"{prefix} Backup Service"))
        out.append(service("W3SVC", "World Wide Web Publishing Service", start_name="LocalSystem"))
    return out


def installed_products(lab: Lab, fqdn: str) -> list[dict[str, Any]]:
    role = lab.pool_of(fqdn)["role"]
    if role == "owas":
        return [{"DisplayName": "Microsoft Office Online Server", "DisplayVersion": "16.0.10338.20039",
                 "Publisher": "Microsoft Corporation"}]
    product = lab.product(fqdn)
    name = DISPLAY_PREFIX.get(product, "") + PRODUCT_NAMES[product]
    return [{"DisplayName": f"{name}, {component}", "DisplayVersion": PRODUCT_BUILDS.get(product, SFB_VERSION),
             "Publisher": "Microsoft Corporation"}
            for component in ("Core Components", ROLE_COMPONENTS[role])]


# -- hosts file and what the Edge resolves ----------------------------------------------------------------
def edge_hosts_text(lab: Lab, fqdn: str) -> str:
    """The Edge's hosts file: the DNS-load-balanced next hop once per member, every Front End, the other Edges."""
    edge_pool = lab.pool_of(fqdn)
    hop = next(p for p in lab.pools() if p["fqdn"] == edge_pool["next_hop"])
    lines = [HOSTS_HEADER.rstrip("\n"), "",
             f"# Skype for Business next hop {hop['fqdn']} (DNS load balanced: one line per Front End)"]
    lines += [f"{m['ip']}\t{hop['fqdn']}" for m in hop["members"]]
    lines += ["", "# Front End servers"]
    lines += [f"{m['ip']}\t{m['fqdn']}" + ("    # CMS master" if m["fqdn"] == lab.cms_master else "")
              for m in lab.members("frontend")]
    lines += ["", "# Edge pool (internal interfaces)"]
    lines += [f"{m['ip']}  \t{m['fqdn']}" for m in edge_pool["members"] if m["fqdn"] != fqdn]
    return "\r\n".join(lines) + "\r\n"


def hosts_section(lab: Lab, text: str, days_ago: int = 90) -> dict[str, Any]:
    """The HostsFile section as the collector writes it: the file's text (UTF-8; ``Encoding.GetString`` keeps a
    byte-order mark as U+FEFF) and its bytes (base64)."""
    raw = text.encode("utf-8")
    return {"FullName": r"C:\Windows\System32\drivers\etc\hosts", "Length": len(raw),
            "LastWriteTime": (lab.now - timedelta(days=days_ago)).isoformat(),
            "Content": text, "RawContent": base64.b64encode(raw).decode("ascii")}


def a_record(name: str, ip: str) -> dict[str, Any]:
    return {"Name": name, "Type": "A", "TTL": 86400, "Section": "Answer", "DataLength": 4, "IPAddress": ip}


def resolve_from_hosts(text: str, name: str) -> dict[str, Any]:
    """Resolve-DnsName on a machine without perimeter DNS: answered from the hosts file (resolver-cache rules)."""
    hosts = parse_hosts(text)
    addresses = [str(ip) for ip in dict.fromkeys(hosts.addresses(name))]
    if addresses:
        return {"QueryName": name, "Error": None, "Records": [a_record(name, ip) for ip in addresses]}
    alias_of = next((e.names[0] for e in hosts.entries if e.has(name)), None)
    if alias_of is not None:
        cname = {"Name": name, "Type": "CNAME", "TTL": 86400, "Section": "Answer", "DataLength": 8,
                 "NameHost": alias_of}
        targets = [str(ip) for ip in dict.fromkeys(hosts.addresses(alias_of))]
        return {"QueryName": name, "Error": None, "Records": [cname, *(a_record(alias_of, ip) for ip in targets)]}
    return {"QueryName": name, "Error": f"{name} : DNS name does not exist", "Records": []}


def resolve_on_edge(lab: Lab, fqdn: str) -> None:
    """(Re)compute the Edge's ResolveDnsName section from its current hosts file."""
    inventory = Inventory.model_validate(lab.inventory)
    sections = lab.sections(fqdn)
    text = sections["HostsFile"]["Content"]
    sections["ResolveDnsName"] = [resolve_from_hosts(text, n.fqdn)
                                  for n in names_to_resolve(inventory, inventory.server(fqdn))]


# -- the builder ----------------------------------------------------------------------------------------------
def build(lab: Lab) -> None:
    ad_domain = lab.inventory["ad_domain"]
    for index, member in enumerate(lab.members()):
        fqdn = member["fqdn"]
        pool = lab.pool_of(fqdn)
        edge = pool["role"] == "edge"
        sections = lab.sections(fqdn)
        host = fqdn.partition(".")[0].upper()
        sections["Win32_ComputerSystem"] = {
            "Name": host, "DNSHostName": host.lower(), "Domain": "WORKGROUP" if edge else ad_domain,
            "PartOfDomain": not edge, "Workgroup": "WORKGROUP" if edge else None, "DomainRole": 2 if edge else 3}
        product = lab.product(fqdn)
        if product in PRODUCT_PS_VERSIONS:
            lab.evidence[fqdn]["PSVersion"] = PRODUCT_PS_VERSIONS[product]
        sections["Win32_OperatingSystem"] = {
            **PRODUCT_WINDOWS.get(product, WINDOWS_2019), "ProductType": 3, "SystemDrive": "C:",
            "LastBootUpTime": (lab.now - timedelta(days=6, hours=index)).isoformat()}
        sections["Registry"] = registry(lab, fqdn, pool["fqdn"] in HARDENED_POOLS)
        sections["InstalledProducts"] = installed_products(lab, fqdn)
        sections["Win32_Service"] = services(lab, fqdn)
        if edge:
            text = edge_hosts_text(lab, fqdn)
            if fqdn.startswith("edge02"):
                text = "\ufeff" + text  # saved by Notepad as "UTF-8 with BOM": Windows reads it all the same
            sections["HostsFile"] = hosts_section(lab, text)
            resolve_on_edge(lab, fqdn)
        else:
            sections["HostsFile"] = hosts_section(lab, HOSTS_HEADER.replace("\n", "\r\n"), days_ago=2400)
