"""Profile mode of the benchmark (``bench/run.py --parts profile``): where a serial run's time goes.

For one synthetic deployment, in the same benchmark run (so the ratios compare runs made under the same load):

* a serial run, reports written, with the phase timer (``bench/phases.py``): CPU and wall seconds of start-up,
  collection, setup, call, teardown, report hooks, other per-item plumbing, session finish and exit;
* the same run under a sampling profiler (py-spy, ``requirements-dev.txt``): the top 20 functions by samples
  that include them, the top 20 by samples spent in them, and the share of each owner (sfbcheck's checks,
  facts, plugin, reports; pytest; pluggy; pytest-html; …) attributing library frames to their nearest caller
  of a known owner;
* bare pytest with the same number of items (the floor of pytest itself);
* sfbcheck's checks called without pytest (``bench/floor.py``: the floor of sfbcheck itself).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
TOP = 20
TRUNK_PCT = 80.0  # frames in more samples than this are the call stack's trunk (runpy, pytest main …)
OWNERS = (  # (path fragment, owner), the first that matches a frame's file wins
    ("/sfbcheck/checks/", "sfbcheck checks"), ("/sfbcheck/facts/", "sfbcheck facts"),
    ("/sfbcheck/report/", "sfbcheck reports"), ("/sfbcheck/evidence", "sfbcheck evidence"),
    ("/sfbcheck/", "sfbcheck plugin, targets, inventory"), ("/tests/", "sfbcheck tests/"),
    ("/pytest_html/", "pytest-html"), ("/_pytest/junitxml", "pytest JUnit XML"),
    ("/_pytest/terminal", "pytest terminal"), ("/_pytest/unraisableexception", "pytest end-of-run gc"),
    ("/_pytest/fixtures", "pytest fixtures"), ("/_pytest/", "pytest other"), ("/pluggy/", "pluggy (hook calls)"),
    ("/xdist/", "pytest-xdist"), ("/cryptography/", "cryptography"), ("/pydantic", "pydantic"),
    ("/yaml/", "PyYAML"), ("/jinja2/", "jinja2"),
)


def py_spy() -> str | None:
    found = shutil.which("py-spy") or (Path(sys.executable).parent / "py-spy")
    return str(found) if found and Path(found).exists() else None


def _frame(frame: str) -> tuple[str, str]:
    """(``function (short/file.py)``, file) of a py-spy raw frame ``function (path:line)``."""
    name, _, where = frame.rpartition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    short = path
    for marker in ("site-packages/", str(PROJECT) + "/", "lib/python3."):
        if marker in path:
            short = path.split(marker, 1)[1]
            break
    return f"{name} ({short})", path


def owner_of(path: str) -> str | None:
    """The owner of a frame's file (py-spy shortens paths: ``_pytest/runner.py``, ``sfbcheck/plugin.py``)."""
    path = "/" + path.lstrip("/")
    return next((owner for fragment, owner in OWNERS if fragment in path), None)


