"""Faults of the legacy Lync Server 2013 server kept beside the SfB pools (coexistence during a migration):
lync01.contoso.local, a Lync Server 2013 Standard Edition server on Windows Server 2012 R2 (SCHANNEL-04, TLS-01)."""

from __future__ import annotations

from datetime import timedelta

from sfbcheck.facts.registry import NET_FRAMEWORK, NET_FRAMEWORK_2, NET_FRAMEWORK_2_WOW64, NET_FRAMEWORK_WOW64, SCHANNEL
from sfbcheck.lab.faults import fault
from sfbcheck.lab.faults.host import set_registry_value
from sfbcheck.lab.model import Lab
from sfbcheck.lab.sections.host import protocol_keys

LYNC1 = "lync01.contoso.local"


@fault("lync01-session-ticket-missing", "SCHANNEL-04", LYNC1,
       "EnableSessionTicket was never set on the Lync Server 2013 Front End on Windows Server 2012 R2 (TLS session "
       "tickets stay on: events 32402/61045, users cannot sign in)")
def session_ticket_missing(lab: Lab) -> None:
    set_registry_value(lab, LYNC1, SCHANNEL, "EnableSessionTicket", None)


@fault("lync01-tls10-disabled", "TLS-01", LYNC1,
       "the TLS hardening baseline of the SfB 2019 pools (TLS 1.0/1.1 off, .NET strong crypto on) was also applied "
       "to the Lync Server 2013 Front End, where Microsoft supports it on the Edge role only (Windows Fabric 1.0)")
def tls10_disabled(lab: Lab) -> None:
    keys = lab.sections(LYNC1)["Registry"]
    protocols = f"{SCHANNEL}\\Protocols\\".removeprefix("HKLM").casefold()
    written = lab.now - timedelta(days=30)  # before the last boot: no SCHANNEL-03 reboot pending
    keys[:] = [k for k in keys if protocols not in k["Path"].casefold()] + protocol_keys(True, written)
    for path in (NET_FRAMEWORK, NET_FRAMEWORK_WOW64, NET_FRAMEWORK_2, NET_FRAMEWORK_2_WOW64):
        for name in ("SchUseStrongCrypto", "SystemDefaultTlsVersions"):
            set_registry_value(lab, LYNC1, path, name, "DWord", 1)
