"""Probes run from the runner (the machine running pytest): DNS, TLS versions, layer-7 interception.

``run_runner_probes(inventory, out_dir)`` asks every DNS question the checks need (``probes.dns.plan``)
of the inventory's internal and external DNS servers, probes each Edge's internal 443 for an HTTP
answer (EDGE-FW-04) and the reverse proxy's TLS versions (TLS-02), and writes the results as
``runner.json`` (the evidence envelope with ``"Server": "runner"``), so the snapshot can be judged again
later without the network. Command line: ``python -m sfbcheck.probes --inventory FILE --out DIR``;
pytest: ``--probe``. Independent of the WinRM collection of the servers' own evidence.

Probes run from the CMS Front End (TCP 443/4443/445/5061/5062/8057 and the certificate on Edge 4443)
are collected on that server by the collector (``TcpProbe``, ``TlsProbe``); ``probes.tcp.net_connection`` and
``probes.tls.presented_chain`` produce the same records from Python.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sfbcheck import atomic
from sfbcheck.evidence import RUNNER_FILE, SCHEMA_VERSION
from sfbcheck.integrity import seal
from sfbcheck.inventory import Inventory, Role

PROBE_VERSION = "1.0.0"
LOOPBACK_ONLY_ENV = "SFBCHECK_PROBE_LOOPBACK_ONLY"
Redirect = Mapping[tuple[str, int], tuple[str, int]]


class ProbeRefused(OSError):
    """A probe was about to leave the loopback network while loopback-only mode is on (the self-tests)."""


def refuse_unless_allowed(address: str) -> None:
    """In loopback-only mode (environment SFBCHECK_PROBE_LOOPBACK_ONLY=1) refuse any non-loopback address."""
    if os.environ.get(LOOPBACK_ONLY_ENV) != "1":
        return
    try:
        loopback = ipaddress.ip_address(address).is_loopback
    except ValueError:
        loopback = address == "localhost"
    if not loopback:
        raise ProbeRefused(f"refused to contact {address}: {LOOPBACK_ONLY_ENV}=1 allows 127.0.0.0/8 and ::1 only")


@dataclass(frozen=True)
class Endpoint:
    """What a probe is about (``name``: the Edge FQDN or the reverse proxy host) and where it connects."""

    name: str
    address: str
    port: int
    server_name: str | None = None

    def via(self, redirect: Redirect | None) -> tuple[str, int]:
        return (redirect or {}).get((self.address, self.port), (self.address, self.port))


def edge_endpoints(inventory: Inventory) -> list[Endpoint]:
    """Each Edge internal IP on 443, with the Edge pool FQDN as TLS server name (what a client asks for)."""
    return [Endpoint(s.fqdn, str(s.ip), 443, s.pool.fqdn) for s in inventory.servers(Role.edge)]


def reverse_proxy_endpoint(inventory: Inventory) -> Endpoint | None:
    rp = inventory.reverse_proxy
    if rp is None:
        return None
    return Endpoint(rp.host, rp.host, rp.port, rp.server_name or rp.host)


def designated(record: dict[str, Any], endpoint: Endpoint, via: tuple[str, int]) -> dict[str, Any]:
    """Report the designated target; say so when a test seam (a port forward) carried the connection."""
    record["RemoteAddress"], record["RemotePort"] = endpoint.address, endpoint.port
    if via != (endpoint.address, endpoint.port):
        record["ConnectedVia"] = f"{via[0]}:{via[1]}"
    return record


def probe_dns(inventory: Inventory) -> list[dict[str, Any]]:
    from sfbcheck.probes import dns as dnsprobe

    jobs = []
    for question in dnsprobe.plan(inventory):
        servers, port = dnsprobe.servers_of(inventory, question.view)
        jobs += [(server, port, question) for server in servers]
    timeout = inventory.policy.dns_timeout_seconds
    with ThreadPoolExecutor(max_workers=inventory.policy.live_concurrency) as pool:
        return list(pool.map(lambda job: dnsprobe.query(job[0], job[1], job[2], timeout), jobs))


def probe_http(inventory: Inventory, redirect: Redirect | None = None) -> list[dict[str, Any]]:
    from sfbcheck.probes.http import probe_interception

    timeout = inventory.policy.probe_timeout_seconds

    def one(endpoint: Endpoint) -> dict[str, Any]:
        via = endpoint.via(redirect)
        record = probe_interception(endpoint.name, via[0], via[1], timeout, endpoint.server_name)
        return designated(record, endpoint, via)

    with ThreadPoolExecutor(max_workers=inventory.policy.live_concurrency) as pool:
        return list(pool.map(one, edge_endpoints(inventory)))


def probe_tls_versions(inventory: Inventory, redirect: Redirect | None = None) -> list[dict[str, Any]]:
    from sfbcheck.probes.tls import probe_versions

    endpoint = reverse_proxy_endpoint(inventory)
    if endpoint is None:
        return []
    via = endpoint.via(redirect)
    records = probe_versions(endpoint.name, via[0], via[1], endpoint.server_name,
                             inventory.policy.probe_timeout_seconds)
    return [designated(r, endpoint, via) for r in records]


def runner_document(inventory: Inventory, redirect: Redirect | None = None,
                    now: datetime | None = None) -> dict[str, Any]:
    """Run every runner probe; the runner's evidence document."""
    sections: dict[str, Any] = {
        "DnsQuery": probe_dns(inventory),
        "HttpProbe": probe_http(inventory, redirect),
        "TlsVersionProbe": probe_tls_versions(inventory, redirect),
    }
    return {"SchemaVersion": SCHEMA_VERSION, "Server": "runner",
            "CollectedAt": (now or datetime.now(UTC)).replace(microsecond=0).isoformat(),
            "CollectorVersion": f"sfbcheck-probes {PROBE_VERSION}", "Sections": sections}


def run_runner_probes(inventory: Inventory, out_dir: Path, redirect: Redirect | None = None) -> Path:
    """Probe from here and write ``out_dir/runner.json``; returns its path."""
    document = runner_document(inventory, redirect)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / RUNNER_FILE
    atomic.write_text(path, seal(document))
    return path
