"""Collect evidence from the inventory's servers over WinRM, concurrently, into a snapshot directory.

``capture(inventory, out_dir)`` runs the collector (``collector/Collect-SfbEvidence.ps1``) on every server whose
``connection.method`` is ``winrm`` (at most ``policy.live_concurrency`` at a time), writes ``<fqdn>.json`` for
each, and copies what a snapshot also needs from the inventory's own evidence directory: the JSON of servers
collected by hand (``connection.method: file``) and ``runner.json``. A server that cannot be collected gets a
``<fqdn>.json`` holding only ``CollectionError`` (the reason), which the suite reports as that server's one
error (:func:`sfbcheck.evidence.load_document`); the other servers are unaffected.
"""

from __future__ import annotations

import base64
import binascii
import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sfbcheck import atomic, integrity, resources
from sfbcheck.errors import EvidenceError
from sfbcheck.evidence import RUNNER_FILE, SCHEMA_VERSION, evidence_path
from sfbcheck.integrity import seal
from sfbcheck.inventory import Inventory, Role, Server
from sfbcheck.live.transport import TransportError, WinRMSession, credentials_for, settings_for
from sfbcheck.probes.dns import OFFICE365_FEDERATION
from sfbcheck.text import printable

COLLECTOR = resources.collector_script()
EDGE_PORTS_FROM_NEXT_HOP = (5061, 5062, 8057)
EDGE_REPLICATION_PORT = 4443
Progress = Callable[[str], None]


@dataclass
class Outcome:
    server: str
    status: str  # collected, failed, by hand, missing
    detail: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in ("collected", "by hand")


def collector_script() -> str:
    return COLLECTOR.read_text(encoding="utf-8-sig")


def roles_of(inventory: Inventory, server: Server) -> list[str]:
    roles = [server.role.value]
    if server.fqdn == inventory.cms_master.fqdn:
        roles.append("cms")
    return roles


def probe_targets(inventory: Inventory, server: Server) -> list[str]:
    """host:port pairs the collector connects to from this server (``tls:`` records the presented chain).

    As docs/evidence.md (``TcpProbe``, ``TlsProbe``) describes: the CMS master probes every Edge's internal IP
    on 4443 and 443 (and the TLS handshake on 4443) and every other internal server on 445; each Front End
    of an Edge pool's next-hop pool probes that pool's Edges on 5061, 5062 and 8057.
    """
    targets: list[str] = []
    internal = (Role.frontend, Role.director, Role.mediation)
    if server.fqdn == inventory.cms_master.fqdn:
        for edge in inventory.servers(Role.edge):
            targets += [f"{edge.ip}:{EDGE_REPLICATION_PORT}", f"{edge.ip}:443"]
        targets += [f"{other.ip}:445" for other in inventory.servers() if other.role in internal
                    and other.fqdn != server.fqdn]
        targets += [f"tls:{edge.ip}:{EDGE_REPLICATION_PORT}" for edge in inventory.servers(Role.edge)]
    for edge in inventory.servers(Role.edge):
        if edge.pool.next_hop == server.pool.fqdn:
            targets += [f"{edge.ip}:{port}" for port in EDGE_PORTS_FROM_NEXT_HOP]
    if server.role is Role.edge and server.pool.next_hop:  # EDGE-FW-05: the Edge's half of the internal path
        targets += [f"{member.ip}:5061" for member in inventory.pool(server.pool.next_hop).members]
    return list(dict.fromkeys(targets))


def resolve_names(inventory: Inventory, server: Server) -> list[str]:
    """FQDNs this server resolves (``ResolveDnsName``): what its role's checks judge, so the list grows with the
    server's neighbourhood, not with the deployment (every name from every server was 749 lookups each at 500
    servers). An Edge: its next-hop pool, that pool's members and the other Edges of its pool (EDGE-DNS-01,
    sfbcheck.checks.edge_dns.names_to_resolve) and its Access Edge FQDN; any other server: its own pool and the
    pool's members, and the Edges whose next hop that pool is."""
    from sfbcheck.checks.edge_dns import names_to_resolve

    if server.role is Role.edge:
        names = [name.fqdn for name in names_to_resolve(inventory, server)]
        if server.pool.access_edge_fqdn:
            names.append(server.pool.access_edge_fqdn)
    else:
        names = [server.pool.fqdn, *(m.fqdn for m in server.pool.members)]
        names += [edge.fqdn for edge in inventory.servers(Role.edge) if edge.pool.next_hop == server.pool.fqdn]
    return list(dict.fromkeys(names))


def federation_lookups(inventory: Inventory, server: Server) -> list[str]:
    """``<type>:<name>`` lookups an Edge runs for federation (EDGE-DNS-05): sipfed.online.lync.com (A) and every
    federation partner's federation SRV record."""
    if server.role is not Role.edge:
        return []
    return [f"A:{OFFICE365_FEDERATION}"] + [f"SRV:_sipfederationtls._tcp.{p.domain.lower()}"
                                             for p in inventory.federation_partners]


