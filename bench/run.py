"""The sfbcheck benchmark: ``.venv/bin/python bench/run.py [--sizes 50,200,500] [--parts ...] [--out FILE]``.

For each size it generates a synthetic deployment (bench/synthetic.py) and measures, side by side:

* suite:   wall time of the whole suite serial (-n 0) and parallel (-n W, --dist loadgroup from pytest.ini), peak
           memory (RSS of pytest and its xdist workers, sampled from /proc), items, outcomes, the evidence files
           each process read, and the collection time alone (--collect-only);
* bare:    a bare pytest run of the same number of parametrized items that do nothing (the floor), plain and
           with the same HTML and JUnit reports; the suite's time per item divided by the bare one's;
* reports: the size of each report (HTML, JUnit XML, JSON, the matrix page if there is one);
* browser: the time headless Chromium takes to load and render our report, our matrix page, and a stock
           pytest-html report of the same results (skipped, and said so, without Chromium).

It writes the figures, the machine, the versions and the targets' verdicts to docs/benchmarks.md (keeping the
hand-written analysis at its end). It is a benchmark, not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]

import browser  # noqa: E402
import profiling  # noqa: E402
from synthetic import write_synthetic  # noqa: E402

from sfbcheck.lab.faults import DEMO_FAULTS  # noqa: E402

PARTS = ("suite", "bare", "reports", "browser", "profile")
ANALYSIS_MARK = "<!-- Hand-written analysis below this line: bench/run.py keeps it when it rewrites the file. -->"
# the issue's targets: 500 servers serial with reports, the checks without pytest (linear to 1000), -n 2, the entry
# report in Chromium
TARGET_SERVERS, TARGET_SERIAL_S, TARGET_SPEEDUP, TARGET_PAGE_MS = 500, 35.0, 1.6, 2000.0
TARGET_CHECKS_S = {500: 5.0, 1000: 10.0}


# -- running a command and sampling its memory ------------------------------------------------------
@dataclass
class Measured:
    wall_s: float
    returncode: int
    rss_total_mb: float  # peak of the sum over the process tree (pytest + xdist workers)
    rss_max_mb: float    # peak of the largest single process
    output: str
    cpu_s: float = 0.0   # user + system CPU seconds of the process tree (less noisy than wall time when shared)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(command: list[str], cwd: Path, interval: float = 0.1, env: dict[str, str] | None = None) -> Measured:
    """Run ``command``; wall time and the peak RSS of its process tree (sampled every ``interval`` s)."""
    peak = {"total": 0, "max": 0}
    with tempfile.TemporaryFile(mode="w+") as out:
        cpu_before = _children_cpu()
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                env={**_clean_env(), **(env or {})})
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                tree, pids, stack = _children(), [], [proc.pid]
                while stack:
                    pid = stack.pop()
                    pids.append(pid)
                    stack += tree.get(pid, [])
                sizes = [_rss_kb(pid) for pid in pids]
                peak["total"] = max(peak["total"], sum(sizes))
                peak["max"] = max(peak["max"], max(sizes, default=0))
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        returncode = proc.wait()
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        out.seek(0)
        return Measured(wall, returncode, peak["total"] / 1024, peak["max"] / 1024, out.read(),
                        _children_cpu() - cpu_before)


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


BYTECODE = {"cache": True}  # --no-bytecode-cache: keep PYTHONDONTWRITEBYTECODE if the caller set it


def _clean_env() -> dict[str, str]:
    """The environment of a measured run: a normal install caches bytecode (and pytest's rewritten asserts)."""
    dropped = ("PYTEST_", "PYTHONPATH") + (("PYTHONDONTWRITEBYTECODE",) if BYTECODE["cache"] else ())
    return {k: v for k, v in os.environ.items() if not k.startswith(dropped)}


def pytest_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args]


# -- one size ------------------------------------------------------------------------------------
@dataclass
class SizeResult:
    servers: int
    generate_s: float = 0.0
    evidence_mb: float = 0.0
    items: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    collect_s: float | None = None
    serial: Measured | None = None
    parallel: Measured | None = None
    same_results: bool | None = None
    reads: dict[str, int] = field(default_factory=dict)  # process -> evidence files it read
    bare: Measured | None = None
    bare_reports: Measured | None = None
    stock: Measured | None = None
    sizes_kb: dict[str, float] = field(default_factory=dict)
    pages_ms: dict[str, float] = field(default_factory=dict)
    profile: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


