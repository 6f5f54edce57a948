"""The reporting side of the pytest plugin: waivers, JSON results, the matrix, drift, pytest-html columns.

Loaded by :mod:`sfbcheck.plugin` (``pytest_plugins``). It reads what that plugin puts on each report
(``requirement``, ``requirement_title``, ``impact``, ``host``, ``problems``) and adds ``pool``, ``role``,
``evidence_collected_at`` and ``waiver``. Files, next to the pytest-html report and JUnit XML::

    reports/sfbcheck-<stamp>.json          one record per result (docs/results.md), and latest.json
    reports/sfbcheck-<stamp>-matrix.html   servers × requirements, and latest-matrix.html
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from sfbcheck import atomic, sfbcheck_version
from sfbcheck.catalog import catalog
from sfbcheck.errors import SfbCheckError
from sfbcheck.plugin import (
    CASE_KEY,
    EVIDENCE_READS_KEY,
    INVENTORY_KEY,
    REPORTS_KEY,
    SELECTION_KEY,
    STORE_KEY,
    impact_of,
    latest_name,
)
from sfbcheck.report import drift, html, junit, matrix, results, summary
from sfbcheck.report.waivers import WaiverError, Waivers, default_path, load_waivers, no_waivers
from sfbcheck.selection import FULL_RUN_NAME, run_selection

WAIVERS_KEY = pytest.StashKey[Waivers]()
STATE_KEY = pytest.StashKey["RunState"]()
HOSTS_KEY = pytest.StashKey[dict[str, set[str]]]()


@dataclass
class RunState:
    """What the controller keeps for the end of the run."""

    started: datetime
    json_path: Path | None
    matrix_path: Path | None
    baseline: dict[str, Any] | None = None
    baseline_path: Path | None = None
    baseline_note: str = ""
    results: list[dict[str, Any]] = field(default_factory=list)
    final: dict[str, Any] | None = None


_config: list[pytest.Config] = []


# -- options and set-up --------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sfbcheck")
    group.addoption("--waivers", metavar="PATH", default=None,
                    help="YAML file of accepted exceptions (default: waivers.yml next to the inventory, if present)")
    group.addoption("--compare", metavar="PATH", default=None,
                    help="previous JSON results to report drift against (default: the report directory's "
                         "latest.json, read before this run replaces it)")
    group.addoption("--report-passes", action="store_true", default=False,
                    help="list every passed result in the HTML report's table too (default: failures, errors, "
                         "warnings, waivers and skips are listed; passes are summarised per requirement, and "
                         "the matrix and JSON results hold every result). Slow to open for large deployments.")


def _display(path: Path | str | None) -> str:
    """A path as the reports show it: relative to the working directory when it lies under it."""
    if path is None:
        return ""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    _config[:] = [config]
    if INVENTORY_KEY not in config.stash:
        return
    inventory = config.stash[INVENTORY_KEY]
    explicit = config.getoption("waivers")
    path = Path(explicit) if explicit else default_path(inventory.source)
    try:
        waivers = load_waivers(path, max_days=inventory.policy.waiver_max_days) if path else no_waivers()
    except WaiverError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[WAIVERS_KEY] = waivers
    _metadata(config, waivers)
    if hasattr(config, "workerinput"):
        return
    paths = config.stash.get(REPORTS_KEY, None)
    json_path = paths["json"] if paths else None
    state = RunState(datetime.now(UTC), json_path,
                     json_path.with_name(f"{json_path.stem}-matrix.html") if json_path else None)
    _load_baseline(config, state)
    config.stash[STATE_KEY] = state
    _hidden_passes_skip_pytest_html(config)


def _metadata(config: pytest.Config, waivers: Waivers) -> None:
    """pytest-html shows metadata with innerHTML: every value set here is escaped."""
    from pytest_metadata.plugin import metadata_key

    meta = config.stash.get(metadata_key, None)
    if meta is None:
        return
    inventory = config.stash[INVENTORY_KEY]
    meta["Deployment"] = escape(inventory.deployment)
    meta["Inventory"] = escape(_display(inventory.source))
    meta["Evidence"] = escape(_display(config.stash[STORE_KEY].directory))
    meta["Waivers"] = escape(_display(waivers.source) if waivers.source else "none")


def _load_baseline(config: pytest.Config, state: RunState) -> None:
    explicit = config.getoption("compare")
    if explicit:
        path = Path(explicit)
        try:
            state.baseline = results.load(path)
        except (OSError, ValueError) as exc:
            raise pytest.UsageError(f"--compare {path}: expected an sfbcheck JSON results file ({exc})") from None
        state.baseline_path = path.resolve()
        return
    if state.json_path is None:
        state.baseline_note = "no previous results (reports are off; give --compare PATH)"
        return
    name = latest_name(config)
    previous = state.json_path.with_name(f"{name}.json")
    if name != FULL_RUN_NAME and not previous.is_file():  # a selection's first run: the last full run, on it
        previous = state.json_path.with_name(f"{FULL_RUN_NAME}.json")
    if not previous.is_file():
        state.baseline_note = f"no previous results in {_display(previous.parent)}"
        return
    try:
        baseline = results.load(previous)
    except (OSError, ValueError) as exc:
        state.baseline_note = f"the previous results {_display(previous)} are unreadable ({exc})"
        return
    inventory = config.stash[INVENTORY_KEY]
    run = baseline["run"]
    if run.get("inventory") != str(inventory.source) or run.get("deployment") != inventory.deployment:
        state.baseline_note = (f"the previous results {_display(previous)} are of another inventory "
                               f"({run.get('inventory')}); give --compare PATH to compare with them anyway")
        return
    state.baseline, state.baseline_path = baseline, previous.resolve()
    if name != FULL_RUN_NAME and previous.name == f"{FULL_RUN_NAME}.json":
        state.baseline_note = "compared with the last full run, on what this run selected"


def pytest_sessionstart(session: pytest.Session) -> None:
    _config[:] = [session.config]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    known = catalog()
    hosts: dict[str, set[str]] = {}  # requirement -> every host it runs on (waivers: all_hosts)
    for item in items:
        marker = item.get_closest_marker("requirement")
        if marker is not None and marker.args[0] in known:
            item.user_properties.append(("impact", impact_of(config, marker.args[0])))
        case = item.stash.get(CASE_KEY, None)
        if marker is not None and case is not None:
            hosts.setdefault(marker.args[0], set()).add(case.host)
    config.stash[HOSTS_KEY] = hosts


# -- each result: host facts, waiver, detail block --------------------------------------------------
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    if getattr(report, "requirement", None) is None:
        return report
    _describe_host(item, report)
    report.waiver = None
    if report.when == "call" and report.failed and not hasattr(report, "wasxfail") \
            and not getattr(report, "cannot_judge", False):  # a waiver never covers "cannot judge"
        _apply_waiver(item, report)
    if not report.passed or getattr(report, "warning", False):
        try:
            from pytest_html import extras
        except ImportError:  # pragma: no cover - pytest-html is a pinned dependency
            return report
        report.extras = [*getattr(report, "extras", []), extras.html(html.detail_block(report))]
    return report


HOST_FACTS_KEY = pytest.StashKey[tuple[str, str, str | None]]()  # pool, role, evidence collected at
FACTS_BY_CASE_KEY = pytest.StashKey[dict[tuple[str, str, tuple[str, ...]], tuple[str, str, str | None]]]()


def _describe_host(item: pytest.Item, report: Any) -> None:
    """The pool, role and evidence time of the result's host: looked up once per test, not once per phase, and
    once per host and evidence read (every requirement of a server shares them)."""
    facts = item.stash.get(HOST_FACTS_KEY, None)
    if facts is None:
        case = item.stash.get(CASE_KEY, None)
        shared = item.config.stash.setdefault(FACTS_BY_CASE_KEY, {})
        key = (case.host, case.role, case.needs) if case is not None else None
        if key is None or key not in shared:
            facts = _host_facts(item)
            if key is not None:
                shared[key] = facts
        else:
            facts = shared[key]
        item.stash[HOST_FACTS_KEY] = facts
    report.pool, report.role, report.evidence_collected_at = facts


def _host_facts(item: pytest.Item) -> tuple[str, str, str | None]:
    config = item.config
    case = item.stash.get(CASE_KEY, None)
    if case is None or INVENTORY_KEY not in config.stash:
        return "", "", None
    inventory = config.stash[INVENTORY_KEY]
    try:
        pool = inventory.pool_of(case.host).fqdn
    except KeyError:
        pool = case.host
    store = config.stash[STORE_KEY]
    for server in sorted(case.needs, key=lambda s: s != case.host):
        try:
            collected = store.get(server).collected_at
        except SfbCheckError:
            continue
        if collected is not None:
            return pool, case.role, collected.isoformat()
    return pool, case.role, None


def _apply_waiver(item: pytest.Item, report: Any) -> None:
    waivers = item.config.stash.get(WAIVERS_KEY, None)
    waiver = waivers.find(report.requirement, report.host) if waivers else None
    if waiver is None or waivers is None:
        return
    hosts = item.config.stash.get(HOSTS_KEY, {}).get(report.requirement, set())
    if waiver.too_wide(hosts):  # fail closed: a pattern that waives the requirement everywhere must say so
        note = (f"waiver {waiver.ticket} ({waiver.host}) matches every host of {report.requirement} "
                f"({len(hosts)} hosts) and waives nothing: name the hosts, or write all_hosts: true")
        report.longrepr = f"{report.longrepr}\n{note}"
        item.user_properties.append(("waiver", note))
        return
    report.waiver = waiver.to_record(waivers.today)
    expires = waiver.expires.isoformat()
    if waiver.expired(waivers.today):
        report.longrepr = f"{report.longrepr}\nwaiver {waiver.ticket} expired on {expires}"
        item.user_properties.append(("waiver", f"{waiver.ticket} expired on {expires}"))
        return
    reason = f"waived by {waiver.ticket} until {expires}: {waiver.justification}"
    report.outcome = "skipped"
    report.wasxfail = reason
    item.user_properties.append(("waiver", reason))


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> Any:
    waiver = getattr(report, "waiver", None)
    if report.when == "call" and report.skipped and waiver and waiver.get("status") == "active":
        return "waived", "w", ("WAIVED", {"purple": True})
    if report.when == "call" and report.passed and getattr(report, "warning", False):
        return "warned", "W", ("WARNING", {"yellow": True})
    return None


def _junit_system_out(config: pytest.Config, report: pytest.TestReport) -> None:
    """JUnit: a passing testcase with warnings carries the warnings in ``system-out`` (the ``warning``
    property comes from the item's user properties): not a skip, which CI systems hide."""
    import xml.etree.ElementTree as ET

    from _pytest.junitxml import bin_xml_escape, xml_key

    xml = config.stash.get(xml_key, None)
    if xml is None:
        return
    node = ET.Element("system-out")
    node.text = bin_xml_escape(f"WARNING {report.requirement} on {report.host}:\n{report.warning_message}")
    xml.node_reporter(report).append(node)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and getattr(report, "warning", False) and _config:
        _junit_system_out(_config[0], report)
    if getattr(report, "cannot_judge", False) and _config:
        _config[0].stash[junit.SEEN_KEY] = True  # else the JUnit file is not read back (sfbcheck/report/junit.py)
    state = _config[0].stash.get(STATE_KEY, None) if _config else None
    if state is None:
        return
    entry = results.record(report)
    if entry is not None:
        state.results.append(entry)


# -- end of the run ---------------------------------------------------------------------------------
def _final(config: pytest.Config) -> dict[str, Any] | None:
    """Stale waivers and drift, computed once when every result is in."""
    state = config.stash.get(STATE_KEY, None)
    if state is None:
        return None
    if state.final is None:
        found = state.results
        waivers = config.stash[WAIVERS_KEY]
        found_drift = drift.drift_section(state.baseline, state.baseline_path, found, state.baseline_note)
        marks = drift.status_by_nodeid(found_drift)
        for result in found:
            result["drift"] = marks.get(result["nodeid"], "")
        state.final = {
            "waivers": {"file": str(waivers.source) if waivers.source else None, "today": waivers.today.isoformat(),
                        "entries": [w.to_record(waivers.today) for w in waivers.entries],
                        "stale": waivers.stale(found)},
            "drift": found_drift,
        }
    return state.final


def _versions(config: pytest.Config, found: list[dict[str, Any]]) -> dict[str, Any]:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return ""

    project = sfbcheck_version()
    collectors = set()
    store = config.stash[STORE_KEY]
    for host in sorted({r["host"] for r in found}):
        try:
            collectors.add(str(store.get(host).document.get("CollectorVersion", "")))
        except (SfbCheckError, KeyError):
            continue
    return {"sfbcheck": project, "python": platform.python_version(), "pytest": pytest.__version__,
            "pytest-html": version("pytest-html"), "collector": sorted(c for c in collectors if c)}


def _run_metadata(config: pytest.Config, state: RunState, exitstatus: int, found: list[dict[str, Any]]) -> dict:
    inventory = config.stash[INVENTORY_KEY]
    finished = datetime.now(UTC)
    times = sorted(r["evidence_collected_at"] for r in found if r.get("evidence_collected_at"))
    return {
        "deployment": inventory.deployment,
        "product": inventory.product.value,
        # coexistence: the pools whose own product differs from the deployment's (a legacy Lync 2013 pool)
        "pool_products": {p.fqdn: p.product.value for p in inventory.pools
                          if p.product is not None and p.product is not inventory.product},
        "inventory": str(inventory.source),
        "evidence": str(config.stash[STORE_KEY].directory),
        "evidence_source": "live" if getattr(config.option, "live", False) else "snapshot",
        "evidence_collected": {"oldest": times[0] if times else None, "newest": times[-1] if times else None},
        "started": state.started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "duration_seconds": round((finished - state.started).total_seconds(), 3),
        "exitstatus": int(exitstatus),
        "selection": dict(config.stash.get(SELECTION_KEY, None) or run_selection(config)),
        "versions": _versions(config, found),
    }


def _evidence_reads(config: pytest.Config) -> dict[str, dict[str, int]]:
    """Per process (xdist worker id, or main): server -> times its evidence file was read (sfbcheck.plugin)."""
    return config.stash.get(EVIDENCE_READS_KEY, {})


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int):  # type: ignore[no-untyped-def]
    outcome = yield  # after every other plugin's sessionfinish: pytest-html, JUnit, sfbcheck.plugin
    _write(session.config, int(exitstatus))
    return outcome