def collector_parameters(inventory: Inventory, server: Server) -> dict[str, Any]:
    return {"Roles": roles_of(inventory, server), "LookbackHours": inventory.policy.event_lookback_hours,
            "ProbeTargets": probe_targets(inventory, server), "ResolveNames": resolve_names(inventory, server),
            "FederationLookups": federation_lookups(inventory, server),
            "ProbeTimeoutSeconds": int(max(1, inventory.policy.probe_timeout_seconds)),
            "ProbeConcurrency": inventory.policy.probe_concurrency,
            "PoolFqdn": server.pool.fqdn, "AsBase64": True, **collector_time_limits(inventory)}


def collector_time_limits(inventory: Inventory) -> dict[str, int]:
    """The collector's own limits, inside policy.collection_timeout_seconds: its total ends a minute (or a
    tenth, when shorter) before this runner gives up, so the document with its timed-out sections still comes
    back; one section gets at most 120 s of it (a hung Get-CsManagementStoreReplicationStatus costs that one)."""
    deadline = inventory.policy.collection_timeout_seconds
    total = int(max(1, deadline - min(60.0, deadline / 10)))
    return {"TotalTimeoutSeconds": total, "SectionTimeoutSeconds": min(120, total)}


def parse_output(stdout: bytes) -> dict[str, Any]:
    """The collector's ``-AsBase64`` output back to the evidence document; TransportError if it is not."""
    text = b"".join(stdout.split())
    if not text:
        raise TransportError("collector error", "the collector wrote nothing")
    try:
        raw = base64.b64decode(text, validate=True)
        document = json.loads(raw.decode("utf-8-sig"))
    except (binascii.Error, ValueError) as exc:
        raise TransportError("collector error", f"the collector's output is not the evidence document "
                             f"({type(exc).__name__}: {str(exc)[:120]}); first bytes: {stdout[:80]!r}") from None
    if not isinstance(document, dict) or "Sections" not in document:
        raise TransportError("collector error", "the collector's output has no Sections")
    try:
        integrity.verify(raw, document, str(document.get("Server", "?")), "collector-output.json")
    except EvidenceError as exc:
        raise TransportError("collector error", exc.reason) from None
    return document


def collect_server(inventory: Inventory, server: Server, *, insecure: bool = False,
                   script: str | None = None) -> dict[str, Any]:
    """Run the collector on one server over one WinRM session; the evidence document or TransportError."""
    base = str(inventory.source.parent) if inventory.source else None
    settings = settings_for(server.fqdn, server.member.connection, insecure=insecure, base_dir=base)
    credentials = credentials_for(settings)
    with WinRMSession(settings, credentials) as session:
        result = session.run_powershell(script or collector_script(), collector_parameters(inventory, server))
    if result.exit_code != 0:
        raise TransportError("collector error", f"exit code {result.exit_code}: {credentials.scrub(result.stderr)}")
    return parse_output(result.stdout)


def failure_document(server: str, error: TransportError | Exception) -> dict[str, Any]:
    reason = str(error) if isinstance(error, TransportError) else f"{type(error).__name__}: {error}"
    return {"SchemaVersion": SCHEMA_VERSION, "Server": server,
            "CollectedAt": datetime.now(UTC).isoformat(timespec="seconds"), "CollectorVersion": "",
            "CollectionError": reason, "Sections": {}}


def write_document(out_dir: Path, server: str, document: dict[str, Any]) -> Path:
    path = evidence_path(out_dir, server)
    atomic.write_text(path, seal(document, ensure_ascii=False))
    failure_note(out_dir, server).unlink(missing_ok=True)
    return path


def failure_note(out_dir: Path, server: str) -> Path:
    """Where a failed collection is recorded when a good evidence file of the server is kept."""
    return out_dir / f"{server.lower()}.collection-failed.txt"


def record_failure(out_dir: Path, server: str, error: Exception) -> str:
    """A failed collection never replaces good evidence: if ``out_dir`` already holds a usable file of the
    server it is kept and the failure is written beside it; otherwise the file records the failure
    (``CollectionError``). Returns what was done, for the progress line."""
    from sfbcheck.evidence import load_document

    path = evidence_path(out_dir, server)
    try:
        kept = load_document(path, server) if path.is_file() else None
    except EvidenceError:
        kept = None
    if kept is None:
        write_document(out_dir, server, failure_document(server, error))
        return ""
    document = failure_document(server, error)
    atomic.write_text(failure_note(out_dir, server), f"{document['CollectedAt']} collection failed: "
                                                     f"{document['CollectionError']}\n")
    return (f"; kept the evidence collected at {kept.get('CollectedAt')} in {path.name}, the failure is in "
            f"{failure_note(out_dir, server).name}")


