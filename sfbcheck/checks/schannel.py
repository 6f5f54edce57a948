"""SCHANNEL registry values: ClientAuthTrustMode = 2 (SCHANNEL-01), SendTrustedIssuerList = 0 (SCHANNEL-02),
no SCHANNEL change waiting for a reboot (SCHANNEL-03) and, on a Lync Server 2013 Front End on Windows Server
2012 R2, EnableSessionTicket = 2 (SCHANNEL-04).

Sources: seed 000 ("Registry Entries": on Windows Server 2012 R2 these values under
HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL fix many replication issues, "It will not
update without a reboot"), KB2464556; KB2795828 ("Lync Server 2013 Front-End service cannot start in Windows
Server 2012": ClientAuthTrustMode 2, SendTrustedIssuerList 0); Microsoft "What's new in TLS/SSL (Schannel SSP)"
for Windows Server 2012 (the trusted-issuer list is no longer sent by default: an absent SendTrustedIssuerList
means 0, and ClientAuthTrustMode defaults to 0, Machine Trust); OPD rule RDCheckSchannelSessionTicket and
Microsoft's support article on events 32402/61045 on a Lync Server 2013 Front End (EnableSessionTicket = 2).
"""

from __future__ import annotations

from sfbcheck.errors import EvidenceGap
from sfbcheck.facts.registry import SCHANNEL, RegistryKey, registry
from sfbcheck.facts.system import WINDOWS_2012, WINDOWS_2012_R2, core_components, operating_system
from sfbcheck.host import Host
from sfbcheck.inventory import Product, Role
from sfbcheck.problems import Problem

REG_PATH = "HKEY_LOCAL_MACHINE" + SCHANNEL.removeprefix("HKLM")
PS_PATH = "HKLM:" + SCHANNEL.removeprefix("HKLM")


def not_applicable(server: Host) -> str:
    """Why SCHANNEL-01/02 do not apply to the server ('' if they do): they concern the mutual TLS between Lync
    servers (not Office Web Apps) on Windows Server 2012 and later (KB2795828 is titled for 2012)."""
    if server.role is Role.owas:
        return "Office Web Apps Server runs no Lync/SfB mutual TLS (no client-certificate authentication)"
    system = operating_system(server.evidence)
    if not system.is_server or not system.at_least(WINDOWS_2012):
        return f"{system} is older than Windows Server 2012 (6.2)"
    return ""


def value_fix(name: str, dword: int) -> str:
    """A ready .reg snippet and the equivalent PowerShell for one SCHANNEL DWORD, and the reboot."""
    return (f"Save as a .reg file and import it (regedit /s file.reg):\n"
            f"Windows Registry Editor Version 5.00\n\n[{REG_PATH}]\n\"{name}\"=dword:{dword:08x}\n\n"
            f"or in PowerShell (-Force replaces a value of another type):\n"
            f"New-ItemProperty -Path '{PS_PATH}' -Name '{name}' -PropertyType DWord -Value {dword} -Force\n"
            "then reboot: SCHANNEL reads it only at boot (seed 000).")


def dword_value(server: Host, name: str, expected: int, meaning: str, default: int | None = None,
                default_meaning: str = "") -> list[Problem]:
    """The SCHANNEL DWORD ``name`` is ``expected``; an absent value counts as the OS default ``default``
    (None: Windows has no default that satisfies the requirement, so it must be set)."""
    key = registry(server.evidence).require(SCHANNEL)
    value = key.value(name) if key.exists else None
    fix = value_fix(name, expected)
    if value is None:
        if default == expected:
            return []  # absent = the OS default, which is what the requirement asks for
        shown = f" (the OS default is {default}{': ' + default_meaning if default_meaning else ''})" \
            if default is not None else ""
        return [Problem(f"SCHANNEL {name} is missing{shown}; it must be DWORD {expected} ({meaning})", fix=fix,
                        evidence=key.describe())]
    if value.kind != "DWord":
        return [Problem(f"SCHANNEL {name} has the wrong registry type: {value.reg_type} {value.value!r}, not "
                        f"REG_DWORD {expected}; SCHANNEL ignores a value of another type ({meaning})",
                        fix=fix, evidence=key.describe())]
    if value.dword != expected:
        return [Problem(f"SCHANNEL {name} is DWORD {value.value!r}, not {expected} ({meaning})", fix=fix,
                        evidence=key.describe())]
    return []


