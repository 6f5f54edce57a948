"""TLS-01: TLS 1.0/1.1 may be disabled under SCHANNEL\\Protocols only on a product version that supports it
(SfB Server 2015 CU9 6.0.9319.548, SfB Server 2019 CU1 7.0.2046.123; never Lync Server 2013), and only with
.NET strong cryptography (SchUseStrongCrypto = 1, 64- and 32-bit).

Sources: seed 003 (disabling TLS 1.0 broke web services; Microsoft said it was not supported), Microsoft
"Disable TLS 1.0/1.1 in Skype for Business Server 2015/2019".
"""

from __future__ import annotations

from dataclasses import dataclass

from sfbcheck.errors import EvidenceGap
from sfbcheck.facts.registry import NET_FRAMEWORK, NET_FRAMEWORK_WOW64, SCHANNEL, Registry, registry
from sfbcheck.facts.system import Version, core_components, show_version
from sfbcheck.host import Host
from sfbcheck.problems import Problem

PROTOCOLS = ("TLS 1.0", "TLS 1.1")
SIDES = ("Client", "Server")
# major version -> (product, minimum build that supports TLS 1.0/1.1 disabled; None = never)
MINIMUMS: dict[int, tuple[str, Version | None]] = {
    5: ("Lync Server 2013", None),
    6: ("Skype for Business Server 2015", (6, 0, 9319, 548)),
    7: ("Skype for Business Server 2019", (7, 0, 2046, 123)),
}
PRODUCT_MAJOR = {"lync2013": 5, "sfb2015": 6, "sfb2019": 7}
UPDATE_NAMES = {6: "CU9", 7: "CU1"}


@dataclass(frozen=True)
class DisabledSide:
    protocol: str
    side: str
    how: str

    def __str__(self) -> str:
        return f"{self.protocol} {self.side} ({self.how})"


def protocol_path(protocol: str, side: str) -> str:
    return f"{SCHANNEL}\\Protocols\\{protocol}\\{side}"


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
    paths = sorted({f"HKLM:{protocol_path(d.protocol, d.side).removeprefix('HKLM')}" for d in disabled})
    return ("or re-enable TLS 1.0/1.1 until then:\n"
            + "\n".join(f"Remove-ItemProperty -Path '{p}' -Name Enabled,DisabledByDefault -ErrorAction SilentlyContinue"
                        for p in paths)
            + "\nand reboot.")


def strong_crypto(server: Host) -> list[Problem]:
    keys = registry(server.evidence)
    problems = []
    for path in (NET_FRAMEWORK, NET_FRAMEWORK_WOW64):
        key = keys.require(path)
        value = key.value("SchUseStrongCrypto") if key.exists else None
        if value is None or value.dword != 1:
            got = "missing" if value is None else str(value)
            problems.append(Problem(
                f".NET SchUseStrongCrypto is {got} under {path}: with TLS 1.0/1.1 disabled, .NET 4 web services "
                "(and the management shell) cannot negotiate TLS 1.2",
                fix=(f"New-ItemProperty -Path 'HKLM:{path.removeprefix('HKLM')}' -Name SchUseStrongCrypto "
                     "-PropertyType DWord -Value 1 -Force\nthen reboot."),
                evidence=key.describe()))
    return problems


def tls_disable_supported(server: Host) -> list[Problem]:
    """TLS-01: TLS 1.0/1.1 disabled only on a supported product version, with .NET SchUseStrongCrypto = 1."""
    keys = registry(server.evidence)
    disabled = disabled_sides(keys)
    if not disabled:
        return []
    shown = "; ".join(str(d) for d in disabled)
    installed = core_components(server.evidence)
    if installed is None or installed.version is None:
        raise EvidenceGap(server.fqdn, "InstalledProducts", "has no Lync/Skype for Business Server Core Components "
                                                           "entry, so the product version cannot be judged")
    version = installed.version
    major = version[0]
    product, minimum = MINIMUMS.get(major, (installed.name, None))
    evidence = f"disabled: {shown}\ninstalled: {installed.name} {installed.raw_version}"
    expected_major = PRODUCT_MAJOR.get(server.inventory.product.value)
    if expected_major is not None and expected_major != major:
        evidence += f"\n(the inventory says {server.inventory.product.value}; judged by the installed version)"
    problems = []
    if minimum is None:
        problems.append(Problem(
            f"TLS 1.0/1.1 is disabled ({shown}) on {product} {show_version(version)}, which never supports it: "
            "unsupported, breaks web services and server-to-server connections",
            fix="Re-enable TLS 1.0 and 1.1 (" + _reenable_fix(disabled).removeprefix("or ") + ")",
            evidence=evidence))
    elif version < minimum:
        problems.append(Problem(
            f"TLS 1.0/1.1 is disabled ({shown}) on {product} {show_version(version)}, below the minimum "
            f"{show_version(minimum)} ({UPDATE_NAMES.get(major, 'the update')}) that supports it: unsupported, "
            "breaks web services",
            fix=(f"Install the latest cumulative update (at least {show_version(minimum)}) with the SfB Server "
                 f"update installer, then Install-CsDatabase -Update on the back ends; {_reenable_fix(disabled)}"),
            evidence=evidence))
    return problems + strong_crypto(server)