def _write(config: pytest.Config, exitstatus: int) -> None:
    state = config.stash.get(STATE_KEY, None)
    final = _final(config)
    if state is None or final is None or state.json_path is None:
        return
    found = state.results
    run = _run_metadata(config, state, exitstatus, found)
    doc = results.document(run, found, final["waivers"], final["drift"])
    results.write(state.json_path, {**doc, "evidence_reads": _evidence_reads(config)})
    if state.matrix_path is not None:
        inventory = config.stash[INVENTORY_KEY]
        servers = [{"host": s.fqdn, "pool": s.pool.fqdn, "role": s.role.value} for s in inventory.servers()]
        html_path = getattr(config.option, "htmlpath", None)
        report_name = os.path.relpath(Path(html_path).resolve(), state.matrix_path.parent.resolve()) \
            if html_path else ""
        shown = {**run, "inventory": _display(run["inventory"]), "evidence": _display(run["evidence"])}
        matrix.write(state.matrix_path, matrix.matrix_data(shown, servers, found, final["drift"], report_name))


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is not None and state.matrix_path is not None and state.matrix_path.is_file():
        atomic.copy(state.matrix_path, state.matrix_path.with_name(f"{latest_name(config)}-matrix.html"))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    final = _final(config)
    if final is None:
        return
    found = config.stash[STATE_KEY].results
    lines = []
    warned = [r for r in found if r["outcome"] == "warning"]
    if warned:
        promote = "policy.warnings_fail: true in the inventory makes them fail the run"
        lines.append(f"{len(warned)} warning(s) (reported, not failing the run; {promote}):")
        lines.extend(f"WARNING {r['requirement']} on {r['host']}: {(r['message'] or '').partition(chr(10))[0]}"
                     for r in warned)
    for result in found:
        waiver = result.get("waiver")
        if not waiver:
            continue
        if result["outcome"] == "waived":
            lines.append(f"WAIVED {result['requirement']} on {result['host']}: {result['nodeid']} "
                         f"({waiver['ticket']} until {waiver['expires']}: {waiver['justification']})")
        else:
            lines.append(f"EXPIRED WAIVER {waiver['ticket']} ({result['requirement']} on {result['host']}) "
                         f"expired on {waiver['expires']}: {result['nodeid']} fails")
    for entry in final["waivers"]["stale"]:
        lines.append(f"STALE WAIVER {entry['ticket']} (entry {entry['entry'] + 1}: {entry['requirement']} on "
                     f"{entry['host']}): {entry['reason']}")
    lines.extend(drift.terminal_lines(final["drift"]))
    terminalreporter.write_sep("-", "sfbcheck: warnings, waivers, drift")
    for line in lines:
        terminalreporter.write_line(line, yellow=line.startswith("WARNING "))
    terminalreporter.write_sep("-", "sfbcheck: summary")
    for line in summary.table(found):
        terminalreporter.write_line(line)
    for line in _report_paths(config):
        terminalreporter.write_line(line)


