"""OAuth with Exchange: the autodiscover URL the Storage Service uses, and its failures (event 32054).

Source: seed 003 (field notes, Exchange Online with Lync on-premises: https to a vanity autodiscover name that
is a CNAME to Office 365 is refused (connection refused, event 32054); http to the vanity name, which
redirects, works; or https://autodiscover-s.outlook.com directly), Microsoft cloud-consolidation docs.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sfbcheck.facts.events import recent
from sfbcheck.facts.federation import autodiscover_url, cname_chain
from sfbcheck.host import Host
from sfbcheck.problems import Problem

AUTODISCOVER_PATH = "/autodiscover/autodiscover.svc"
EXO_DIRECT = "autodiscover-s.outlook.com"
EXO_SUFFIXES = ("outlook.com", "office365.com", "outlook.office365.com")
STORAGE = "LS Storage Service"


def _exchange_online(name: str) -> bool:
    return any(name == s or name.endswith("." + s) for s in EXO_SUFFIXES)


def _set(url: str) -> str:
    return f'Set-CsOAuthConfiguration -Identity Global -ExchangeAutodiscoverUrl "{url}"'


def autodiscover_url_scheme(fe: Host) -> list[Problem]:
    """OAUTH-01: ExchangeAutodiscoverUrl ends in /autodiscover/autodiscover.svc; for Exchange Online (the host is,
    or is a CNAME to, Office 365) it is https://autodiscover-s.outlook.com/… or http:// to the vanity name;
    for on-premises Exchange it is https (003)."""
    url = autodiscover_url(fe.evidence)
    if not url:
        return [Problem("Get-CsOAuthConfiguration has no ExchangeAutodiscoverUrl: the Storage Service cannot find "
                        "Exchange (no meetings on mobile clients, event 32054)",
                        fix=_set(f"https://autodiscover.{fe.inventory.sip_domains[0].name}{AUTODISCOVER_PATH}"),
                        evidence="ExchangeAutodiscoverUrl (empty)")]
    parts = urlsplit(url)
    host, scheme = (parts.hostname or "").lower(), parts.scheme.lower()
    if not host or scheme not in ("http", "https"):
        return [Problem(f"ExchangeAutodiscoverUrl {url!r} is not an http(s) URL",
                        fix=_set(f"https://autodiscover.{fe.inventory.sip_domains[0].name}{AUTODISCOVER_PATH}"),
                        evidence=f"ExchangeAutodiscoverUrl {url}")]
    chain = cname_chain(fe.evidence, host)
    online = any(_exchange_online(name) for name in chain)
    shown = f"ExchangeAutodiscoverUrl {url}\nresolved on {fe.fqdn}: " + " -> ".join(chain)
    problems = []
    path_ok = parts.path.rstrip("/").lower() == AUTODISCOVER_PATH
    if online:
        if _exchange_online(host):
            good = f"https://{EXO_DIRECT}{AUTODISCOVER_PATH}"
            if host != EXO_DIRECT or scheme != "https" or not path_ok:
                problems.append(Problem(f"ExchangeAutodiscoverUrl points at Exchange Online as {url}; use "
                                        f"{good}", fix=_set(good), evidence=shown))
        elif scheme == "https":
            problems.append(Problem(
                f"ExchangeAutodiscoverUrl uses https to the vanity name {host}, a CNAME to Exchange Online "
                f"({chain[-1]}): Office 365 refuses it (event 32054, 'actively refused')",
                fix=f"{_set(f'http://{host}{AUTODISCOVER_PATH}')}\n  (http to the vanity name redirects)  or\n"
                    f"{_set(f'https://{EXO_DIRECT}{AUTODISCOVER_PATH}')}",
                evidence=shown))
        elif not path_ok:
            problems.append(Problem(f"ExchangeAutodiscoverUrl path is {parts.path or '/'}, not {AUTODISCOVER_PATH}",
                                    fix=_set(f"http://{host}{AUTODISCOVER_PATH}"), evidence=shown))
    elif scheme != "https" or not path_ok:
        what = "uses http to on-premises Exchange" if scheme != "https" else f"path is {parts.path or '/'}"
        problems.append(Problem(f"ExchangeAutodiscoverUrl {what}; on-premises Exchange needs "
                                f"https://{host}{AUTODISCOVER_PATH}",
                                fix=_set(f"https://{host}{AUTODISCOVER_PATH}"), evidence=shown))
    return problems


_URI = re.compile(r"Autodiscover Uri=([^,\s]*)", re.I)


def storage_autodiscover_events(fe: Host) -> list[Problem]:
    """OAUTH-02: no LS Storage Service event 32054 (EWS autodiscovery failure) in the lookback window (003)."""
    found = recent(fe.evidence, STORAGE, {32054}, fe.inventory.policy.event_lookback_hours)
    problems = []
    for event in found:
        uri = _URI.search(event.message)
        problems.append(Problem(
            f"event 32054 at {event.time.isoformat(timespec='seconds')}: the Storage Service failed EWS "
            f"autodiscovery (Autodiscover Uri={uri.group(1) if uri and uri.group(1) else '(empty)'})",
            fix=("Check Get-CsOAuthConfiguration ExchangeAutodiscoverUrl (OAUTH-01: http to a vanity name that is a "
                 "CNAME to Office 365, https for on-premises Exchange), then\n"
                 "Test-CsExStorageConnectivity -SipUri <user> -Verbose"),
            evidence=event.message.strip()))
    return problems
