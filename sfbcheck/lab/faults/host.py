"""Host faults from seeds 000 (DNS suffix, hosts/DNS, SCHANNEL), 001 (replication services), 002 (Access Edge
after a CU: events 12303/14694/14397 with byte-reversed serial numbers, service log-on) and 003 (hosts-file
aliases, TLS 1.0)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sfbcheck.facts.registry import NET_FRAMEWORK_WOW64, SCHANNEL, TCPIP_PARAMETERS, normalize_path
from sfbcheck.lab.faults import fault
from sfbcheck.lab.model import Lab
from sfbcheck.lab.sections.events import event
from sfbcheck.lab.sections.host import hosts_section, resolve_on_edge

EDGE1, EDGE2 = "edge01.contoso.local", "edge02.contoso.local"
FE1, FE2, FE3, FE4, FE5 = (f"fe0{i}.contoso.local" for i in range(1, 6))
OWAS = "owas01.contoso.local"


# -- helpers ----------------------------------------------------------------------------------------------------
def _key(lab: Lab, fqdn: str, path: str) -> dict[str, Any]:
    wanted = normalize_path(path).casefold()
    return next(k for k in lab.sections(fqdn)["Registry"] if normalize_path(k["Path"]).casefold() == wanted)


def set_registry_value(lab: Lab, fqdn: str, path: str, name: str, kind: str | None, value: Any = None) -> None:
    """Set (kind given) or delete (kind None) a registry value, leaving the key's LastWriteTime alone."""
    key = _key(lab, fqdn, path)
    key["Values"] = [v for v in key["Values"] if v["Name"] != name]
    if kind is not None:
        key["Values"].append({"Name": name, "Kind": kind, "Value": value})


def _service(lab: Lab, fqdn: str, name: str) -> dict[str, Any]:
    return next(s for s in lab.sections(fqdn)["Win32_Service"] if s["Name"] == name)


def _edit_hosts(lab: Lab, fqdn: str, edit: Any) -> None:
    """Change the Edge's hosts file (``edit`` maps the list of lines to a new list) and re-resolve on the Edge."""
    lines = lab.sections(fqdn)["HostsFile"]["Content"].split("\r\n")
    lab.sections(fqdn)["HostsFile"] = hosts_section(lab, "\r\n".join(edit(lines)), days_ago=3)
    resolve_on_edge(lab, fqdn)


