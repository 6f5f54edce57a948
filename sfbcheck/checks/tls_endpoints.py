"""TLS protocol versions of the reverse proxy publishing the external web services (TLS-02).

Source: seed 003: disabling TLS 1.0 on the reverse proxy broke Exchange Online meeting scheduling, the
Lync Connectivity Analyzer and web service calls of Lync clients, which used TLS 1.0; re-enabling it fixed
them. The inventory's policy names the versions the proxy must accept; the runner tries each in turn.
"""

from __future__ import annotations

from sfbcheck.facts.probes import Runner, tls_version_probes
from sfbcheck.inventory import ReverseProxy
from sfbcheck.problems import Problem

SCHANNEL_PROTOCOLS = r"HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols"
SCHANNEL_NAMES = {"TLSv1": "TLS 1.0", "TLSv1.1": "TLS 1.1", "TLSv1.2": "TLS 1.2", "TLSv1.3": "TLS 1.3"}


def _schannel(version: str, enabled: bool) -> str:
    key = rf"{SCHANNEL_PROTOCOLS}\{SCHANNEL_NAMES[version]}\Server"
    return (f"New-Item '{key}' -Force | Out-Null; Set-ItemProperty '{key}' -Name Enabled -Value {int(enabled)} "
            f"-Type DWord; Set-ItemProperty '{key}' -Name DisabledByDefault -Value {int(not enabled)} -Type DWord")


def reverse_proxy_versions(proxy: ReverseProxy, runner: Runner) -> list[Problem]:
    """TLS-02: the reverse proxy accepts exactly the TLS versions the policy names (003)."""
    probes = [p for p in tls_version_probes(runner.evidence)
              if p.computer_name.lower() == proxy.host.lower() and p.port == proxy.port]
    where = f"{proxy.host}:{proxy.port}"
    if not probes:
        return [Problem(f"no TLS version probe of the reverse proxy {where} in the runner's evidence",
                        fix="Run the runner probes: pytest --probe, or python -m sfbcheck.probes --inventory FILE",
                        evidence="(no TlsVersionProbe entry)")]
    shown = "\n".join(f"{p.version}: {'accepted' if p.accepted else 'refused'}"
                      + (f" ({p.error})" if p.error else "") for p in probes)
    if not any(p.accepted for p in probes) and all(p.error.startswith(("cannot connect", "no answer"))
                                                 for p in probes):
        return [Problem(f"the runner could not reach the reverse proxy {where}: {probes[0].error}",
                        fix=f"Run the probes from a machine that reaches {where} (outside the perimeter, as clients "
                            "and Exchange Online do), or correct reverse_proxy in the inventory.", evidence=shown)]
    wanted = set(runner.inventory.policy.reverse_proxy_tls_versions)
    accepted = {p.version for p in probes if p.accepted}
    probed = {p.version for p in probes}
    problems = []
    refused = sorted(wanted - accepted)
    if refused:
        names = ", ".join(SCHANNEL_NAMES[v] for v in refused)
        problems.append(Problem(
            f"the reverse proxy {where} refuses {names}, which the policy requires: clients and services that "
            "still use it (Exchange Online meeting scheduling, the Lync Connectivity Analyzer, web service calls "
            "of Lync clients) cannot connect",
            fix="On the reverse proxy, enable " + names + " (then reboot):\n"
                + "\n".join(_schannel(v, True) for v in refused),
            evidence=shown))
    extra = sorted((accepted - wanted) & probed)
    if extra:
        names = ", ".join(SCHANNEL_NAMES[v] for v in extra)
        problems.append(Problem(
            f"the reverse proxy {where} accepts {names}, which the policy does not allow",
            fix="Disable " + names + " on the reverse proxy (or allow it in policy.reverse_proxy_tls_versions), "
                "then reboot:\n" + "\n".join(_schannel(v, False) for v in extra),
            evidence=shown))
    return problems