def _results(report_dir: Path) -> dict[str, Any]:
    path = report_dir / "latest.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def measure_size(servers: int, parts: set[str], workers: int, work: Path, faults: list[str],
                 chromium: str | None, repeat: int) -> SizeResult:
    result = SizeResult(servers)
    start = time.perf_counter()
    inventory = write_synthetic(servers, work / "deployment", faults)
    result.generate_s = time.perf_counter() - start
    result.evidence_mb = sum(p.stat().st_size for p in (work / "deployment" / "evidence").iterdir()) / 2**20
    suite = ["tests", f"--inventory={inventory}", "-q"]
    print(f"[{servers}] generated in {result.generate_s:.1f} s ({result.evidence_mb:.1f} MB of evidence)", flush=True)

    serial_dir, parallel_dir = work / "reports-serial", work / "reports-parallel"
    if parts & {"suite", "bare", "reports", "browser"}:  # the collection alone, also a warm-up of the caches
        result.collect_s = run_measured(pytest_command(*suite, "--collect-only", "--no-reports"), PROJECT).wall_s
        result.serial = run_measured(pytest_command(*suite, f"--report-dir={serial_dir}", "-n", "0"), PROJECT)
        document = _results(serial_dir)
        records = document.get("results", [])
        result.items = len(records)
        for record in records:
            result.outcomes[record["outcome"]] = result.outcomes.get(record["outcome"], 0) + 1
        print(f"[{servers}] serial: {result.items} items in {result.serial.wall_s:.1f} s", flush=True)
    if "suite" in parts:
        result.parallel = run_measured(
            pytest_command(*suite, f"--report-dir={parallel_dir}", "-n", str(workers), "--force-parallel"),
            PROJECT)
        parallel_doc = _results(parallel_dir)
        serial_set = {(r["nodeid"], r["outcome"]) for r in _results(serial_dir).get("results", [])}
        result.same_results = serial_set == {(r["nodeid"], r["outcome"]) for r in parallel_doc.get("results", [])}
        result.reads = {proc: len(files) for proc, files in parallel_doc.get("evidence_reads", {}).items()}
        print(f"[{servers}] -n {workers}: {result.parallel.wall_s:.1f} s; same results: {result.same_results}",
              flush=True)
    if "bare" in parts and result.items:
        bare_dir = work / "bare"
        bare_dir.mkdir()
        (bare_dir / "pytest.ini").write_text("[pytest]\n")
        (bare_dir / "test_bare.py").write_text(
            f"import pytest\n\n\n@pytest.mark.parametrize('item', range({result.items}))\n"
            "def test_bare(item):\n    pass\n")
        result.bare = run_measured(pytest_command("test_bare.py", "-q"), bare_dir)
        result.bare_reports = run_measured(pytest_command(
            "test_bare.py", "-q", "--html=bare.html", "--self-contained-html", "--junitxml=bare.xml"), bare_dir)
        print(f"[{servers}] bare: {result.bare.wall_s:.1f} s, with reports {result.bare_reports.wall_s:.1f} s",
              flush=True)
    pages: dict[str, Path] = {}
    if parts & {"reports", "browser"} and result.items:
        for kind, path in (("HTML", serial_dir / "latest.html"), ("JUnit XML", serial_dir / "latest.xml"),
                           ("JSON", serial_dir / "latest.json")):
            if path.is_file():
                result.sizes_kb[kind] = path.stat().st_size / 1024
        matrices = sorted(p for p in serial_dir.glob("*matrix*.html") if "latest" in p.name) or \
            sorted(serial_dir.glob("*matrix*.html"))
        if matrices:
            result.sizes_kb["matrix"] = matrices[-1].stat().st_size / 1024
            pages["our matrix page"] = matrices[-1]
        else:
            result.notes.append("no matrix page (reports/*matrix*.html) was written")
        pages["our report"] = serial_dir / "latest.html"
        stock = stock_report(_results(serial_dir).get("results", []), work / "stock")
        result.stock = stock[0]
        result.sizes_kb["stock pytest-html"] = stock[1].stat().st_size / 1024 if stock[1].is_file() else 0
        pages["stock pytest-html"] = stock[1]
    if "browser" in parts and pages:
        if chromium is None:
            result.notes.append("Chromium is not installed: the browser column is skipped")
        else:
            for name, page in pages.items():
                try:
                    result.pages_ms[name] = statistics.median(browser.ready_ms(page, chromium) for _ in range(repeat))
                except (RuntimeError, TimeoutError, OSError) as exc:
                    result.notes.append(f"Chromium could not time {name}: {exc}")
            print(f"[{servers}] browser: " + ", ".join(f"{k} {v:.0f} ms" for k, v in result.pages_ms.items()),
                  flush=True)
    if "profile" in parts:
        result.profile = profiling.measure(run_measured, pytest_command, inventory, work, result.items or None,
                                           result.bare)
        profiling.print_summary(servers, result.profile)
    return result