def client_auth_trust_mode(server: Host) -> list[Problem]:
    """SCHANNEL-01: ClientAuthTrustMode is DWORD 2 (Exclusive CA Trust) (000, KB2464556, KB2795828). Absent, it
    is 0 (Machine Trust, "What's new in TLS/SSL" for Windows Server 2012), which does not satisfy it."""
    return dword_value(server, "ClientAuthTrustMode", 2,
                       "2 = Exclusive CA Trust: client certificates chain to a root in Trusted Root CAs",
                       default=0, default_meaning="Machine Trust")


def send_trusted_issuer_list(server: Host) -> list[Problem]:
    """SCHANNEL-02: SendTrustedIssuerList is DWORD 0 (000, KB2464556). Since Windows Server 2012 an absent value
    means 0 ("What's new in TLS/SSL (Schannel SSP)": the list is no longer sent by default), which complies."""
    return dword_value(server, "SendTrustedIssuerList", 0,
                       "0 = do not send the trusted-issuer list, which fails once Trusted Root grows too large",
                       default=0)


def session_ticket_not_applicable(server: Host) -> str:
    """Why SCHANNEL-04 does not apply ('' if it does): only a Lync Server 2013 Front End on Windows Server
    2012 R2 needs EnableSessionTicket = 2."""
    if server.role is not Role.frontend:
        return f"the server is a {server.role.value}, not a Front End"
    installed = core_components(server.evidence)
    lync2013 = installed.version[0] == 5 if installed and installed.version else \
        server.product is Product.lync2013
    if not lync2013:
        running = installed.name if installed else f"{server.product.value} (its pool's product in the inventory)"
        return f"the server runs {running}, not Lync Server 2013"
    system = operating_system(server.evidence)
    if system.version[:2] != WINDOWS_2012_R2:
        return f"{system} is not Windows Server 2012 R2 (6.3)"
    return ""


def session_ticket(server: Host) -> list[Problem]:
    """SCHANNEL-04: EnableSessionTicket is DWORD 2 on a Lync Server 2013 Front End on Windows Server 2012 R2
    (Microsoft support article on events 32402/61045; OPD RDCheckSchannelSessionTicket reads the same value)."""
    return dword_value(server, "EnableSessionTicket", 2,
                       "2 = TLS session tickets off; otherwise the Front End logs events 32402/61045 and users "
                       "cannot sign in")


def _changed_after_boot(keys: list[RegistryKey], boot: object) -> list[RegistryKey]:
    return [k for k in keys if k.exists and k.last_write is not None and k.last_write > boot]  # type: ignore[operator]


def reboot_pending(server: Host) -> list[Problem]:
    """SCHANNEL-03: no SCHANNEL key was written after the last boot (000: "It will not update without a reboot")."""
    system = operating_system(server.evidence)
    keys = registry(server.evidence)
    schannel = keys.require(SCHANNEL)
    if system.last_boot is None:
        raise EvidenceGap(server.fqdn, "Win32_OperatingSystem", "has no LastBootUpTime")
    unknown = [k for k in [schannel, *keys.under(SCHANNEL)] if k.exists and k.last_write is None]
    if unknown:  # a key whose time is unknown may have changed after the boot: never a pass
        reason = unknown[0].write_time_error or "the collector recorded none"
        raise EvidenceGap(server.fqdn, "Registry", f"has no LastWriteTime for {unknown[0].path} ({reason}), so "
                                                   f"a change since the last boot cannot be ruled out")
    changed = _changed_after_boot(keys.under(SCHANNEL), system.last_boot)
    return [Problem(
        f"reboot pending: {k.path} was changed at {k.last_write.isoformat() if k.last_write else '?'}, after the "
        f"last boot at {system.last_boot.isoformat()}; SCHANNEL still runs with the old values",
        fix=f"Reboot {server.fqdn} (Restart-Computer) in the next maintenance window.",
        evidence=f"{system}\n{k.describe()}") for k in changed]