def collect_within(inventory: Inventory, server: Server, seconds: float, **options: Any) -> dict[str, Any]:
    """:func:`collect_server` under one total deadline covering connect, login, sending and receiving: a server
    that trickles its answer, or never answers, costs at most ``seconds`` (TransportError "timeout")."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["document"] = collect_server(inventory, server, **options)
        except Exception as exc:  # noqa: BLE001 - handed to the caller
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True, name=f"sfbcheck-winrm-{server.fqdn}")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():  # abandoned: a daemon thread, it cannot hold the run or the interpreter's exit
        raise TransportError("timeout", f"no complete answer within {seconds:g} s (connect, login and the "
                                        "collector's output together; policy.collection_timeout_seconds)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["document"]


def capture(inventory: Inventory, out_dir: Path, *, insecure: bool = False, progress: Progress | None = None,
            concurrency: int | None = None) -> list[Outcome]:
    """Collect every WinRM server into ``out_dir`` (created), copy hand-collected files; one Outcome per server."""
    out_dir.mkdir(parents=True, exist_ok=True)
    shown = progress or (lambda line: None)

    def say(line: str) -> None:  # server answers and error texts reach the terminal without control sequences
        shown(printable(line))

    lock = threading.Lock()
    servers = inventory.servers()
    remote = [s for s in servers if s.member.connection.method == "winrm"]
    outcomes: dict[str, Outcome] = {}
    if insecure:
        say("WARNING: certificate validation is OFF (--insecure-skip-tls-verify): anyone between this runner and "
            "the servers can read the credentials and the evidence")
    script = collector_script()
    stop = threading.Event()

    def one(server: Server) -> None:
        with lock:
            say(f"{server.fqdn}: collecting over WinRM ({server.member.connection.scheme}, "
                f"{server.member.connection.auth})")
        started = time.monotonic()
        try:
            document = collect_within(inventory, server, inventory.policy.collection_timeout_seconds,
                                      insecure=insecure, script=script)
            if stop.is_set():
                return
            write_document(out_dir, server.fqdn, document)
            sections = document.get("Sections", {})
            failed = [name for name, value in sections.items() if isinstance(value, dict) and set(value) == {"Error"}]
            detail = f"{len(sections)} sections" + (f", {len(failed)} failed: {', '.join(failed)}" if failed else "")
            outcome = Outcome(server.fqdn, "collected", detail, time.monotonic() - started)
        except Exception as exc:  # noqa: BLE001 - any failure is this server's error, never the run's
            if stop.is_set():
                return
            kept = record_failure(out_dir, server.fqdn, exc)
            outcome = Outcome(server.fqdn, "failed", f"{exc}{kept}", time.monotonic() - started)
        with lock:
            outcomes[server.fqdn] = outcome
            say(f"{server.fqdn}: {outcome.status} in {outcome.seconds:.1f} s ({outcome.detail})")

    _run_all(one, remote, max(1, min(concurrency or inventory.policy.live_concurrency, len(remote) or 1)), stop)
    source = inventory.evidence_dir
    for server in servers:
        if server.member.connection.method != "file":
            continue
        target = evidence_path(out_dir, server.fqdn)
        found = evidence_path(source, server.fqdn)
        if not target.is_file() and found.is_file() and found.resolve() != target.resolve():
            atomic.copy(found, target)
        status = "by hand" if target.is_file() else "missing"
        outcomes[server.fqdn] = Outcome(server.fqdn, status, "connection.method file: collected by hand with "
                                        "collector/Collect-SfbEvidence.ps1 -OutFile" + ("" if target.is_file() else
                                        f"; put {target.name} into {out_dir}"))
        say(f"{server.fqdn}: {status} ({'copied from ' + str(source) if target.is_file() else 'not contacted'})")
    runner = source / RUNNER_FILE
    if runner.is_file() and not (out_dir / RUNNER_FILE).is_file():
        atomic.copy(runner, out_dir / RUNNER_FILE)
    return [outcomes[s.fqdn] for s in servers if s.fqdn in outcomes]


def _run_all(one: Callable[[Server], None], servers: list[Server], workers: int, stop: threading.Event) -> None:
    """``one(server)`` for every server, ``workers`` at a time, in daemon threads; Ctrl-C returns at once
    (KeyboardInterrupt re-raised within a fraction of a second) and leaves every file already written."""
    pending = queue.SimpleQueue[Server]()
    for server in servers:
        pending.put(server)

    def work() -> None:
        while not stop.is_set():
            try:
                server = pending.get_nowait()
            except queue.Empty:
                return
            one(server)

    threads = [threading.Thread(target=work, daemon=True, name=f"sfbcheck-collect-{i}") for i in range(workers)]
    for thread in threads:
        thread.start()
    try:
        while any(thread.is_alive() for thread in threads):
            for thread in threads:
                thread.join(0.1)
    except BaseException:
        stop.set()  # no worker writes after this; what is written stays
        raise
