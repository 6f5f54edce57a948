"""Probe results as evidence: TCP connects and the presented certificate collected on a Front End
(``TcpProbe``, ``TlsProbe``), and the runner's own HTTP and TLS-version probes (``HttpProbe``,
``TlsVersionProbe``). Also :class:`Runner`, what a test receives for the machine running pytest.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence, EvidenceStore, safe_text
from sfbcheck.inventory import Inventory


class Runner:
    """The machine running pytest: its probe evidence (runner.json) and the inventory it probed."""

    fqdn = "runner"

    def __init__(self, inventory: Inventory, store: EvidenceStore) -> None:
        self.inventory = inventory
        self._store = store

    @property
    def evidence(self) -> Evidence:
        return self._store.runner()

    def __repr__(self) -> str:
        return "Runner()"


@dataclass(frozen=True)
class TcpResult:
    computer_name: str
    address: str
    port: int
    succeeded: bool
    error: str = ""

    def __str__(self) -> str:
        verdict = "TcpTestSucceeded True" if self.succeeded else "TcpTestSucceeded False"
        why = f" ({self.error})" if self.error and not self.succeeded else ""
        return f"Test-NetConnection {self.computer_name} -Port {self.port} -> {self.address}: {verdict}{why}"


@dataclass(frozen=True)
class TlsResult:
    computer_name: str
    address: str
    port: int
    protocol: str
    certificates: tuple[x509.Certificate, ...] = field(default=(), compare=False)
    error: str = ""

    @property
    def leaf(self) -> x509.Certificate | None:
        return self.certificates[0] if self.certificates else None


@dataclass(frozen=True)
class HttpResult:
    computer_name: str
    address: str
    port: int
    tcp_succeeded: bool
    tls_handshake: str
    http_answered: bool
    status_line: str
    status_code: int | None
    headers: dict[str, str] = field(default_factory=dict, compare=False)
    title: str = ""
    error: str = ""


@dataclass(frozen=True)
class TlsVersionResult:
    computer_name: str
    address: str
    port: int
    version: str
    accepted: bool
    error: str = ""


def _bool(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError(f"{what} is {value!r}, expected true or false")


def _entries(evidence: Evidence, section: str) -> list[dict[str, Any]]:
    return evidence.records(section)


def parse_tcp(evidence: Evidence) -> list[TcpResult]:
    out = []
    for i, rec in enumerate(_entries(evidence, "TcpProbe")):
        try:
            out.append(TcpResult(str(rec.get("ComputerName") or rec["RemoteAddress"]), str(rec["RemoteAddress"]),
                                 int(rec["RemotePort"]), _bool(rec["TcpTestSucceeded"], "TcpTestSucceeded"),
                                 str(rec.get("Error") or "")))
        except (KeyError, ValueError, TypeError, OverflowError) as exc:
            raise EvidenceGap(evidence.server, "TcpProbe", f"is malformed: entry {i}: {exc}") from None
    return out


def _certificate(value: Any) -> x509.Certificate:
    der = base64.b64decode(str(value), validate=True)
    return x509.load_der_x509_certificate(der)


def parse_tls(evidence: Evidence) -> list[TlsResult]:
    out = []
    for i, rec in enumerate(_entries(evidence, "TlsProbe")):
        try:
            certs = tuple(_certificate(c) for c in rec.get("Certificates") or [])
            out.append(TlsResult(str(rec.get("ComputerName") or rec["RemoteAddress"]), str(rec["RemoteAddress"]),
                                 int(rec["RemotePort"]), str(rec.get("SslProtocol") or ""), certs,
                                 str(rec.get("Error") or "")))
        except (KeyError, ValueError, TypeError, OverflowError, binascii.Error) as exc:
            raise EvidenceGap(evidence.server, "TlsProbe", f"is malformed: entry {i}: {exc}") from None
    return out


def parse_http(evidence: Evidence) -> list[HttpResult]:
    out = []
    for i, rec in enumerate(_entries(evidence, "HttpProbe")):
        try:
            code = rec.get("StatusCode")
            out.append(HttpResult(str(rec["ComputerName"]), str(rec.get("RemoteAddress") or ""),
                                  int(rec["RemotePort"]), _bool(rec["TcpTestSucceeded"], "TcpTestSucceeded"),
                                  str(rec.get("TlsHandshake") or ""), _bool(rec["HttpAnswered"], "HttpAnswered"),
                                  str(rec.get("StatusLine") or ""), int(code) if code not in (None, "") else None,
                                  dict(rec.get("Headers") or {}), str(rec.get("Title") or ""),
                                  str(rec.get("Error") or "")))
        except (KeyError, ValueError, TypeError, OverflowError) as exc:
            raise EvidenceGap(evidence.server, "HttpProbe", f"is malformed: entry {i}: {exc}") from None
    return out


TLS_VERSIONS = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")  # the runner's probe names (Python's ssl.TLSVersion)


def _tls_version(value: Any) -> str:
    if value not in TLS_VERSIONS:
        raise ValueError(f"Version {safe_text(value, 40)!s} is not one of {', '.join(TLS_VERSIONS)}")
    return value


def parse_tls_versions(evidence: Evidence) -> list[TlsVersionResult]:
    out = []
    for i, rec in enumerate(_entries(evidence, "TlsVersionProbe")):
        try:
            out.append(TlsVersionResult(str(rec["ComputerName"]), str(rec.get("RemoteAddress") or ""),
                                        int(rec["RemotePort"]), _tls_version(rec["Version"]),
                                        _bool(rec["Accepted"], "Accepted"), str(rec.get("Error") or "")))
        except (KeyError, ValueError, TypeError, OverflowError) as exc:
            raise EvidenceGap(evidence.server, "TlsVersionProbe", f"is malformed: entry {i}: {exc}") from None
    return out


def tcp_probes(evidence: Evidence) -> list[TcpResult]:
    return evidence.parsed("tcp-probes", parse_tcp)


class TcpTargets:
    """The TcpProbe results of one server, looked up by target: built once, so a check that asks about every
    server of the deployment (CMS-07: the CMS master to each internal server) does not rescan every probe."""

    def __init__(self, results: list[TcpResult]) -> None:
        self.by_address: dict[str, list[int]] = {}
        self.by_name: dict[str, list[int]] = {}
        for position, result in enumerate(results):
            self.by_address.setdefault(result.address, []).append(position)
            self.by_name.setdefault(result.computer_name.lower(), []).append(position)
        self.results = results

    def about(self, address: str, fqdn: str) -> list[TcpResult]:
        """In probe order, the results whose RemoteAddress is ``address`` or whose ComputerName is ``fqdn`` or
        ``address`` (ComputerName compared lower-case)."""
        positions = {*self.by_address.get(address, ()), *self.by_name.get(fqdn, ()), *self.by_name.get(address, ())}
        return [self.results[i] for i in sorted(positions)]


def tcp_targets(evidence: Evidence) -> TcpTargets:
    """:func:`tcp_probes` indexed by target, once per run; the same EvidenceGap if the probes are malformed."""
    return evidence.parsed("tcp-probe-targets", lambda ev: TcpTargets(tcp_probes(ev)))


def tls_probes(evidence: Evidence) -> list[TlsResult]:
    return evidence.parsed("tls-probes", parse_tls)


def http_probes(evidence: Evidence) -> list[HttpResult]:
    return evidence.parsed("http-probes", parse_http)


def tls_version_probes(evidence: Evidence) -> list[TlsVersionResult]:
    return evidence.parsed("tls-version-probes", parse_tls_versions)
