"""SCHANNEL\\Protocols: TLS 1.0/1.1 disabled only where Microsoft supports it (TLS-01), and SSL 2.0/3.0 disabled
(TLS-03).

TLS-01 follows Microsoft "Disable TLS 1.0/1.1 in Skype for Business Server 2015" (learn.microsoft.com
skypeforbusiness/manage/topology/disable-tls-1.0-1.1), "Supportability Scope" exactly:
- Skype for Business Server 2019 CU1 (7.0.2046.123) or higher;
- Skype for Business Server 2015 CU9 (6.0.9319.548) or higher on Windows Server 2012 (with KB3140245), 2012 R2
  or 2016; on Windows Server 2008 R2 only when the server was upgraded in place from Lync Server 2013;
- Lync Server 2013 **Edge role only** (the Edge has no dependency on Windows Fabric 1.0);
- out of scope: Lync Server 2013 other roles, Lync Server 2010, Windows Server 2008 or lower.
The page's other prerequisites (.NET strong crypto, WinHTTP, .NET 4.7) are TLS-04 (``tls_prerequisites``).
Seed 003: disabling TLS 1.0 broke web services; Microsoft said it was not supported.

TLS-03: SSL 2.0 and SSL 3.0 disabled for Client and Server (the page's TLSDisable.reg sets Enabled = 0 for both;
OPD RDCheckSSLSettings reads the same keys). An absent Enabled value means the OS default, which the check
states: Microsoft "Protocols in TLS/SSL (Schannel SSP)": SSL 2.0 is not supported from Windows Server 2016 (10.0)
and SSL 3.0 is disabled by default there; up to Windows Server 2012 R2 the SSL 2.0 server side and SSL 3.0 are
enabled by default (the SSL 2.0 client side is disabled by default).
"""

from __future__ import annotations

from dataclasses import dataclass

from sfbcheck.errors import EvidenceGap
from sfbcheck.facts.registry import SCHANNEL, Registry, RegistryKey, registry
from sfbcheck.facts.system import (
    WINDOWS_2008_R2,
    WINDOWS_2012,
    WINDOWS_2016,
    OperatingSystem,
    Version,
    core_components,
    operating_system,
    show_version,
)
from sfbcheck.host import Host
from sfbcheck.inventory import Role
from sfbcheck.problems import Problem

PROTOCOLS = ("TLS 1.0", "TLS 1.1")
SSL_PROTOCOLS = ("SSL 2.0", "SSL 3.0")
SIDES = ("Client", "Server")
PAGE = 'Microsoft "Disable TLS 1.0/1.1 in Skype for Business Server 2015", Supportability Scope'
# major version -> (product, minimum build with TLS 1.0/1.1 disable support; None = never, except as noted)
MINIMUMS: dict[int, tuple[str, Version | None]] = {
    4: ("Lync Server 2010", None),
    5: ("Lync Server 2013", None),
    6: ("Skype for Business Server 2015", (6, 0, 9319, 548)),
    7: ("Skype for Business Server 2019", (7, 0, 2046, 123)),
}
PRODUCT_MAJOR = {"lync2013": 5, "sfb2015": 6, "sfb2019": 7}
UPDATE_NAMES = {6: "CU9", 7: "CU1"}
IN_PLACE_ONLY = ("on {system} it is supported only for a Skype for Business Server 2015 upgraded in place from Lync "
                 "Server 2013 (new installations need Windows Server 2012 or later): the evidence cannot tell, so "
                 "this is a warning; if the server was not upgraded in place it is unsupported")


@dataclass(frozen=True)
class DisabledSide:
    protocol: str
    side: str
    how: str

    def __str__(self) -> str:
        return f"{self.protocol} {self.side} ({self.how})"


def protocol_path(protocol: str, side: str) -> str:
    return f"{SCHANNEL}\\Protocols\\{protocol}\\{side}"


def ps_path(path: str) -> str:
    return "HKLM:" + path.removeprefix("HKLM")


def disabled_sides(keys: Registry) -> list[DisabledSide]:
    """TLS 1.0/1.1 Client/Server keys whose Enabled is DWORD 0 or DisabledByDefault is DWORD 1."""
    out = []
    for protocol in PROTOCOLS:
        for side in SIDES:
            key = keys.require(protocol_path(protocol, side))
            if not key.exists:
                continue
            enabled, by_default = key.value("Enabled"), key.value("DisabledByDefault")
            how = []
            if enabled is not None and enabled.dword == 0:
                how.append("Enabled = 0")
            if by_default is not None and by_default.dword not in (None, 0):
                how.append("DisabledByDefault = 1")
            if how:
                out.append(DisabledSide(protocol, side, ", ".join(how)))
    return out


def _reenable_fix(disabled: list[DisabledSide]) -> str:
    paths = sorted({ps_path(protocol_path(d.protocol, d.side)) for d in disabled})
    return ("re-enable TLS 1.0/1.1 (restore the registry exported before, or):\n"
            + "\n".join(f"Remove-ItemProperty -Path '{p}' -Name Enabled,DisabledByDefault -ErrorAction SilentlyContinue"
                        for p in paths)
            + "\nand reboot.")


