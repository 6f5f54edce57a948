"""SCHANNEL registry values: ClientAuthTrustMode = 2 (SCHANNEL-01), SendTrustedIssuerList = 0 (SCHANNEL-02),
and no SCHANNEL change waiting for a reboot (SCHANNEL-03).

Source: seed 000 ("Registry Entries": on Windows Server 2012 R2 these values under
HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL fix many replication issues, "It will not
update without a reboot"), KB2464556.
"""

from __future__ import annotations

from sfbcheck.errors import EvidenceGap
from sfbcheck.facts.registry import SCHANNEL, RegistryKey, registry
from sfbcheck.facts.system import WINDOWS_2012_R2, operating_system
from sfbcheck.host import Host
from sfbcheck.problems import Problem

REG_PATH = "HKEY_LOCAL_MACHINE" + SCHANNEL.removeprefix("HKLM")
PS_PATH = "HKLM:" + SCHANNEL.removeprefix("HKLM")


def not_applicable(server: Host) -> str:
    """Why SCHANNEL-01/02 do not apply to the server ('' if they do): they concern Windows Server 2012 R2+."""
    system = operating_system(server.evidence)
    if not system.is_server or not system.at_least(WINDOWS_2012_R2):
        return f"{system} is older than Windows Server 2012 R2 (6.3)"
    return ""


def value_fix(name: str, dword: int) -> str:
    """A ready .reg snippet and the equivalent PowerShell for one SCHANNEL DWORD, and the reboot."""
    return (f"Save as a .reg file and import it (regedit /s file.reg):\n"
            f"Windows Registry Editor Version 5.00\n\n[{REG_PATH}]\n\"{name}\"=dword:{dword:08x}\n\n"
            f"or in PowerShell (-Force replaces a value of another type):\n"
            f"New-ItemProperty -Path '{PS_PATH}' -Name '{name}' -PropertyType DWord -Value {dword} -Force\n"
            "then reboot: SCHANNEL reads it only at boot (seed 000).")


def dword_value(server: Host, name: str, expected: int, meaning: str) -> list[Problem]:
    key = registry(server.evidence).require(SCHANNEL)
    value = key.value(name) if key.exists else None
    fix = value_fix(name, expected)
    if value is None:
        return [Problem(f"SCHANNEL {name} is missing; it must be DWORD {expected} ({meaning})", fix=fix,
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
    """SCHANNEL-01: ClientAuthTrustMode is DWORD 2 (Exclusive CA Trust) (000, KB2464556)."""
    return dword_value(server, "ClientAuthTrustMode", 2,
                       "2 = Exclusive CA Trust: client certificates chain to a root in Trusted Root CAs")


def send_trusted_issuer_list(server: Host) -> list[Problem]:
    """SCHANNEL-02: SendTrustedIssuerList is DWORD 0 (000, KB2464556)."""
    return dword_value(server, "SendTrustedIssuerList", 0,
                       "0 = do not send the trusted-issuer list, which fails once Trusted Root grows too large")


def _changed_after_boot(keys: list[RegistryKey], boot: object) -> list[RegistryKey]:
    return [k for k in keys if k.exists and k.last_write is not None and k.last_write > boot]  # type: ignore[operator]


def reboot_pending(server: Host) -> list[Problem]:
    """SCHANNEL-03: no SCHANNEL key was written after the last boot (000: "It will not update without a reboot")."""
    system = operating_system(server.evidence)
    keys = registry(server.evidence)
    schannel = keys.require(SCHANNEL)
    if system.last_boot is None:
        raise EvidenceGap(server.fqdn, "Win32_OperatingSystem", "has no LastBootUpTime")
    if schannel.exists and schannel.last_write is None:
        raise EvidenceGap(server.fqdn, "Registry", f"has no LastWriteTime for {SCHANNEL}")
    changed = _changed_after_boot(keys.under(SCHANNEL), system.last_boot)
    return [Problem(
        f"reboot pending: {k.path} was changed at {k.last_write.isoformat() if k.last_write else '?'}, after the "
        f"last boot at {system.last_boot.isoformat()}; SCHANNEL still runs with the old values",
        fix=f"Reboot {server.fqdn} (Restart-Computer) in the next maintenance window.",
        evidence=f"{system}\n{k.describe()}") for k in changed]