STOCK_TEST = '''"""The results of an sfbcheck run replayed as plain tests, for a stock pytest-html report."""
import json
from pathlib import Path

import pytest

RESULTS = json.loads((Path(__file__).parent / "results.json").read_text())


@pytest.fixture
def outcome(request):
    if request.param["outcome"] == "error":
        raise RuntimeError(request.param["message"])
    return request.param


@pytest.mark.parametrize("outcome", [pytest.param(r, id=r["id"]) for r in RESULTS], indirect=True)
def test_result(outcome):
    if outcome["outcome"] == "failed":
        pytest.fail(outcome["message"], pytrace=False)
    if outcome["outcome"] == "skipped":
        pytest.skip(outcome["message"])
'''


def stock_report(records: list[dict[str, Any]], directory: Path) -> tuple[Measured, Path]:
    """A stock pytest-html report (no sfbcheck plugin) of the same results, outcomes and messages."""
    directory.mkdir()
    (directory / "pytest.ini").write_text("[pytest]\n")
    replay = [{"id": r["nodeid"].split("::", 1)[-1], "outcome": r["outcome"], "message": r.get("message", "")}
              for r in records]
    (directory / "results.json").write_text(json.dumps(replay))
    (directory / "test_stock.py").write_text(STOCK_TEST)
    page = directory / "stock.html"
    measured = run_measured(pytest_command("test_stock.py", "-q", f"--html={page}", "--self-contained-html"),
                            directory)
    return measured, page


# -- the machine, the verdicts, the page ---------------------------------------------------------------
def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy since boot (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # minus idle and iowait


def own_seconds() -> float:
    """CPU seconds used by this script and every process it waited for."""
    import resource

    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def _cpu_ms_per_item(measured: Measured | None, items: int) -> float | None:
    return measured.cpu_s * 1000 / items if measured and items else None


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"cores": str(os.cpu_count()), "memory": f"{mem_kb / 2**20:.1f} GiB", "cpu": cpu,
            "os": f"{platform.system()} {platform.release()}"}


def versions(chromium: str | None) -> dict[str, str]:
    from importlib.metadata import version

    found = {"Python": platform.python_version()}
    for name in ("pytest", "pytest-xdist", "pytest-html", "pydantic", "cryptography"):
        found[name] = version(name)
    found["Chromium"] = browser.version(chromium).removeprefix("Chromium ") if chromium else "not installed"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT,
                           capture_output=True, text=True).stdout.strip()
    found["sfbcheck commit"] = (commit.stdout.strip() or "unknown") + (" (with uncommitted changes)" if dirty else "")
    return found


def _ms_per_item(measured: Measured | None, items: int) -> float | None:
    return measured.wall_s * 1000 / items if measured and items else None


def _fmt(value: float | None, spec: str = ".1f", unit: str = "") -> str:
    return "—" if value is None else f"{value:{spec}}{unit}"


def _verdict(value: float, limit: float, unit: str = "s") -> str:
    return "met." if value <= limit else f"missed by {value - limit:.1f} {unit} ({value / limit:.2f}×)."


