"""The sample lab as data: its inventory, every server's evidence document, the runner's probes, its PKI.

``build_lab()`` (in :mod:`sfbcheck.lab.build`) makes a clean lab; faults (:mod:`sfbcheck.lab.faults`)
mutate one; ``Lab.write`` writes ``inventory.yml`` and ``evidence/*.json`` into a directory.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from sfbcheck import atomic
from sfbcheck.evidence import RUNNER_FILE, SCHEMA_VERSION
from sfbcheck.integrity import seal
from sfbcheck.lab.pki import Issued

COLLECTOR_VERSION = "1.1.0"


@dataclass
class LabPki:
    """Every CA and certificate of the lab, keys in memory only."""

    internal_root: Issued
    issuing_rsa: Issued
    issuing_ec: Issued
    public_root: Issued
    public_ca: Issued
    other_roots: list[Issued]   # Windows' built-in and public roots (real certificates, no keys)
    windows_ca: list[Issued] = field(default_factory=list)  # LocalMachine\CA: Root Agency, public intermediates
    assigned: dict[str, dict[str, Issued]] = field(default_factory=dict)  # fqdn -> Use -> certificate
    # fqdn -> Use -> (certificate rolled on, its EffectiveDate, the certificate it replaces)
    pending: dict[str, dict[str, tuple[Issued, datetime, Issued]]] = field(default_factory=dict)


@dataclass
class Lab:
    inventory: dict[str, Any]
    now: datetime
    pki: LabPki
    evidence: dict[str, dict[str, Any]] = field(default_factory=dict)
    runner: dict[str, Any] = field(default_factory=dict)
    applied: list[str] = field(default_factory=list)

    # -- inventory helpers (over the YAML data, so faults can change it) -------------------
    def pools(self, role: str | None = None) -> list[dict[str, Any]]:
        return [p for p in self.inventory["pools"] if role is None or p["role"] == role]

    def members(self, role: str | None = None) -> list[dict[str, Any]]:
        return [m for p in self.pools(role) for m in p["members"]]

    def pool_of(self, fqdn: str) -> dict[str, Any]:
        return next(p for p in self.inventory["pools"] if any(m["fqdn"] == fqdn for m in p["members"]))

    def product(self, fqdn: str) -> str:
        """The product a server runs: its pool's ``product`` (coexistence), else the deployment's."""
        return self.pool_of(fqdn).get("product") or self.inventory.get("product", "sfb2019")

    @property
    def cms_master(self) -> str:
        """The Front End running the CMS master replicator (``cms.master``, default: the CMS pool's first member)."""
        cms = self.inventory["cms"]
        return cms.get("master") or next(p for p in self.pools() if p["fqdn"] == cms["pool"])["members"][0]["fqdn"]

    def member(self, fqdn: str) -> dict[str, Any]:
        return next(m for m in self.members() if m["fqdn"] == fqdn)

    def sections(self, fqdn: str) -> dict[str, Any]:
        """The evidence sections of one server (created empty on first use)."""
        if fqdn not in self.evidence:
            short, _, suffix = fqdn.partition(".")
            self.evidence[fqdn] = {
                "SchemaVersion": SCHEMA_VERSION, "Server": fqdn, "ShortName": short, "PrimaryDnsSuffix": suffix,
                "TopologyFqdn": fqdn, "CollectedAt": self.now.isoformat(), "CollectorVersion": COLLECTOR_VERSION,
                "PSVersion": "5.1.17763.1852", "Sections": {},
            }
        return self.evidence[fqdn]["Sections"]

    def runner_sections(self) -> dict[str, Any]:
        if not self.runner:
            self.runner = {"SchemaVersion": SCHEMA_VERSION, "Server": "runner", "CollectedAt": self.now.isoformat(),
                           "CollectorVersion": COLLECTOR_VERSION, "Sections": {}}
        return self.runner["Sections"]

    def copy(self) -> Lab:
        """A deep copy of the data; the PKI (keys and certificates) is shared."""
        return Lab(copy.deepcopy(self.inventory), self.now, self.pki, copy.deepcopy(self.evidence),
                   copy.deepcopy(self.runner), list(self.applied))

    # -- output --------------------------------------------------------------------------------
    def write(self, directory: Path, header: str = "") -> Path:
        """Write inventory.yml and evidence/*.json; returns the inventory path."""
        directory.mkdir(parents=True, exist_ok=True)
        evidence_dir = directory / self.inventory.get("evidence", "evidence")
        if evidence_dir.is_dir():
            for old in evidence_dir.glob("*.json"):
                old.unlink()
        evidence_dir.mkdir(parents=True, exist_ok=True)
        for fqdn, document in self.evidence.items():
            atomic.write_text(evidence_dir / f"{fqdn}.json", seal(document))
        if self.runner:
            atomic.write_text(evidence_dir / RUNNER_FILE, seal(self.runner))
        path = directory / "inventory.yml"
        text = yaml.safe_dump(self.inventory, sort_keys=False, default_flow_style=False, width=110)
        atomic.write_text(path, header + text)
        return path