def reversed_serial(lab: Lab, fqdn: str, use: str) -> str:
    """The serial of the certificate assigned to ``use`` as Lync events quote it: octets reversed (seed 002)."""
    serial = lab.pki.assigned[fqdn][use].cert.serial_number
    der = serial.to_bytes(max(1, (serial.bit_length() + 7) // 8), "big")
    der = b"\x00" + der if der[0] & 0x80 else der  # the DER integer, as certlm.msc shows it
    return der[::-1].hex().upper()


def access_edge_events(lab: Lab, fqdn: str, hours_ago: float) -> list[dict[str, Any]]:
    """Events 12303, 14694 and 14397 as the Access Edge logs them when its external certificate cannot load: the
    message says the serial number is attached; the attached data (Details tab) holds it, octets reversed."""
    serial = reversed_serial(lab, fqdn, "AccessEdgeExternal")
    return [
        event(lab, fqdn, "LS Protocol Stack", 14397,
              "A configured certificate could not be loaded from store. The serial number is attached for "
              "reference.\r\n\r\nExtended Error Code: 0x8009030D(The credentials supplied to the package were not "
              "recognized).\r\nCause: This can happen if the certificate is not present in the store or the "
              "private key is not accessible by the service account.\r\nResolution:\r\nCheck that the certificate "
              "is present in the local machine store and that the service account has access to its private key.",
              hours_ago=hours_ago + 0.002, properties=["0x8009030D", serial]),
        event(lab, fqdn, "LS Protocol Stack", 14694,
              "The certificate configured for the Access Edge external interface could not be used. The serial "
              "number is attached for reference.\r\n\r\nCause: The certificate may have been deleted, invalid, or "
              "permissions are not set correctly.\r\nResolution:\r\nCheck the certificate in the local computer "
              "store and the permissions on its private key.", hours_ago=hours_ago + 0.001, properties=[serial]),
        event(lab, fqdn, "LS Server", 12303,
              "Server startup is being aborted because the Access Edge certificate could not be loaded. The serial "
              "number is attached for reference.\r\n\r\nCause: See the preceding LS Protocol Stack events.\r\n"
              "Resolution:\r\nCorrect the certificate configuration with the Deployment Wizard and start the service "
              "again.", hours_ago=hours_ago, properties=[serial]),
    ]


# -- EDGE-DNS-01 / 02 ------------------------------------------------------------------------------------------
@fault("edge01-joined-to-internal-domain", "EDGE-DNS-01", EDGE1,
       "the Edge was joined to contoso.local (it must stay in a WORKGROUP with only the DNS suffix set)")
def joined_to_domain(lab: Lab) -> None:
    lab.sections(EDGE1)["Win32_ComputerSystem"].update(
        {"Domain": "contoso.local", "PartOfDomain": True, "Workgroup": None, "DomainRole": 3})


@fault("edge02-no-primary-dns-suffix", "EDGE-DNS-02", EDGE2,
       "the primary DNS suffix was never set under System Properties → Computer Name → More…")
def no_dns_suffix(lab: Lab) -> None:
    for name in ("NV Domain", "Domain"):
        set_registry_value(lab, EDGE2, TCPIP_PARAMETERS, name, "String", "")
    # the collector then names the file by the short name (no Lync registration to say otherwise)
    lab.evidence[EDGE2].update(Server="edge02", ShortName="edge02", PrimaryDnsSuffix="", TopologyFqdn="")


@fault("edge01-dns-suffix-reboot-pending", "EDGE-DNS-02", EDGE1,
       "the primary DNS suffix was set (NV Domain) but the Edge was not rebooted, so it is not in effect")
def dns_suffix_not_active(lab: Lab) -> None:
    set_registry_value(lab, EDGE1, TCPIP_PARAMETERS, "Domain", "String", "")


# -- hosts file and resolution (EDGE-HOSTS-01/02, EDGE-DNS-04) ---------------------------------------------------
@fault("edge01-hosts-pool-as-alias", "EDGE-HOSTS-01", EDGE1,
       "seed 003: each Front End line also carries the pool FQDN as an alias, so the pool resolves as a CNAME "
       "of fe01 only and the Edge never fails over; no line has the pool FQDN as its name",
       also=(("EDGE-DNS-04", EDGE1), ("EDGE-HOSTS-02", EDGE1)))
def pool_as_alias(lab: Lab) -> None:
    def edit(lines: list[str]) -> list[str]:
        out = []
        for line in lines:
            if line.endswith("\tpool01.contoso.local"):
                continue
            if line.split("\t")[-1].split(" ")[0] in (FE1, FE2, FE3):
                line = f"{line.split(chr(9))[0]}\t{line.split(chr(9))[1].split(' ')[0]}\tpool01.contoso.local"
            out.append(line)
        return out

    _edit_hosts(lab, EDGE1, edit)


@fault("edge02-hosts-short-name-alias", "EDGE-HOSTS-01", EDGE2,
       "the other Edge's line also carries its short name (two names on one line)")
def short_name_alias(lab: Lab) -> None:
    _edit_hosts(lab, EDGE2, lambda lines: [f"{line}   edge01 # added for ping tests" if line.endswith(EDGE1) else line
                                           for line in lines])


@fault("edge01-hosts-missing-pool-member", "EDGE-HOSTS-02", EDGE1,
       "fe03 was added to pool01 but its line for the pool FQDN was never added to the Edge's hosts file",
       also=(("EDGE-DNS-04", EDGE1),))
def missing_pool_member(lab: Lab) -> None:
    _edit_hosts(lab, EDGE1, lambda lines: [x for x in lines if x != "10.10.1.13\tpool01.contoso.local"])


@fault("edge02-hosts-mistyped-pool-line", "EDGE-HOSTS-01", EDGE2,
       "issue: a mistyped pool line (10.10.1.l3, a letter l for the digit 1) silently removes fe03 from the pool",
       also=(("EDGE-HOSTS-02", EDGE2), ("EDGE-DNS-04", EDGE2)))
def mistyped_pool_line(lab: Lab) -> None:
    _edit_hosts(lab, EDGE2, lambda lines: [x.replace("10.10.1.13\tpool01", "10.10.1.l3\tpool01") for x in lines])


@fault("edge02-hosts-stale-front-end-ip", "EDGE-DNS-04", EDGE2,
       "fe02 was re-addressed to 10.10.1.12; the Edge's hosts file still maps it to its old address 10.10.1.22")
def stale_front_end_ip(lab: Lab) -> None:
    _edit_hosts(lab, EDGE2, lambda lines: [x.replace("10.10.1.12\tfe02", "10.10.1.22\tfe02") for x in lines])


@fault("edge01-cannot-resolve-other-edge", "EDGE-DNS-04", EDGE1,
       "the other Edge (edge02) is in neither perimeter DNS nor the hosts file")
def other_edge_unresolvable(lab: Lab) -> None:
    _edit_hosts(lab, EDGE1, lambda lines: [x for x in lines if not x.endswith(EDGE2)])


# -- SCHANNEL (SCHANNEL-01/02/03) ----------------------------------------------------------------------------------
@fault("fe03-client-auth-trust-mode-string", "SCHANNEL-01", FE3,
       "ClientAuthTrustMode was created as a string (REG_SZ \"2\") instead of a DWORD: SCHANNEL ignores it")
def trust_mode_string(lab: Lab) -> None:
    set_registry_value(lab, FE3, SCHANNEL, "ClientAuthTrustMode", "String", "2")


@fault("fe05-client-auth-trust-mode-missing", "SCHANNEL-01", FE5,
       "the seed's .reg file was never imported on fe05: ClientAuthTrustMode is absent (OS default 0, Machine Trust)")
def trust_mode_missing(lab: Lab) -> None:
    set_registry_value(lab, FE5, SCHANNEL, "ClientAuthTrustMode", None)


@fault("edge01-send-trusted-issuer-list-1", "SCHANNEL-02", EDGE1,
       "SendTrustedIssuerList is DWORD 1: the Edge sends its trusted-issuer list again")
def send_issuer_list(lab: Lab) -> None:
    set_registry_value(lab, EDGE1, SCHANNEL, "SendTrustedIssuerList", "DWord", 1)


@fault("fe02-schannel-changed-since-boot", "SCHANNEL-03", FE2,
       "the seed's .reg file was imported two hours ago and the server was not rebooted")
def schannel_changed(lab: Lab) -> None:
    _key(lab, FE2, SCHANNEL)["LastWriteTime"] = (lab.now - timedelta(hours=2)).isoformat()


# -- TLS-01 ---------------------------------------------------------------------------------------------------------
@fault("fe05-tls-disabled-before-cu1", "TLS-01", FE5,
       "the hardening baseline disabled TLS 1.0/1.1 on fe05, which still runs SfB Server 2019 RTM (7.0.2046.0)",
       also=(("VER-01", FE5), ("VER-02", "pool02.contoso.local")))  # RTM is below every update, and fe04 is not
def tls_disabled_rtm(lab: Lab) -> None:
    for product in lab.sections(FE5)["InstalledProducts"]:
        product["DisplayVersion"] = "7.0.2046.0"


@fault("fe04-no-strong-crypto-32bit", "TLS-04", FE4,
       "TLS 1.0/1.1 disabled but SchUseStrongCrypto set only for 64-bit .NET (Wow6432Node missing)")
def no_strong_crypto_wow64(lab: Lab) -> None:
    set_registry_value(lab, FE4, NET_FRAMEWORK_WOW64, "SchUseStrongCrypto", None)


# -- TLS-03 ---------------------------------------------------------------------------------------------------------
@fault("fe01-ssl3-server-enabled", "TLS-03", FE1,
       "an old application's installer re-enabled SSL 3.0 for the server side (SSL 3.0\\Server Enabled = 1)")
def ssl3_server_enabled(lab: Lab) -> None:
    path = f"{SCHANNEL}\\Protocols\\SSL 3.0\\Server"
    key = _key(lab, FE1, path)
    key.update({"Exists": True, "LastWriteTime": (lab.now - timedelta(days=60)).isoformat(),
                "Values": [{"Name": "Enabled", "Kind": "DWord", "Value": 1}]})


# -- services and events (SVC-01/02, CMS-04, EVT-01) ---------------------------------------------------------------
@fault("edge02-access-edge-logon-localsystem", "SVC-01", EDGE2,
       "the Access Edge service's log-on account was changed to Local System")
def access_edge_local_system(lab: Lab) -> None:
    _service(lab, EDGE2, "RTCSRV")["StartName"] = "LocalSystem"


@fault("edge01-access-edge-manual-start", "SVC-01", EDGE1,
       "the Access Edge service was set to Manual during a CU and never set back to Automatic")
def access_edge_manual(lab: Lab) -> None:
    _service(lab, EDGE1, "RTCSRV")["StartMode"] = "Manual"


@fault("edge01-access-edge-will-not-start-after-cu", "SVC-01", EDGE1,
       "seed 002: after a CU the Access Edge will not start; events 12303/14694/14397 quote the external "
       "certificate's serial byte-reversed", also=(("SVC-02", EDGE1), ("EVT-01", EDGE1)))
def access_edge_after_cu(lab: Lab) -> None:
    _service(lab, EDGE1, "RTCSRV")["State"] = "Stopped"
    lab.sections(EDGE1)["WinEvent"].extend(access_edge_events(lab, EDGE1, hours_ago=5))


@fault("edge02-access-edge-certificate-events", "EVT-01", EDGE2,
       "seed 002: events 12303/14694/14397 yesterday (the service was restarted since); they quote the external "
       "certificate's serial byte-reversed")
def access_edge_events_only(lab: Lab) -> None:
    lab.sections(EDGE2)["WinEvent"].extend(access_edge_events(lab, EDGE2, hours_ago=26))


@fault("fe04-web-conferencing-stopped", "SVC-02", FE4,
       "the Web Conferencing service (RTCDATAMCU) is stopped on fe04")
def web_conferencing_stopped(lab: Lab) -> None:
    _service(lab, FE4, "RTCDATAMCU")["State"] = "Stopped"


@fault("fe01-response-group-stopped", "SVC-02", FE1,
       "the Response Group service (RTCRGS), which pool01's Enterprise Voice feature installs, is stopped")
def response_group_stopped(lab: Lab) -> None:
    _service(lab, FE1, "RTCRGS")["State"] = "Stopped"


@fault("fe03-windows-fabric-stopped", "SVC-02", FE3,
       "the Windows Fabric Host Service (FabricHostSvc) is stopped on fe03: its Front End cannot join the pool")
def windows_fabric_stopped(lab: Lab) -> None:
    _service(lab, FE3, "FabricHostSvc")["State"] = "Stopped"


@fault("dir01-front-end-stopped", "SVC-02", "dir01.contoso.local",
       "the Director's Front-End service (RTCSRV) is stopped: it no longer authenticates or redirects users")
def director_front_end_stopped(lab: Lab) -> None:
    _service(lab, "dir01.contoso.local", "RTCSRV")["State"] = "Stopped"


@fault("owas01-office-web-apps-stopped", "SVC-02", OWAS,
       "the Office Web Apps service (WACSM) is stopped and Disabled")
def office_web_apps_stopped(lab: Lab) -> None:
    _service(lab, OWAS, "WACSM").update({"State": "Stopped", "StartMode": "Disabled"})


@fault("fe01-file-transfer-agent-stopped", "CMS-04", FE1,
       "seed 001: the File Transfer Agent (FTA) is stopped on the CMS master, so no replica receives changes")
def file_transfer_agent_stopped(lab: Lab) -> None:
    _service(lab, FE1, "FTA")["State"] = "Stopped"


@fault("edge02-replica-stopped", "CMS-04", EDGE2,
       "seed 001: the Replica Replicator Agent is stopped on the Edge (it is also one of the Edge's role services)",
       also=(("SVC-02", EDGE2),))
def replica_stopped(lab: Lab) -> None:
    _service(lab, EDGE2, "REPLICA")["State"] = "Stopped"