def _scope_problem(server: Host, system: OperatingSystem, installed: Version, name: str) -> str:
    """Why the page does not support TLS 1.0/1.1 disabled here ('' if it does)."""
    major = installed[0]
    product, minimum = MINIMUMS.get(major, (name, None))
    if major == 5:
        if server.role is Role.edge:
            return ""  # "Lync Server 2013 Edge Role Only": the Edge does not depend on Windows Fabric 1.0
        return (f"{product} supports TLS 1.0/1.1 disabled on the Edge role only (Windows Fabric 1.0, which every "
                f"other role uses, does not support TLS 1.2); this server is a {server.role.value}")
    if minimum is None:
        return f"{product} is out of scope: it does not work with TLS 1.0/1.1 disabled"
    if installed < minimum:
        return (f"{product} {show_version(installed)} is below {show_version(minimum)} "
                f"({UPDATE_NAMES.get(major, 'the update')}), the first build that supports it")
    if major == 6 and not system.at_least(WINDOWS_2008_R2):
        return f"{system} is out of scope (Windows Server 2008 or lower)"
    if major == 6 and not system.at_least(WINDOWS_2012):
        return IN_PLACE_ONLY.format(system=system)
    return ""


def tls_disable_supported(server: Host) -> list[Problem]:
    """TLS-01: TLS 1.0/1.1 disabled only where the page supports it, per product, version, role and OS."""
    keys = registry(server.evidence)
    disabled = disabled_sides(keys)
    if not disabled:
        return []
    shown = "; ".join(str(d) for d in disabled)
    installed = core_components(server.evidence)
    if installed is None or installed.version is None:
        raise EvidenceGap(server.fqdn, "InstalledProducts", "has no Lync/Skype for Business Server Core Components "
                                                           "entry, so the product version cannot be judged")
    system = operating_system(server.evidence)
    why = _scope_problem(server, system, installed.version, installed.name)
    if not why:
        return []
    evidence = (f"disabled: {shown}\ninstalled: {installed.name} {installed.raw_version}\nrole: "
                f"{server.role.value}\n{system}\nsource: {PAGE}")
    expected_major = PRODUCT_MAJOR.get(server.product.value)
    if expected_major is not None and expected_major != installed.version[0]:
        evidence += (f"\n(the inventory says {server.pool.fqdn} runs {server.product.value}; judged by the installed "
                     "version)")
    major = installed.version[0]
    minimum = MINIMUMS.get(major, ("", None))[1]
    upgrade = ""
    if minimum is not None and installed.version < minimum:
        upgrade = (f"Install the latest cumulative update (at least {show_version(minimum)}) with the SfB Server "
                   "update installer, then Install-CsDatabase -Update on the back ends; or ")
    in_place = why == IN_PLACE_ONLY.format(system=system)
    return [Problem(f"TLS 1.0/1.1 is disabled ({shown}) where Microsoft does not support it: {why}. Unsupported: "
                    "web services and server-to-server connections break",
                    fix=upgrade + _reenable_fix(disabled), evidence=evidence, warning=in_place)]


# -- TLS-03 -----------------------------------------------------------------------------------------------------
def os_default_enabled(protocol: str, side: str, system: OperatingSystem) -> tuple[bool, str]:
    """Whether SCHANNEL uses ``protocol`` on ``side`` when its Enabled value is absent, and how to say so."""
    if system.at_least(WINDOWS_2016):
        if protocol == "SSL 2.0":
            return False, f"OS default on {system}: SSL 2.0 is not supported"
        return False, f"OS default on {system}: SSL 3.0 is disabled"
    if protocol == "SSL 2.0" and side == "Client":
        return False, f"OS default on {system}: the SSL 2.0 client side is disabled"
    return True, f"OS default on {system}: {protocol} {side} is enabled"


def _ssl_side(key: RegistryKey, protocol: str, side: str, system: OperatingSystem) -> str:
    """Why ``protocol`` is usable on ``side`` ('' if it is disabled)."""
    enabled = key.value("Enabled") if key.exists else None
    if enabled is not None:
        if enabled.kind == "DWord" and enabled.dword == 0:
            return ""
        if enabled.kind != "DWord":
            return f"Enabled is {enabled.reg_type} {enabled.value!r}, not REG_DWORD 0 (SCHANNEL ignores it)"
        return f"Enabled = {enabled.value:#x}"
    on, said = os_default_enabled(protocol, side, system)
    return f"no Enabled value ({said})" if on else ""


def ssl_disabled(server: Host) -> list[Problem]:
    """TLS-03: SSL 2.0 and 3.0 are disabled for Client and Server (absent = the OS default, stated)."""
    keys = registry(server.evidence)
    system = operating_system(server.evidence)
    problems = []
    for protocol in SSL_PROTOCOLS:
        for side in SIDES:
            path = protocol_path(protocol, side)
            key = keys.require(path)
            why = _ssl_side(key, protocol, side, system)
            if why:
                problems.append(Problem(
                    f"{protocol} {side} is usable: {why}",
                    fix=(f"New-Item -Path '{ps_path(path)}' -Force | Out-Null\n"
                         f"New-ItemProperty -Path '{ps_path(path)}' -Name Enabled -PropertyType DWord -Value 0 -Force\n"
                         f"New-ItemProperty -Path '{ps_path(path)}' -Name DisabledByDefault -PropertyType DWord "
                         "-Value 1 -Force\nthen reboot (SCHANNEL reads it at boot)."),
                    evidence=f"{system}\n{key.describe()}"))
    return problems