def _report_paths(config: pytest.Config) -> list[str]:
    """The files this run wrote (each also copied as latest.* or latest-<selection>.*)."""
    state = config.stash[STATE_KEY]
    paths = dict(config.stash.get(REPORTS_KEY, {}))
    if state.matrix_path is not None:
        paths["matrix"] = state.matrix_path
    if not paths:
        return ["reports: none written (--no-reports)"]
    name = latest_name(config)
    lines = [f"reports (also as {name}.* in the same folder):"]
    lines += [f"  {kind:6} {_display(path)}" for kind, path in paths.items()]
    return lines


# -- pytest-html ------------------------------------------------------------------------------------
@pytest.hookimpl(optionalhook=True)  # -p no:html must still run
def pytest_html_report_title(report: Any) -> None:
    report.title = "sfbcheck compliance report"


@pytest.hookimpl(optionalhook=True)  # -p no:html must still run
def pytest_html_results_table_header(cells: list[str]) -> None:
    html.header_cells(cells)


@pytest.hookimpl(optionalhook=True)  # -p no:html must still run
def pytest_html_results_table_html(report: pytest.TestReport, data: list[str]) -> None:
    html.without_raw_failure(report, data)


@pytest.hookimpl(optionalhook=True)  # -p no:html must still run
def pytest_html_results_table_row(report: pytest.TestReport, cells: list[str]) -> None:
    if _hidden_pass(report):
        del cells[:]  # pytest-html: no row (the summary above the table counts and lists it)
        return
    html.row_cells(report, cells)