def summarise(raw: str) -> dict[str, Any]:
    """Top functions and owners' shares of a py-spy ``--format raw`` profile (``stack;…;leaf count`` lines)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    owners: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_frame(f) for f in stack.split(";")]
        for name in {name for name, _ in frames}:
            inclusive[name] += samples
        own[frames[-1][0]] += samples
        owners[next((o for _, path in reversed(frames) if (o := owner_of(path))), "Python (start-up, stdlib)")] \
            += samples
    share = (lambda n: round(100 * n / total, 1)) if total else (lambda n: 0.0)
    return {"samples": total,
            "inclusive": [(name, share(n)) for name, n in inclusive.most_common()
                          if share(n) < TRUNK_PCT][:TOP],
            "own": [(name, share(n)) for name, n in own.most_common(TOP)],
            "owners": [(name, share(n)) for name, n in owners.most_common()]}


def measure(run_measured: Any, pytest_command: Any, inventory: Path, work: Path, items: int | None,
            bare: Any | None) -> dict[str, Any]:
    """Phase-timed run, sampled run, bare pytest (unless measured already) and the floor, for one deployment."""
    suite = ["tests", f"--inventory={inventory}", "-q", "-n", "0"]
    found: dict[str, Any] = {"notes": []}
    phases_out = work / "phases.json"
    timed = run_measured(pytest_command("-p", "phases", *suite, f"--report-dir={work / 'reports-phases'}"),
                         PROJECT, env={"PYTHONPATH": str(BENCH), "SFBCHECK_PHASES_OUT": str(phases_out)})
    found["timed"] = {"wall_s": timed.wall_s, "cpu_s": timed.cpu_s}
    if phases_out.is_file():
        phases = json.loads(phases_out.read_text())
        phases["wall"]["interpreter shutdown"] = max(0.0, timed.wall_s - phases.pop("since_start_wall"))
        found["phases"] = phases
        items = items or phases["items"]
    else:
        found["notes"].append(f"the phase timer wrote nothing (exit {timed.returncode}): {timed.output[-500:]}")
    spy = py_spy()
    if spy is None:
        found["notes"].append("py-spy is not installed (pip install -r requirements-dev.txt): no sampling profile")
    else:
        raw = work / "profile.txt"
        sampled = run_measured([spy, "record", "--rate", "100", "--nonblocking", "--format", "raw", "--output",
                                str(raw), "--", *pytest_command(*suite, f"--report-dir={work / 'reports-spy'}")],
                               PROJECT)
        if raw.is_file():
            found["profile"] = summarise(raw.read_text())
        else:
            found["notes"].append(f"py-spy recorded nothing (exit {sampled.returncode}): {sampled.output[-500:]}")
    if bare is None and items:
        bare_dir = work / "bare-profile"
        bare_dir.mkdir(exist_ok=True)
        (bare_dir / "pytest.ini").write_text("[pytest]\n")
        (bare_dir / "test_bare.py").write_text(
            f"import pytest\n\n\n@pytest.mark.parametrize('item', range({items}))\ndef test_bare(item):\n    pass\n")
        bare = run_measured(pytest_command("test_bare.py", "-q"), bare_dir)
    if bare is not None:
        found["bare"] = {"wall_s": bare.wall_s, "cpu_s": bare.cpu_s}
    floor_out = work / "floor.json"
    floor = run_measured([sys.executable, str(BENCH / "floor.py"), "--inventory", str(inventory), "--out",
                          str(floor_out)], PROJECT)
    if floor_out.is_file():
        found["floor"] = {**json.loads(floor_out.read_text()), "wall_s": floor.wall_s, "process_cpu_s": floor.cpu_s}
    found["items"] = items
    return found


def _s(value: float) -> str:
    return f"{value:.1f} s" if value >= 0.95 else f"{value * 1000:.0f} ms"


def render(servers: int, found: dict[str, Any]) -> list[str]:
    """The Markdown section of one deployment's profile."""
    out = [f"### {servers} servers", ""]
    timed, bare, floor = found.get("timed"), found.get("bare"), found.get("floor")
    items = found.get("items") or 0
    if timed and bare:
        out.append(f"- serial run with every report: **{timed['wall_s']:.1f} s wall, {timed['cpu_s']:.1f} s CPU** "
                   f"for {items} results ({1000 * timed['cpu_s'] / max(items, 1):.2f} ms CPU per result); bare pytest "
                   f"with the same number of items: {bare['wall_s']:.1f} s wall, {bare['cpu_s']:.1f} s CPU: "
                   f"**{timed['cpu_s'] / bare['cpu_s']:.2f}× bare in CPU** ({timed['wall_s'] / bare['wall_s']:.2f}× "
                   "in wall time)")
    if floor:
        cpu = floor["cpu_s"]
        out.append(f"- sfbcheck without pytest (bench/floor.py, same deployment): reading every evidence file "
                   f"{_s(cpu['read evidence'])}, generating the cases {_s(cpu['generate cases'])}, **the checks "
                   f"{_s(cpu['checks'])}** for {floor['results']} results; slowest requirements: "
                   + ", ".join(f"{r['requirement']} {_s(r['cpu_s'])}" for r in floor["slowest_requirements"][:5]))
        if timed:
            floor_total = sum(cpu.values())
            out.append(f"- so of the run's {timed['cpu_s']:.1f} s CPU, sfbcheck's own work is {floor_total:.1f} s "
                       f"({100 * floor_total / timed['cpu_s']:.0f}%) and the rest is pytest, its plugins and the "
                       "reports")
    phases = found.get("phases")
    if phases:
        out += ["", "| phase | CPU | wall | CPU per result |", "|:---|---:|---:|---:|"]
        for name, cpu in phases["cpu"].items():
            out.append(f"| {name} | {_s(cpu)} | {_s(phases['wall'][name])} | "
                       f"{1000 * cpu / max(items, 1):.3f} ms |")
        out.append(f"| interpreter shutdown | — | {_s(phases['wall']['interpreter shutdown'])} | — |")
    profile = found.get("profile")
    if profile and profile["samples"]:
        out += ["", f"Sampling profile (py-spy, 100 Hz, {profile['samples']} samples): share of samples by owner "
                "(library frames count for their nearest caller of a known owner): "
                + ", ".join(f"{name} {pct}%" for name, pct in profile["owners"]), "",
                f"| top {TOP} functions below the trunk, samples including them | % "
                f"| top {TOP}, samples in the function itself | % |",
                "|:---|---:|:---|---:|"]
        for (a, pa), (b, pb) in zip(profile["inclusive"], profile["own"], strict=False):
            out.append(f"| `{a}` | {pa} | `{b}` | {pb} |")
    if found.get("notes"):
        out += ["", "Notes: " + "; ".join(found["notes"])]
    return [*out, ""]


def print_summary(servers: int, found: dict[str, Any]) -> None:
    print("\n".join(f"[{servers}] {line}" for line in render(servers, found) if line), flush=True)


if __name__ == "__main__":  # a quick look at a saved profile: python bench/profiling.py profile.txt
    print(json.dumps(summarise(Path(sys.argv[1]).read_text()), indent=1))
