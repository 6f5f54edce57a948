"""The sample lab in the shapes of the collector's Windows Server 2008 R2 paths (issue #17, item 1).

``windows_2008r2(lab)`` rewrites every section that the collector reads differently where the Windows Server 2012
cmdlets are missing, from the same facts, the way Collect-SfbEvidence.ps1 writes them there (docs/evidence.md):

* NetIPAddress -> Win32_NetworkAdapterConfiguration records (IPAddress[] with IPSubnet[] masks, DefaultIPGateway[]
  from the persistent default routes, NetConnectionID = the interface alias);
* NetRoute -> Win32_IP4RouteTable (the ActiveStore, Destination + Mask, InterfaceIndex, Metric1) and
  Win32_IP4PersistedRouteTable (``route -p`` routes, no interface; the adapter's gateway is not one of them);
* ResolveDnsName / ResolveDnsNameAutodiscover -> System.Net.Dns GetHostEntry (the CNAME to the canonical name,
  then the addresses, no TTL);
* SmbShareAccess -> the ACEs of Win32_LogicalShareSecuritySetting.GetSecurityDescriptor() with the
  Get-SmbShareAccess names beside them, as the collector writes them;
* Collection.Sections.<name>.Source names the WMI class or .NET API.

A fault applied before the rewrite shows in the rewritten shape, so the both-ways proof runs on both shapes.
IPv6 routes are not in Win32_IP4RouteTable; the lab has none.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sfbcheck.lab.model import Lab

SOURCES = {
    "NetIPAddress": "Win32_NetworkAdapterConfiguration",
    "NetRoute": "Win32_IP4RouteTable, Win32_IP4PersistedRouteTable",
    "ResolveDnsName": "System.Net.Dns", "ResolveDnsNameAutodiscover": "System.Net.Dns",
    "SmbShareAccess": "Win32_LogicalShareSecuritySetting",
}
SHARE_MASKS = {"Full": 2032127, "Change": 1245631, "Read": 1179817}
WELL_KNOWN_SIDS = {"everyone": "S-1-1-0", "builtin\\administrators": "S-1-5-32-544",
                   "nt authority\\network service": "S-1-5-20"}


def _mask(prefix: int) -> str:
    return str(ipaddress.ip_network(f"0.0.0.0/{prefix}").netmask)


def adapters(addresses: list[dict[str, Any]], routes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Win32_NetworkAdapterConfiguration, one per interface index of Get-NetIPAddress's records."""
    out: dict[int, dict[str, Any]] = {}
    for rec in addresses:
        index = int(rec["InterfaceIndex"])
        adapter = out.setdefault(index, {
            "Index": index + 1, "InterfaceIndex": index, "Description": "vmxnet3 Ethernet Adapter",
            "IPAddress": [], "IPSubnet": [], "DefaultIPGateway": None, "DNSServerSearchOrder": None,
            "DNSDomain": None, "DNSDomainSuffixSearchOrder": [], "FullDNSRegistrationEnabled": True,
            "DomainDNSRegistrationEnabled": False, "DHCPEnabled": False, "NetConnectionID": rec["InterfaceAlias"]})
        adapter["IPAddress"].append(rec["IPAddress"])
        v6 = ":" in str(rec["IPAddress"])
        adapter["IPSubnet"].append(str(rec["PrefixLength"]) if v6 else _mask(int(rec["PrefixLength"])))
    for rec in routes:
        if rec.get("Store") == "PersistentStore" and rec["DestinationPrefix"] in ("0.0.0.0/0", "::/0"):
            adapter = out.get(int(rec["InterfaceIndex"]))
            if adapter is not None:
                adapter["DefaultIPGateway"] = [*(adapter["DefaultIPGateway"] or []), rec["NextHop"]]
    return list(out.values())