_HIDDEN_PASSES = pytest.StashKey[set[str]]()  # node ids of passes the HTML table does not list


def _hidden_pass(report: pytest.TestReport) -> bool:
    """A plain pass of a compliance test stays out of pytest-html's table unless --report-passes: at 500
    servers the table of every result is tens of megabytes and takes a browser most of a minute to open.
    pytest-html still counts it as passed (its filter shows the true count); its passed setup and teardown
    reports go with it (they add no row of their own)."""
    config = _config[0] if _config else None
    if config is None or STATE_KEY not in config.stash or config.getoption("report_passes", False):
        return False
    if getattr(report, "requirement", None) is None:
        return False
    hidden = config.stash.setdefault(_HIDDEN_PASSES, set())
    if report.when != "call":
        return report.passed and (report.when == "setup" or report.nodeid in hidden)
    if not report.passed or getattr(report, "warning", False) or getattr(report, "waiver", None):
        return False
    counter = _html_outcomes(config)
    if counter is None:  # another pytest-html: keep the row rather than report a wrong count
        return False
    counter["passed"]["value"] += 1
    hidden.add(report.nodeid)
    return True


def _hidden_passes_skip_pytest_html(config: pytest.Config) -> None:
    """pytest-html files every report of every test and, when a test ends, formats each of them and asks for its
    table row (two hook calls per report) before our row hook drops the row of a plain pass: 6% of a 500-server
    run spent on rows nobody sees. Its report object is registered again with a ``pytest_runtest_logreport``
    that hands it only what can have a row; a hidden pass is still counted (``_hidden_pass``) and listed in the
    summary above the table. Left as it is for another pytest-html (no counters found) or ``--report-passes``."""
    if config.getoption("report_passes", False) or _find_html_outcomes(config) is None:
        return
    manager = config.pluginmanager
    report_object = next((p for p in manager.get_plugins() if type(p).__module__.startswith("pytest_html")
                          and getattr(p, "_report", None) is not None
                          and callable(getattr(p, "pytest_runtest_logreport", None))), None)
    if report_object is None:
        return
    file_report = report_object.pytest_runtest_logreport

    @pytest.hookimpl(trylast=True)  # as pytest-html's own
    def pytest_runtest_logreport(report: pytest.TestReport) -> None:
        if not _hidden_pass(report):
            file_report(report)

    name = manager.get_name(report_object)
    manager.unregister(report_object)
    report_object.pytest_runtest_logreport = pytest_runtest_logreport
    manager.register(report_object, name)