def verdicts(results: list[SizeResult], workers: int) -> list[str]:
    """The issue's targets, judged on this run's figures (a size not measured says so)."""
    lines = []
    by_size = {r.servers: r for r in results}
    at = by_size.get(TARGET_SERVERS)
    if at and at.serial:
        lines.append(f"- **{TARGET_SERVERS} servers, serial, reports written, ≤ {TARGET_SERIAL_S:.0f} s**: "
                     f"{at.serial.wall_s:.1f} s wall ({at.serial.cpu_s:.1f} s CPU) for {at.items} results: "
                     + _verdict(at.serial.wall_s, TARGET_SERIAL_S))
    else:
        lines.append(f"- **{TARGET_SERVERS} servers serial ≤ {TARGET_SERIAL_S:.0f} s**: not measured in this run "
                     f"(give --sizes …,{TARGET_SERVERS}).")
    for servers, limit in TARGET_CHECKS_S.items():
        floor = (by_size[servers].profile or {}).get("floor") if servers in by_size else None
        if floor:
            checks = floor["cpu_s"]["checks"]
            lines.append(f"- **Checks without pytest ≤ {limit:.0f} s at {servers} servers** (bench/floor.py, CPU): "
                         f"{checks:.1f} s for {floor['results']} results: " + _verdict(checks, limit))
        else:
            lines.append(f"- **Checks ≤ {limit:.0f} s at {servers} servers**: not measured (needs --sizes …,{servers} "
                         "and the profile part).")
    sized = sorted((r for r in results if r.serial and r.items), key=lambda r: r.servers)
    if len(sized) >= 3:  # marginal CPU per result between sizes: the fixed start-up cost drops out
        a, b, c = sized[0], sized[len(sized) // 2], sized[-1]
        first = (b.serial.cpu_s - a.serial.cpu_s) * 1000 / (b.items - a.items)
        second = (c.serial.cpu_s - b.serial.cpu_s) * 1000 / (c.items - b.items)
        lines.append(f"- **Per-result cost does not grow with size** (serial, marginal CPU per result): {first:.2f} ms "
                     f"from {a.servers} to {b.servers} servers, {second:.2f} ms from {b.servers} to {c.servers}: "
                     + ("not judged: the smaller sizes differ by less than the noise." if first <= 0 else
                        "met (within ±15%)." if second <= first * 1.15 else f"missed: {second / first:.2f}×."))
    else:
        lines.append("- **Per-result cost does not grow with size**: needs three sizes (e.g. --sizes 100,500,1000).")
    if at and at.serial and at.parallel:
        speedup = at.serial.wall_s / at.parallel.wall_s
        lines.append(f"- **-n {workers} ≥ {TARGET_SPEEDUP}× faster than serial at {TARGET_SERVERS} servers, or "
                     f"refused with a reason**: measured with --force-parallel: {speedup:.2f}× "
                     + ("(met)." if speedup >= TARGET_SPEEDUP else
                        f"(slower than asked): without --force-parallel, -n {workers} on {os.cpu_count()} cores "
                        "runs serially and says why (met by refusal).")
                     + ("" if at.same_results else " Results differed between the runs."))
    if at and "our report" in at.pages_ms:
        page = at.pages_ms["our report"]
        lines.append(f"- **Entry HTML report ready in < {TARGET_PAGE_MS / 1000:.0f} s in Chromium at "
                     f"{TARGET_SERVERS} servers**: {page:.0f} ms: " + _verdict(page, TARGET_PAGE_MS, "ms"))
    elif at:
        lines.append(f"- **Entry HTML report < {TARGET_PAGE_MS / 1000:.0f} s**: not measured ("
                     + ("; ".join(at.notes) or "no browser part in this run") + ").")
    measured = sorted((r for r in results if r.serial), key=lambda r: r.servers)
    if len(measured) >= 3:
        a, b, c = measured[0], measured[len(measured) // 2], measured[-1]
        first = (b.serial.rss_total_mb - a.serial.rss_total_mb) / (b.servers - a.servers)
        second = (c.serial.rss_total_mb - b.serial.rss_total_mb) / (c.servers - b.servers)
        linear = first > 0 and 0.5 <= second / first <= 1.5
        lines.append(f"- **Memory grows linearly** (serial, peak RSS): {first * 100:.1f} MB per 100 servers from "
                     f"{a.servers} to {b.servers}, {second * 100:.1f} MB from {b.servers} to {c.servers}: "
                     + ("met (the slope holds within ±50%)." if linear else
                        f"missed: the slope changes by {second / first if first else float('inf'):.2f}×."))
    return lines


def render(results: list[SizeResult], args: argparse.Namespace, chromium: str | None, load: tuple[str, str],
           others: tuple[float, float]) -> str:
    host, ver = machine(), versions(chromium)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = ["# Benchmarks", "",
           f"Generated by `.venv/bin/python bench/run.py --sizes {','.join(map(str, args.sizes))} "
           f"--parts {','.join(args.parts)} --workers {args.workers}` on {when}. Synthetic deployments are built by "
           "`bench/synthetic.py` from the sample lab's pieces (copies of its pools, renamed, re-addressed, with "
           "every evidence section), with " + (f"the demo faults ({', '.join(args.faults)})" if args.faults
                                                else "no fault") + ". Times are wall-clock seconds of the whole "
           "`pytest` process (start-up included, bytecode " + ("cached" if BYTECODE["cache"] else "NOT cached:"
           " PYTHONDONTWRITEBYTECODE") + "); memory is the peak resident set of pytest and its workers.", "",
           "## Machine", "",
           f"- {host['cores']} cores, {host['memory']} memory, {host['cpu']}, {host['os']}",
           "- " + ", ".join(f"{k} {v}" for k, v in ver.items()),
           f"- load average (1 min) before the run {load[0]}, after {load[1]}; other processes used "
           f"{others[0]:.0f} CPU-seconds during the run ({others[1]:.0%} of the machine's capacity)"]
    if others[1] > 0.05:
        out.append("- **Other processes used the cores during this run** (Chromium's renderers of the browser part "
                   "count as other processes: they are not the script's waited-for children), so times may be "
                   "pessimistic.")
    if args.note:
        out.append(f"- Note: {args.note}")
    out += ["", "## Suite", "",
            f"| servers | items | evidence | generate | collect only | serial | -n {args.workers} | same results "
            f"| serial ms/item | bare ms/item | ratio | CPU ms/item serial / bare | bare+reports ms/item "
            f"| peak RSS serial | peak RSS -n {args.workers} (largest process) | files read per worker |",
            "|---:|---:|---:|---:|---:|---:|---:|:---:|---:|---:|---:|---:|---:|---:|---:|:---|"]
    for r in results:
        ratio = r.serial.wall_s / r.bare.wall_s if r.serial and r.bare else None
        reads = ", ".join(f"{k} {v}" for k, v in sorted(r.reads.items())) or "—"
        out.append(
            f"| {r.servers} | {r.items} | {r.evidence_mb:.1f} MB | {r.generate_s:.1f} s "
            f"| {_fmt(r.collect_s, '.1f', ' s')} | {_fmt(r.serial and r.serial.wall_s, '.1f', ' s')} "
            f"| {_fmt(r.parallel and r.parallel.wall_s, '.1f', ' s')} "
            f"| {'yes' if r.same_results else ('NO' if r.same_results is False else '—')} "
            f"| {_fmt(_ms_per_item(r.serial, r.items), '.2f')} | {_fmt(_ms_per_item(r.bare, r.items), '.2f')} "
            f"| {_fmt(ratio, '.2f', '×')} | {_fmt(_cpu_ms_per_item(r.serial, r.items), '.2f')} / "
            f"{_fmt(_cpu_ms_per_item(r.bare, r.items), '.2f')} | {_fmt(_ms_per_item(r.bare_reports, r.items), '.2f')} "
            f"| {_fmt(r.serial and r.serial.rss_total_mb, '.0f', ' MB')} "
            f"| {_fmt(r.parallel and r.parallel.rss_total_mb, '.0f', ' MB')} "
            f"({_fmt(r.parallel and r.parallel.rss_max_mb, '.0f', ' MB')}) | {reads} |")
    out += ["", "Outcomes (serial): " + "; ".join(
        f"{r.servers} servers: " + ", ".join(f"{n} {k}" for k, n in sorted(r.outcomes.items())) for r in results), ""]
    if any(r.sizes_kb for r in results):
        kinds = list(dict.fromkeys(k for r in results for k in r.sizes_kb))
        out += ["## Reports", "", "| servers | " + " | ".join(kinds) + " |", "|---:|" + "---:|" * len(kinds)]
        for r in results:
            out.append(f"| {r.servers} | " + " | ".join(_fmt(r.sizes_kb.get(k), ',.0f', ' KB') for k in kinds) + " |")
        out.append("")
    if any(r.pages_ms for r in results):
        names = list(dict.fromkeys(k for r in results for k in r.pages_ms))
        out += ["## Browser", "", f"Headless Chromium, median of {args.repeat} fresh browsers: milliseconds from "
                "navigation start until the page has loaded, run its scripts and painted the next frame "
                "(browser start-up excluded).", "",
                "| servers | " + " | ".join(names) + " |", "|---:|" + "---:|" * len(names)]
        for r in results:
            out.append(f"| {r.servers} | " + " | ".join(_fmt(r.pages_ms.get(k), ',.0f', ' ms') for k in names) + " |")
        out.append("")
    if any(r.profile for r in results):
        out += ["## Profile", "", "Where a serial run's time goes (`--parts profile`): phases timed inside pytest by "
                "bench/phases.py, a sampling profile by py-spy, bare pytest and the checks without pytest "
                "(bench/floor.py), all in this benchmark run, so the ratios compare runs made under the same load.", ""]
        for r in results:
            if r.profile:
                out += profiling.render(r.servers, r.profile)
    notes = sorted({n for r in results for n in r.notes})
    out += ["## Targets", "", *verdicts(results, args.workers), ""]
    if notes:
        out += ["Notes: " + "; ".join(notes) + ".", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,200,500", type=lambda s: [int(x) for x in s.split(",") if x],
                        help="servers per synthetic deployment, comma-separated (default 50,200,500)")
    parser.add_argument("--parts", default=",".join(PARTS), type=lambda s: [p for p in s.split(",") if p],
                        help=f"what to measure, comma-separated, of {','.join(PARTS)} (default all)")
    parser.add_argument("--workers", type=int, default=2, help="xdist workers of the parallel run (default 2)")
    parser.add_argument("--repeat", type=int, default=3, help="browser loads per page, the median is kept")
    parser.add_argument("--faults", choices=("demo", "none"), default="demo",
                        help="apply the sample lab's demo faults to the first copy (default) or none")
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "benchmarks.md",
                        help="the Markdown page to write (default docs/benchmarks.md); '-' prints it")
    parser.add_argument("--keep", type=Path, default=None, help="keep the deployments and reports in this directory")
    parser.add_argument("--note", default="", help="a sentence about the run (e.g. that the machine was shared)")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE for the measured runs (default: drop it, as a normal "
                             "install caches bytecode; every run then recompiles every module)")
    args = parser.parse_args(argv)
    BYTECODE["cache"] = not args.no_bytecode_cache
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    args.faults = list(DEMO_FAULTS) if args.faults == "demo" else []
    chromium = browser.find_chromium()
    load_before = f"{os.getloadavg()[0]:.2f}"
    started, busy_before, own_before = time.monotonic(), busy_seconds(), own_seconds()
    base = args.keep or Path(tempfile.mkdtemp(prefix="sfbcheck-bench-"))
    results = []
    try:
        for servers in args.sizes:
            work = base / f"{servers}-servers"
            if work.exists():
                shutil.rmtree(work)
            work.mkdir(parents=True)
            results.append(measure_size(servers, set(args.parts), args.workers, work, args.faults, chromium,
                                        args.repeat))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    other = max(0.0, (busy_seconds() - busy_before) - (own_seconds() - own_before))
    capacity = (time.monotonic() - started) * (os.cpu_count() or 1)
    page = render(results, args, chromium, (load_before, f"{os.getloadavg()[0]:.2f}"), (other, other / capacity))
    if str(args.out) == "-":
        print(page)
        return 0
    kept = ""
    if args.out.is_file() and ANALYSIS_MARK in args.out.read_text():
        kept = args.out.read_text().split(ANALYSIS_MARK, 1)[1]
    args.out.write_text(page + "\n" + ANALYSIS_MARK + (kept or "\n"), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
