"""EVT-01: no Access Edge certificate event (12303 LS Server; 14694, 14397 LS Protocol Stack) in the lookback
window; a certificate serial number an event quotes is decoded (it is byte-reversed) and matched to the
certificate stores, and the failure names that certificate, or says none matches.

Source: seed 002 (Access Edge would not start after a CU; the events' serial number "didn't match anything on
the server" until read backwards octet by octet; the fix was re-applying NETWORK SERVICE as the service's
log-on account; commenters fixed the same events by importing the intermediate CA). The serial is in the event's
attached data (the Details tab), which the collector keeps as ``Properties``.
"""

from __future__ import annotations

from sfbcheck.facts.certificates import stores
from sfbcheck.facts.events import Event, recent
from sfbcheck.facts.serials import attached_serials, match_serial, reverse_octets, serials_in
from sfbcheck.host import Host
from sfbcheck.problems import Problem

WATCHED = {"LS Server": frozenset({12303}), "LS Protocol Stack": frozenset({14694, 14397})}

FIX = ("Check the certificate the event names: Get-CsCertificate (it must be assigned), certlm.msc → it is valid, "
       "its chain is complete (the issuing intermediate in Intermediate Certification Authorities) and 'Manage "
       "Private Keys' grants NETWORK SERVICE read. If all of that is right (seed 002), re-apply the Access Edge "
       "log-on account: services.msc → Skype for Business Server Access Edge (RTCSRV) → Log On → This account: "
       "NT AUTHORITY\\NETWORK SERVICE, clear both password fields, OK; then Start-CsWindowsService.")


def _explain(event: Event, edge: Host) -> str:
    """The certificate the event's serial names: from its attached data (the Details tab, where Lync puts it)
    and, should a message quote one, from the message."""
    attached = attached_serials(event.properties)
    quoted = [s for s in serials_in(event.message) if s not in attached]
    if not attached and not quoted:
        return "the event carries no certificate serial number (neither in its attached data nor its message)"
    certificates = [c for entries in stores(edge.evidence).values() for c in entries]
    parts = []
    unmatched = []
    for serial in attached + quoted:
        matches = match_serial(serial, certificates)
        if matches:
            parts += [("attached data: " if serial in attached else "") + m.describe() for m in matches]
        else:
            unmatched.append(serial)
    for serial in unmatched:
        parts.append(f"serial {serial} ({'attached data' if serial in attached else 'message'}) matches no "
                     f"certificate in LocalMachine My, Root or CA, neither byte-reversed ({reverse_octets(serial)}) "
                     "nor as quoted")
    return "; ".join(parts)


def no_certificate_events(edge: Host) -> list[Problem]:
    """EVT-01: no event 12303 (LS Server), 14694 or 14397 (LS Protocol Stack) within the policy lookback (002)."""
    hours = edge.inventory.policy.event_lookback_hours
    found = [e for provider, ids in WATCHED.items() for e in recent(edge.evidence, provider, ids, hours)]
    return [Problem(f"event {e.id} ({e.provider}) at {e.time.isoformat(timespec='seconds')}, within the last "
                    f"{hours} h: {_explain(e, edge)}", fix=FIX, evidence=_shown(e))
            for e in sorted(found, key=lambda e: e.time)]


def _shown(event: Event) -> str:
    data = "\n".join(f"  [{i}] {v}" for i, v in enumerate(event.properties))
    return event.message.strip() + (f"\nattached data (Details tab):\n{data}" if data else "")
