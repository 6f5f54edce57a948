"""TLS-04: the prerequisites of TLS 1.2-only operation, where TLS 1.0/1.1 is disabled (TLS-01) or the policy
requires TLS 1.2 (``policy.tls12_required``).

Source: Microsoft "Disable TLS 1.0/1.1 in Skype for Business Server 2015", "Install prerequisites to all
servers" and "Pre-requisite registry keys" (TLSPreReq.reg): .NET Framework 4.7 or higher with SchUseStrongCrypto
= 1 for v2.0.50727 and v4.0.30319, 64-bit and Wow6432Node; WinHTTP DefaultSecureProtocols (KB3140245: on
Windows Server 2008 R2 / 2012 WinHTTP offers TLS 1.2 only when this value includes 0x800). The catalog adds
SystemDefaultTlsVersions = 1 (.NET uses the OS's TLS versions). OPD rules RDCheckUseStrongCrypto and
RDCheckWinHttpSettings read the same values.
"""

from __future__ import annotations

from sfbcheck.checks.tls_protocols import disabled_sides
from sfbcheck.facts.registry import (
    NET_FRAMEWORK,
    NET_FRAMEWORK_2,
    NET_FRAMEWORK_2_WOW64,
    NET_FRAMEWORK_SETUP,
    NET_FRAMEWORK_WOW64,
    WINHTTP,
    WINHTTP_WOW64,
    Registry,
    registry,
)
from sfbcheck.facts.system import WINDOWS_2012_R2, core_components, operating_system
from sfbcheck.host import Host
from sfbcheck.inventory import Product, Role
from sfbcheck.problems import Problem

NET_KEYS = (NET_FRAMEWORK, NET_FRAMEWORK_WOW64, NET_FRAMEWORK_2, NET_FRAMEWORK_2_WOW64)
NET_VALUES = {"SchUseStrongCrypto": ".NET uses only strong protocols (TLS 1.2)",
              "SystemDefaultTlsVersions": ".NET lets SCHANNEL choose the TLS version"}
WINHTTP_TLS12 = 0x800
WINHTTP_PAGE_VALUE = 0xAA0  # TLS 1.0 | 1.1 | 1.2 | SSL 3.0 bits as the page's TLSPreReq.reg sets them
NET_47_RELEASE = 460798  # the lowest NDP\v4\Full Release of .NET Framework 4.7 (Microsoft "Determine .NET versions")


def _set(path: str, name: str, value: int) -> str:
    ps = "HKLM:" + path.removeprefix("HKLM")
    return (f"New-Item -Path '{ps}' -Force | Out-Null; "
            f"New-ItemProperty -Path '{ps}' -Name {name} -PropertyType DWord -Value {value:#x} -Force")


def why_needed(server: Host, keys: Registry) -> str:
    """Why TLS-04 applies ('' if it does not)."""
    disabled = disabled_sides(keys)
    if disabled:
        return "TLS 1.0/1.1 is disabled (" + "; ".join(str(d) for d in disabled) + ")"
    if server.inventory.policy.tls12_required:
        return "the inventory policy requires TLS 1.2 (policy.tls12_required)"
    return ""


def _net_values(keys: Registry, reason: str) -> list[Problem]:
    problems = []
    for path in NET_KEYS:
        key = keys.require(path)
        for name, meaning in NET_VALUES.items():
            value = key.value(name) if key.exists else None
            if value is not None and value.dword == 1:
                continue
            got = "missing" if value is None else str(value)
            problems.append(Problem(
                f".NET {name} is {got} under {path}, not DWORD 1 ({meaning}); {reason}, so .NET web services "
                "and the management shell cannot negotiate TLS 1.2",
                fix=_set(path, name, 1) + "\nthen reboot.", evidence=key.describe()))
    return problems


def _winhttp(server: Host, keys: Registry, reason: str) -> list[Problem]:
    system = operating_system(server.evidence)
    if system.at_least(WINDOWS_2012_R2):
        return []  # WinHTTP offers TLS 1.2 by default from Windows Server 2012 R2 (KB3140245 applies before)
    problems = []
    for path in (WINHTTP, WINHTTP_WOW64):
        key = keys.require(path)
        value = key.value("DefaultSecureProtocols") if key.exists else None
        if value is not None and value.dword is not None and value.dword & WINHTTP_TLS12:
            continue
        got = "missing (OS default on this Windows: no TLS 1.2)" if value is None else str(value)
        problems.append(Problem(
            f"WinHTTP DefaultSecureProtocols is {got} under {path} on {system}; {reason}, and without the TLS 1.2 "
            "bit (0x800, KB3140245) WinHTTP clients cannot connect",
            fix=("Install KB3140245 (or a later cumulative update), then\n"
                 + _set(path, "DefaultSecureProtocols", WINHTTP_PAGE_VALUE) + "\nthen reboot."),
            evidence=f"{system}\n{key.describe()}"))
    return problems


def _net_framework_47(server: Host, keys: Registry, reason: str) -> list[Problem]:
    if server.role is Role.owas:
        return []  # the page's .NET 4.7 prerequisite is for Skype for Business servers, not Office Online Server
    installed = core_components(server.evidence)
    major = installed.version[0] if installed and installed.version else None
    sfb = major in (6, 7) if major is not None else server.product in (Product.sfb2015, Product.sfb2019)
    if not sfb:
        return []
    key = keys.require(NET_FRAMEWORK_SETUP)
    release = key.value("Release") if key.exists else None
    if release is not None and release.dword is not None and release.dword >= NET_47_RELEASE:
        return []
    version = key.value("Version") if key.exists else None
    got = f"Release {release.value!r}" + (f" (Version {version.value})" if version else "") if release else \
        "not installed (no Release value)"
    return [Problem(
        f".NET Framework 4.7 or later is required ({reason}); NDP\\v4\\Full shows {got}",
        fix=("Stop the services (Invoke-CsComputerFailover on an Enterprise pool, Stop-CsWindowsService on "
             "Standard Edition), install .NET Framework 4.7 or later (offline installer), reboot."),
        evidence=key.describe())]


def tls12_prerequisites(server: Host) -> list[Problem]:
    """TLS-04: .NET strong crypto and system-default TLS versions (4 keys), WinHTTP TLS 1.2 on 2008 R2/2012,
    .NET 4.7+ on SfB 2015/2019 — where TLS 1.0/1.1 is disabled or the policy requires TLS 1.2."""
    keys = registry(server.evidence)
    reason = why_needed(server, keys)
    if not reason:
        return []
    return (_net_values(keys, reason) + _winhttp(server, keys, reason)
            + _net_framework_47(server, keys, reason))