def wmi_routes(routes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Win32_IP4RouteTable (ActiveStore) and Win32_IP4PersistedRouteTable (PersistentStore, not the gateways)."""
    out = []
    for rec in routes:
        network = ipaddress.ip_network(rec["DestinationPrefix"], strict=False)
        if network.version != 4:
            continue
        base = {"Destination": str(network.network_address), "Mask": str(network.netmask),
                "NextHop": rec["NextHop"], "Metric1": int(rec.get("RouteMetric") or 0)}
        if rec["Store"] == "ActiveStore":
            out.append({**base, "InterfaceIndex": int(rec["InterfaceIndex"]),
                        "Type": 3 if rec["NextHop"] == "0.0.0.0" else 4, "Protocol": 2, "Store": "ActiveStore"})
        elif network.prefixlen:  # a persistent default route is the adapter's DefaultIPGateway there
            out.append({**base, "Store": "PersistentStore"})
    return out


def host_entry(lookup: dict[str, Any]) -> dict[str, Any]:
    """One Resolve-DnsName lookup as the collector writes GetHostEntry's answer (ConvertTo-SfbHostEntryRecords)."""
    records = lookup.get("Records") or []
    name = lookup["QueryName"]
    canonical = name
    cnames = {r["Name"].lower(): r["NameHost"] for r in records if r.get("Type") == "CNAME"}
    while canonical.lower() in cnames:
        canonical = cnames[canonical.lower()]
    out: list[dict[str, Any]] = []
    if canonical.lower() != name.lower():
        out.append({"Name": name, "Type": "CNAME", "Section": "Answer", "NameHost": canonical})
    out += [{"Name": canonical, "Type": r["Type"], "Section": "Answer", "IPAddress": r["IPAddress"]}
            for r in records if r.get("Type") in ("A", "AAAA")]
    error = lookup.get("Error")
    if error:  # GetHostEntry's SocketException text
        error = "No such host is known"
    return {"QueryName": name, "Error": error, "Records": out}


def autodiscover_entry(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not records:
        return records
    first = records[0]["Name"]
    return host_entry({"QueryName": first, "Error": None, "Records": records})["Records"]


def share_aces(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for entry in entries:
        domain, _, name = str(entry["AccountName"]).rpartition("\\")
        mask = SHARE_MASKS.get(str(entry["AccessRight"]), 1179817)
        ace = 1 if entry["AccessControlType"] == "Deny" else 0
        sid = WELL_KNOWN_SIDS.get(str(entry["AccountName"]).lower(), "S-1-5-21-1004336348-1177238915-682003330-1129")
        out.append({"Name": entry["Name"], "TrusteeDomain": domain, "TrusteeName": name, "SIDString": sid,
                    "AccessMask": mask, "AceType": ace, "AccountName": entry["AccountName"],
                    "AccessControlType": entry["AccessControlType"], "AccessRight": entry["AccessRight"]})
    return out


def windows_2008r2(lab: Lab) -> Lab:
    """A copy of ``lab`` with every section in the shape of the collector's 2008 R2 path."""
    out = lab.copy()
    for document in out.evidence.values():
        sections = document["Sections"]
        if isinstance(sections.get("NetIPAddress"), list) and isinstance(sections.get("NetRoute"), list):
            addresses, routes = sections["NetIPAddress"], sections["NetRoute"]
            sections["NetIPAddress"] = adapters(addresses, routes)
            sections["NetRoute"] = wmi_routes(routes)
        if isinstance(sections.get("ResolveDnsName"), list):
            sections["ResolveDnsName"] = [host_entry(lookup) for lookup in sections["ResolveDnsName"]]
        if isinstance(sections.get("ResolveDnsNameAutodiscover"), list):
            sections["ResolveDnsNameAutodiscover"] = autodiscover_entry(sections["ResolveDnsNameAutodiscover"])
        if isinstance(sections.get("SmbShareAccess"), list):
            sections["SmbShareAccess"] = share_aces(sections["SmbShareAccess"])
        document["PSVersion"] = "3.0"
        about = document.get("Collection", {}).get("Sections", {})
        for name, source in SOURCES.items():
            if name in about:
                about[name]["Source"] = source
    return out
