"""Run the compliance suite in a subprocess against a lab written to disk, and read its JSON results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sfbcheck.lab.faults import apply
from sfbcheck.lab.model import Lab

PROJECT = Path(__file__).resolve().parent.parent
TESTS = PROJECT / "tests"


@dataclass
class SuiteRun:
    returncode: int
    stdout: str
    stderr: str
    report_dir: Path
    results: list[dict[str, Any]]

    def outcomes(self, outcome: str) -> set[tuple[str, str]]:
        return {(r["requirement"], r["host"]) for r in self.results if r["outcome"] == outcome}

    @property
    def failures(self) -> set[tuple[str, str]]:
        return self.outcomes("failed")

    @property
    def errors(self) -> set[tuple[str, str]]:
        return self.outcomes("error")

    def messages(self, requirement: str, host: str) -> list[str]:
        return [r["message"] for r in self.results if r["requirement"] == requirement and r["host"] == host
                and r["outcome"] in ("failed", "error")]


def run_suite(inventory: Path, report_dir: Path, *args: str, tests: Path = TESTS) -> SuiteRun:
    """``pytest tests --inventory … --report-dir …`` in a fresh interpreter; its JSON results parsed."""
    command = [sys.executable, "-m", "pytest", str(tests), "--inventory", str(inventory),
               "--report-dir", str(report_dir), "-p", "no:cacheprovider", "-q", *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_XDIST", "PYTEST_CURRENT"))}
    proc = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=600, env=env)
    latest = report_dir / "latest.json"
    results = json.loads(latest.read_text())["results"] if latest.is_file() else []
    return SuiteRun(proc.returncode, proc.stdout, proc.stderr, report_dir, results)


def run_lab(lab: Lab, workdir: Path, *args: str, faults: list[str] | tuple[str, ...] = ()) -> SuiteRun:
    """Write a copy of ``lab`` with ``faults`` applied into ``workdir`` and run the suite on it."""
    lab = apply(lab.copy(), list(faults))
    inventory = lab.write(workdir / "lab")
    return run_suite(inventory, workdir / "reports", *args)
