"""Run the compliance suite against a lab written to disk, and read its JSON results.

Every run is a whole pytest session with the given arguments, reports included. By default it runs in a warm
interpreter that judges one run after another (``selftest/judge.py``: the start-up and imports are paid once,
not once per run); ``fresh_process=True``, a parallel run (``-n``) or a tests path outside ``tests/`` runs
``python -m pytest`` in a new interpreter instead, as a user would.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sfbcheck.lab.faults import apply
from sfbcheck.lab.model import Lab

PROJECT = Path(__file__).resolve().parent.parent
TESTS = PROJECT / "tests"
TIMEOUT_S = 600
RUNS_PER_JUDGE = 60  # a new warm interpreter after this many runs, so nothing one run leaves behind piles up


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


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_XDIST", "PYTEST_CURRENT"))}


class _Judge:
    """The warm interpreter (``python -m selftest.judge``) of this process, started on first use."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.runs = 0
        self.lock = threading.Lock()

    def _start(self) -> subprocess.Popen[str]:
        if self.proc is None or self.proc.poll() is not None or self.runs >= RUNS_PER_JUDGE:
            self.stop()
            self.proc = subprocess.Popen([sys.executable, "-m", "selftest.judge"], cwd=PROJECT, text=True,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_environment())
            self.runs = 0
        return self.proc

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def run(self, args: list[str], out: Path, err: Path) -> int:
        with self.lock:
            proc = self._start()
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps({"args": args, "stdout": str(out), "stderr": str(err),
                                        "env": _environment()}) + "\n")
            proc.stdin.flush()
            self.runs += 1
            reply: list[str] = []
            reader = threading.Thread(target=lambda: reply.append(proc.stdout.readline()), daemon=True)
            reader.start()
            reader.join(TIMEOUT_S)
            if reader.is_alive() or not reply or not reply[0]:
                proc.kill()
                proc.wait()
                self.proc = None
                if reader.is_alive():
                    raise subprocess.TimeoutExpired(["pytest", *args], TIMEOUT_S)
                raise RuntimeError(f"the judging interpreter died (exit {proc.returncode}):\n"
                                   + (err.read_text(errors="replace")[-3000:] if err.is_file() else ""))
            return int(json.loads(reply[0])["returncode"])


_JUDGE = _Judge()
atexit.register(_JUDGE.stop)


def _inside_tests(path: Path) -> bool:
    path = (PROJECT / path).resolve()
    return path == TESTS or TESTS in path.parents


def _needs_fresh_process(tests: Path, args: tuple[str, ...]) -> bool:
    """A run the warm interpreter must not take: test modules from elsewhere (they would stay imported under
    names other runs may use), or pytest-xdist's worker processes."""
    modules = [Path(a.split("::")[0]) for a in (str(tests), *args) if a.split("::")[0].endswith(".py")]
    parallel = any(a == "-n" or a.startswith(("-n=", "--numprocesses", "--dist")) or
                   (a.startswith("-n") and a[2:].isdigit()) for a in args)
    return not _inside_tests(tests) or not all(_inside_tests(m) for m in modules) or parallel


def run_suite(inventory: Path, report_dir: Path, *args: str, tests: Path = TESTS,
              fresh_process: bool = False) -> SuiteRun:
    """``pytest tests --inventory … --report-dir …`` (its own session, reports written); JSON results parsed."""
    pytest_args = [str(tests), "--inventory", str(inventory), "--report-dir", str(report_dir),
                   "-p", "no:cacheprovider", "-q", *args]
    if fresh_process or _needs_fresh_process(tests, args):
        proc = subprocess.run([sys.executable, "-m", "pytest", *pytest_args], cwd=PROJECT, capture_output=True,
                              text=True, timeout=TIMEOUT_S, env=_environment())
        returncode, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
    else:
        with tempfile.TemporaryDirectory(prefix="sfbcheck-run-") as scratch:
            out, err = Path(scratch, "stdout"), Path(scratch, "stderr")
            returncode = _JUDGE.run(pytest_args, out, err)
            stdout, stderr = out.read_text(errors="replace"), err.read_text(errors="replace")
    latest = latest_results(report_dir)
    results = json.loads(latest.read_text())["results"] if latest else []
    return SuiteRun(returncode, stdout, stderr, report_dir, results)


def latest_results(report_dir: Path) -> Path | None:
    """The results a run wrote last: ``latest.json``, or ``latest-<selection>.json`` for a partial run (-m, -k …)."""
    found = list(report_dir.glob("latest*.json")) if report_dir.is_dir() else []
    return max(found, key=lambda p: p.stat().st_mtime_ns) if found else None


def run_lab(lab: Lab, workdir: Path, *args: str, faults: list[str] | tuple[str, ...] = (),
            fresh_process: bool = False) -> SuiteRun:
    """Write a copy of ``lab`` with ``faults`` applied into ``workdir`` and run the suite on it."""
    lab = apply(lab.copy(), list(faults))
    inventory = lab.write(workdir / "lab")
    return run_suite(inventory, workdir / "reports", *args, fresh_process=fresh_process)
