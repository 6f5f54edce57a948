"""No requirement fails on evidence that differs from the clean lab only by Windows' own defaults: registry
values left absent where the OS default is what the lab sets (SendTrustedIssuerList 0 since 2012, TLS 1.2
enabled on 2016+, the SSL 2.0\\Client key setup creates, SCHANNEL EventLogging 1), the hosts file read from its
bytes only (RawContent), events without attached data, and servers without IPv6 link-local addresses."""

from __future__ import annotations

from typing import Any

from selftest.harness import run_lab
from sfbcheck.facts.registry import SCHANNEL, normalize_path
from sfbcheck.lab.model import Lab

DEFAULT_VALUES = {  # value absent = the OS default on Windows Server 2016/2019
    normalize_path(SCHANNEL).casefold(): {"sendtrustedissuerlist": 0, "eventlogging": 1},
    **{normalize_path(f"{SCHANNEL}\\Protocols\\TLS 1.2\\{side}").casefold(): {"enabled": 1, "disabledbydefault": 0}
       for side in ("Client", "Server")},
    normalize_path(f"{SCHANNEL}\\Protocols\\SSL 2.0\\Client").casefold(): {"disabledbydefault": 1},
}


def strip_defaults(key: dict[str, Any]) -> None:
    defaults = DEFAULT_VALUES.get(normalize_path(key["Path"]).casefold(), {})
    key["Values"] = [v for v in key.get("Values") or [] if defaults.get(v["Name"].casefold()) != v["Value"]]


def windows_defaults(lab: Lab) -> Lab:
    for document in lab.evidence.values():
        sections = document["Sections"]
        for key in sections.get("Registry") or []:
            strip_defaults(key)
        hosts = sections.get("HostsFile")
        if isinstance(hosts, dict) and "RawContent" in hosts:
            hosts.pop("Content", None)
        for event in sections.get("WinEvent") or []:
            event.pop("Properties", None)
        if isinstance(sections.get("NetIPAddress"), list):
            sections["NetIPAddress"] = [a for a in sections["NetIPAddress"]
                                        if not str(a.get("IPAddress", "")).lower().startswith("fe80:")]
    return lab


def test_windows_defaults_fail_nothing(clean_lab, tmp_path):
    lab = windows_defaults(clean_lab.copy())
    run = run_lab(lab, tmp_path)
    assert run.results and not run.failures and not run.errors, run.stdout[-3000:]