_HTML_OUTCOMES = pytest.StashKey[dict[str, dict[str, Any]] | None]()


def _html_outcomes(config: pytest.Config) -> dict[str, dict[str, Any]] | None:
    """pytest-html's outcome counters (found once per run, not once per result)."""
    if _HTML_OUTCOMES not in config.stash:
        config.stash[_HTML_OUTCOMES] = _find_html_outcomes(config)
    return config.stash[_HTML_OUTCOMES]


def _find_html_outcomes(config: pytest.Config) -> dict[str, dict[str, Any]] | None:
    for plugin in config.pluginmanager.get_plugins():
        outcomes = getattr(getattr(plugin, "_report", None), "outcomes", None)
        if type(plugin).__module__.startswith("pytest_html") and isinstance(outcomes, dict) \
                and isinstance(outcomes.get("passed"), dict) and "value" in outcomes["passed"]:
            return outcomes
    return None


@pytest.hookimpl(optionalhook=True)  # -p no:html must still run
def pytest_html_results_summary(prefix: list[str], summary: list[str], postfix: list[str],
                                session: pytest.Session) -> None:
    config = session.config
    final = _final(config)
    if final is None:
        return
    state = config.stash[STATE_KEY]
    waived = sum(1 for r in state.results if r["outcome"] == "waived")
    warned = sum(1 for r in state.results if r["outcome"] == "warning")
    prefix.extend(html.summary_prefix(state.matrix_path.name if state.matrix_path else None, waived,
                                      final["waivers"]["stale"], final["drift"], warned))
    if config.stash.get(_HIDDEN_PASSES, None):
        prefix.extend(html.passes_summary([r for r in state.results if r["nodeid"] in config.stash[_HIDDEN_PASSES]]))
