"""EVID-01: the evidence a verdict rests on is fresh, of one snapshot, and from a supported collector.

Source: own (Exchange HealthChecker's discussion of reusing stale results; InSpec and OPD judge live only). The
age is the one judgement made against the clock of the run, on purpose: a snapshot judged later ages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import EvidenceStore
from sfbcheck.facts.system import parse_version
from sfbcheck.host import Host
from sfbcheck.inventory import Inventory
from sfbcheck.problems import Problem

SUPPORTED_COLLECTOR_MAJOR = 1  # collector/Collect-SfbEvidence.ps1 versions 1.x write the evidence schema this reads


@dataclass(frozen=True)
class Snapshot:
    """The run's evidence: every server's collection time, read once per run from each file's head (the spread
    is a property of the whole snapshot: two pools each close to the CMS master can still be far apart)."""

    inventory: Inventory
    store: EvidenceStore

    @cached_property
    def times(self) -> dict[str, datetime]:
        out = {}
        for server in self.inventory.servers():
            when = self.store.collected_at(server.fqdn)  # None: unusable, it errors on its own server
            if when is not None:
                out[server.fqdn] = when
        return out

    def __str__(self) -> str:
        return "snapshot"


def _hours(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 3600:.1f} h"


def fresh_evidence(server: Host, snapshot: Snapshot, now: datetime) -> list[Problem]:
    """EVID-01: collected within policy.evidence_max_age_hours before the run (null: not judged), within
    policy.evidence_max_spread_hours of the newest server of the snapshot, by a supported collector."""
    evidence = server.evidence
    collected = evidence.collected_at
    if collected is None:
        raise EvidenceGap(server.fqdn, "CollectedAt", "is missing or not a time")
    policy = server.inventory.policy
    version_text = str(evidence.document.get("CollectorVersion") or "")
    version = parse_version(version_text)
    problems = []
    recollect = (f"Collect {server.fqdn} again (python -m sfbcheck.capture, pytest --live, or the collector by hand "
                 "on an Edge) together with the rest of the deployment, then run the suite on the new snapshot.")
    age = now - collected
    if policy.evidence_max_age_hours is not None and age > timedelta(hours=policy.evidence_max_age_hours):
        problems.append(Problem(
            f"the evidence of {server.fqdn} was collected {_hours(age)} before this run, more than "
            f"policy.evidence_max_age_hours ({policy.evidence_max_age_hours} h): its verdicts describe the server "
            "as it was then",
            fix=recollect, evidence=f"CollectedAt {collected.isoformat()}; run at {now.isoformat(timespec='seconds')}"))
    times = snapshot.times
    newest_server, newest = max(times.items(), key=lambda kv: kv[1], default=(server.fqdn, collected))
    spread = newest - collected
    if spread > timedelta(hours=policy.evidence_max_spread_hours):
        problems.append(Problem(
            f"the evidence of {server.fqdn} was collected {_hours(spread)} before {newest_server}'s, more than "
            f"policy.evidence_max_spread_hours ({policy.evidence_max_spread_hours} h): comparisons across servers "
            "(replication, certificates, versions of a pool) mix two moments",
            fix=recollect,
            evidence=f"{server.fqdn} CollectedAt {collected.isoformat()}\n{newest_server} CollectedAt "
                     f"{newest.isoformat()}"))
    if version is None or version[0] != SUPPORTED_COLLECTOR_MAJOR:
        problems.append(Problem(
            f"the evidence of {server.fqdn} was written by collector version {version_text or '(none)'}; this suite "
            f"reads collector {SUPPORTED_COLLECTOR_MAJOR}.x: sections may be missing or mean something else",
            fix=(f"Collect {server.fqdn} with the collector shipped with this suite "
                 "(collector/Collect-SfbEvidence.ps1)."),
            evidence=f"CollectorVersion {version_text or '(none)'}"))
    return problems
