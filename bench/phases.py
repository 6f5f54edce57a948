"""A pytest plugin that times the phases of a run (benchmark only): ``-p phases`` with ``bench/`` on the path.

Phases, in CPU seconds of this process (``time.process_time``, so other processes on a shared machine do not
count) and wall seconds:

* start-up: the interpreter's start until ``pytest_configure`` ends (imports, options, plugins, inventory);
* collection: ``pytest_collection`` (modules, parametrization, ``pytest_collection_modifyitems``);
* setup / call / teardown: the three ``pytest_runtest_*`` hooks of every item (fixtures, the test body);
* report hooks: ``pytest_runtest_makereport`` and ``pytest_runtest_logreport`` of every item (sfbcheck's
  metadata, pytest-html's and JUnit's per-item work, the terminal), plus ``logstart`` / ``logfinish``;
* other per-item plumbing: the rest of ``pytest_runtestloop`` (pytest's protocol between the hooks);
* session finish: ``pytest_sessionfinish`` (the HTML, JUnit XML, JSON and matrix reports are written here, and
  the terminal summary);
* exit: ``pytest_unconfigure`` and pytest's clean-ups (the end-of-run gc passes, ``latest.*`` copies), until
  the interpreter starts to shut down (the caller adds the shutdown itself: its wall time minus ours).

Everything is written as JSON to the path in ``SFBCHECK_PHASES_OUT`` at interpreter exit.
"""

from __future__ import annotations

import atexit
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

PHASES = ("start-up", "collection", "setup", "call", "teardown", "report hooks", "other per-item plumbing",
          "session finish", "exit")
_cpu: dict[str, float] = dict.fromkeys(PHASES, 0.0)
_wall: dict[str, float] = dict.fromkeys(PHASES, 0.0)
_marks: dict[str, tuple[float, float]] = {}
_items = [0]


def _now() -> tuple[float, float]:
    return time.process_time(), time.perf_counter()


def _process_start_wall() -> float:
    """perf_counter() at this process's start (from /proc/self/stat), so start-up includes the imports."""
    ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return time.perf_counter() - (uptime - ticks / os.sysconf("SC_CLK_TCK"))


def _add(phase: str, since: tuple[float, float]) -> None:
    cpu, wall = _now()
    _cpu[phase] += cpu - since[0]
    _wall[phase] += wall - since[1]


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    cpu, wall = _now()
    _cpu["start-up"], _wall["start-up"] = cpu, wall - _START[0]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection(session: pytest.Session):  # type: ignore[no-untyped-def]
    since = _now()
    try:
        return (yield)
    finally:
        _add("collection", since)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtestloop(session: pytest.Session):  # type: ignore[no-untyped-def]
    since = _now()
    try:
        return (yield)
    finally:
        _add("other per-item plumbing", since)
        inner = ("setup", "call", "teardown", "report hooks")
        _cpu["other per-item plumbing"] -= sum(_cpu[p] for p in inner)
        _wall["other per-item plumbing"] -= sum(_wall[p] for p in inner)
        _items[0] = len(session.items)


def _timed(phase: str):  # type: ignore[no-untyped-def]
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def hook(*args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        since = _now()
        try:
            return (yield)
        finally:
            _add(phase, since)

    return hook


pytest_runtest_setup = _timed("setup")
pytest_runtest_call = _timed("call")
pytest_runtest_teardown = _timed("teardown")
pytest_runtest_makereport = _timed("report hooks")
pytest_runtest_logreport = _timed("report hooks")
pytest_runtest_logstart = _timed("report hooks")
pytest_runtest_logfinish = _timed("report hooks")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionfinish(session: pytest.Session):  # type: ignore[no-untyped-def]
    since = _now()
    try:
        return (yield)
    finally:
        _add("session finish", since)
        _marks["exit"] = _now()


def _write() -> None:
    """At interpreter exit: after pytest_unconfigure and pytest's clean-ups (the end-of-run gc passes)."""
    if "exit" in _marks:
        _add("exit", _marks["exit"])
    out = os.environ.get("SFBCHECK_PHASES_OUT")
    if out:
        Path(out).write_text(json.dumps({"items": _items[0], "cpu": _cpu, "wall": _wall,
                                         "since_start_wall": time.perf_counter() - _START[0]}, indent=1))


_START = [_process_start_wall()]
atexit.register(_write)
