"""The pytest plugin: inventory and evidence options, parametrization, requirement metadata, reports.

Loaded by the top-level ``conftest.py``. Compliance tests live in ``tests/`` and use:

* argument names from :mod:`sfbcheck.targets` (``edge``, ``server``, ``edge, internal_subnet`` …);
* ``@pytest.mark.requirement("ID")``; the catalog adds the requirement's markers and impact;
* :func:`sfbcheck.plugin.assert_compliant` with the problems a check returned.
"""

from __future__ import annotations

import atexit
import gc
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sfbcheck import atomic, early, guidance, resources, secrets, selection, targets, text
from sfbcheck.catalog import WARNING, catalog, requirement
from sfbcheck.errors import EvidenceError, EvidenceGap, InventoryError
from sfbcheck.evidence import EvidenceStore
from sfbcheck.integrity import unsealed_files
from sfbcheck.inventory import Inventory, load_inventory
from sfbcheck.problems import Problem, render
from sfbcheck.report import junit

INVENTORY_KEY = pytest.StashKey[Inventory]()
STORE_KEY = pytest.StashKey[EvidenceStore]()
CASE_KEY = pytest.StashKey[targets.Case]()
CASE_ARGNAMES_KEY = pytest.StashKey[tuple[str, ...]]()  # the case's directly parametrized arguments
# test function node id -> (argument names, {identities of a case's values: the case})
CASES_KEY = pytest.StashKey[dict[str, tuple[tuple[str, ...], dict[tuple[int, ...], targets.Case]]]]()
PROBLEMS_KEY = pytest.StashKey[list[Problem]]()
WARNING_KEY = pytest.StashKey[str]()  # the rendered warnings of a test that passed with warnings
REPORTS_KEY = pytest.StashKey[dict[str, Path]]()
SELECTION_KEY = pytest.StashKey[dict[str, Any]]()  # selection.run_selection: what the run selected, its report name
REPORTS_BROKEN_KEY = pytest.StashKey[frozenset[str]]()  # servers whose unusable evidence this item reports
EVIDENCE_READS_KEY = pytest.StashKey[dict[str, dict[str, int]]]()  # process -> server -> evidence file reads
REQUIREMENT_KEY = pytest.StashKey[str]()  # the requirement ID of a compliance test (its "requirement" mark)
ABOUT_KEY = pytest.StashKey[dict[str, str]]()  # what each of its reports carries (see _about)
PLAIN_NODEID_KEY = pytest.StashKey[str]()  # the node id before pytest-xdist's loadgroup appends "@<group>"

_current: list[pytest.Item] = []

# Reports (pytest-html columns and details, waivers, JSON results, matrix, drift): sfbcheck/report/plugin.py
pytest_plugins = ("sfbcheck.report.plugin",)


# -- options ---------------------------------------------------------------------------------
# Ini options (pytest.ini / pyproject.toml / tox.ini of a deployment's own folder); relative paths are relative to
# that file. The command-line options win over them.
INI_OPTIONS = {
    "sfbcheck_inventory": "inventory YAML of the deployment (default: the sample lab)",
    "sfbcheck_evidence": "evidence snapshot directory (default: the inventory's own 'evidence' directory)",
    "sfbcheck_report_dir": "where the HTML, JUnit XML and JSON reports go (default: ./reports)",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sfbcheck", "Skype for Business / Lync Server compliance")
    group.addoption("--inventory", metavar="PATH", default=None,
                    help="inventory YAML of the deployment (default: ini sfbcheck_inventory, else the sample lab)")
    group.addoption("--evidence", metavar="DIR", default=None,
                    help="evidence snapshot directory (default: ini sfbcheck_evidence, else the inventory's own "
                         "'evidence' directory)")
    group.addoption("--report-dir", metavar="DIR", default=None,
                    help="where the HTML, JUnit XML and JSON reports go (default: ini sfbcheck_report_dir, else "
                         "./reports)")
    group.addoption("--no-reports", action="store_true", default=False,
                    help="do not write the default reports (explicit --html/--junitxml still apply)")
    group.addoption("--force-parallel", action="store_true", default=False,
                    help="run with -n N workers even on a machine with N cores or fewer (by default sfbcheck then "
                         "runs serially and says why: the controller and N workers would share N cores, slower "
                         "than one process)")
    group.addoption("--probe", action="store_true", default=False,
                    help="run the runner probes (DNS, TLS, HTTP) from this machine first and write runner.json "
                         "into the evidence directory (default: judge the saved runner.json)")
    group.addoption("--requirement", metavar="IDS", action="append", default=[],
                    help="run only these requirements: IDs or shell patterns, comma-separated or repeated "
                         "(--requirement EDGE-ROUTE-01,STORE-*)")
    for name, help_text in INI_OPTIONS.items():
        parser.addini(name, help_text, default="")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    """Loaded early (the pytest11 entry point, or ``-p sfbcheck.plugin``): repair what pytest decided before it
    knew this plugin's options, and run the shipped suite when sfbcheck is asked for and no test path is given."""
    early.repair_setup(early_config, args)
    early.add_shipped_suite(early_config, args, asked_for(early_config, early=True))


def path_option(config: pytest.Config, option: str, ini: str) -> Path | None:
    """A path option: the command line's (relative to the invocation directory), else the ini file's (relative
    to the ini file)."""
    value = config.getoption(option, None)
    if value:
        return (config.invocation_params.dir / value).resolve()
    value = config.getini(ini)
    if value:
        base = config.inipath.parent if config.inipath else config.rootpath
        return (base / value).resolve()
    return None


def inventory_path(config: pytest.Config) -> Path:
    """The inventory of this run: --inventory, else the ini's sfbcheck_inventory, else the sample lab."""
    return path_option(config, "inventory", "sfbcheck_inventory") or resources.sample_inventory()


def asked_for(config: pytest.Config, early: bool = False) -> bool:
    """True when the run asks for sfbcheck: an sfbcheck option or ini option, or a test path in the shipped suite.

    Any other run (the project's own self-tests, another project's tests in the same environment) leaves the
    plugin idle until a test uses one of its fixtures (``inventory``, ``evidence_store``, ``host``).
    """
    namespace = config.known_args_namespace if early else config.option
    for name in ("inventory", "evidence", "report_dir", "requirement", "probe", "live"):
        if getattr(namespace, name, None):
            return True
    if any(config.getini(name) for name in INI_OPTIONS):
        return True
    if early:
        return False
    suite = resources.suite_dir().resolve()
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if path == suite or suite in path.parents or path in suite.parents:
            return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(id): the catalog requirement a test proves")
    config.addinivalue_line("markers", "warning: impact warning (reported in every output, never fails the run "
                                       "unless policy.warnings_fail)")
    selection.register_markers(config, catalog().values())
    if asked_for(config):
        activate(config, reports=True)


def activate(config: pytest.Config, reports: bool) -> None:
    """Load the inventory and the evidence store of this run (once); with ``reports``, set up the report files."""
    if INVENTORY_KEY in config.stash:
        return
    try:
        inventory = load_inventory(inventory_path(config))
    except InventoryError as exc:
        raise pytest.UsageError(str(exc)) from None
    evidence = path_option(config, "evidence", "sfbcheck_evidence")
    directory = evidence or inventory.evidence_dir
    if config.getoption("probe") and not hasattr(config, "workerinput"):
        from sfbcheck.probes import run_runner_probes

        if resources.is_shipped(directory):
            raise pytest.UsageError(f"--probe writes runner.json into the evidence directory, and {directory} is "
                                    "the installed sample lab: give --evidence DIR (a copy) to probe from here")
        run_runner_probes(inventory, directory)  # before judging; xdist workers judge what it wrote
    if not directory.is_dir():
        raise pytest.UsageError(guidance.missing_evidence_directory(inventory, directory))
    config.stash[INVENTORY_KEY] = inventory
    config.stash[STORE_KEY] = EvidenceStore(directory)
    _skip_final_gc_passes(config)
    config.stash[SINCE_FREEZE_KEY] = 0
    _serial_unless_parallel_pays(config)
    _configure_reports(config, inventory, directory, reports)


def ensure_active(config: pytest.Config) -> bool:
    """Activate on first use of the plugin's fixtures (a run that did not ask for sfbcheck); no report files."""
    if INVENTORY_KEY not in config.stash:
        activate(config, reports=False)
    return True


SERIAL_KEY = pytest.StashKey[str]()  # why a run asked for -n N runs serially


def _serial_unless_parallel_pays(config: pytest.Config) -> None:
    """``-n N`` on a machine with N cores or fewer runs serially, and says so (never silently slower).

    Measured (docs/benchmarks.md): at 500 servers on 2 cores, ``-n 2`` took 1.27x the serial time and 2.2x its
    CPU: the xdist controller receives every result and runs every report hook while both workers collect the
    whole suite again, three busy processes on two cores. Runs before pytest-xdist's own configure (trylast),
    so no worker is started. ``--force-parallel`` keeps the workers."""
    workers = getattr(config.option, "numprocesses", None)
    if not isinstance(workers, int) or workers < 1 or hasattr(config, "workerinput") \
            or config.getoption("force_parallel", False):
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cores > workers:
        return
    reason = (f"-n {workers} on {cores} core(s) would be slower than one process (the controller and {workers} "
              f"workers share {cores} core(s)): running serially; --force-parallel runs the workers anyway")
    config.option.numprocesses, config.option.dist, config.option.tx = 0, "no", []
    config.stash[SERIAL_KEY] = reason
    config.issue_config_time_warning(pytest.PytestConfigWarning(f"sfbcheck: {reason}"), stacklevel=2)


def _skip_final_gc_passes(config: pytest.Config) -> None:
    """pytest runs five full ``gc.collect()`` passes when it unconfigures, only to report exceptions raised in
    ``__del__`` methods of objects in reference cycles; over a 500-server run's heap that is seconds, and the
    evidence, facts and checks have no ``__del__``. A compliance run skips them (the process ends right after), and
    at interpreter exit freezes the heap (``gc.freeze``) so the interpreter's last collections do not walk it
    either: measured, a heap of a few million objects then takes a third of the time to shut down."""
    if not _freeze_at_exit:
        atexit.register(gc.freeze)  # interpreter exit: its own collections skip the heap (seconds at 500 servers)
        _freeze_at_exit.append(True)
    try:
        from _pytest.unraisableexception import gc_collect_iterations_key
    except ImportError:  # another pytest: keep its behaviour
        return
    config.stash[gc_collect_iterations_key] = 0


_freeze_at_exit: list[bool] = []

FREEZE_EVERY = 2000  # results of a compliance run between two gc.freeze() calls
SINCE_FREEZE_KEY = pytest.StashKey[int]()  # results since the last freeze; set for compliance runs only


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """A compliance run keeps what it builds (evidence, facts, every result for the reports) to the end, so the
    cyclic garbage collector's full collections walk a heap that only grows: 12% of a 500-server run. Every
    FREEZE_EVERY results the heap built so far is frozen (``gc.freeze``: moved out of the collector's reach,
    still alive and freed normally); measured at 500 servers, full collections 6.7 s -> 2.5 s and no more memory.
    Cyclic garbage made before a freeze is reclaimed only after the run (``gc.unfreeze`` at unconfigure): a
    failure's exception traceback, which the reports keep anyway."""
    since = item.config.stash.get(SINCE_FREEZE_KEY, None)
    if since is None:
        return
    since += 1
    if since >= FREEZE_EVERY:
        gc.freeze()
        since = 0
    item.config.stash[SINCE_FREEZE_KEY] = since


def _configure_reports(config: pytest.Config, inventory: Inventory, directory: Path, reports: bool) -> None:
    from pytest_metadata.plugin import metadata_key

    meta = config.stash.get(metadata_key, None)
    if meta is not None:
        meta["Deployment"] = inventory.deployment
        meta["Inventory"] = str(inventory.source)
        meta["Evidence"] = str(directory)
    if not reports or config.getoption("no_reports") or hasattr(config, "workerinput"):
        return
    report_dir = path_option(config, "report_dir", "sfbcheck_report_dir") or \
        config.invocation_params.dir / "reports"
    report_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    paths: dict[str, Path] = {}
    if not getattr(config.option, "htmlpath", None):
        config.option.htmlpath = str(report_dir / f"sfbcheck-{stamp}.html")
        config.option.self_contained_html = True
        paths["html"] = Path(config.option.htmlpath)
    stylesheet = str(resources.PACKAGE / "report" / "report.css")  # contrast and wrapping (pytest-html --css)
    config.option.css = [*(getattr(config.option, "css", None) or []), stylesheet]
    if not getattr(config.option, "xmlpath", None):
        config.option.xmlpath = str(report_dir / f"sfbcheck-{stamp}.xml")
        paths["xml"] = Path(config.option.xmlpath)
    paths["json"] = report_dir / f"sfbcheck-{stamp}.json"
    config.stash[REPORTS_KEY] = paths
    config.stash[SELECTION_KEY] = selection.run_selection(config)


# -- parametrization -------------------------------------------------------------------------
PLUGIN_FIXTURES = ("inventory", "evidence_store", "host")  # a test using one of them activates the plugin


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if INVENTORY_KEY not in metafunc.config.stash:
        if not any(name in metafunc.fixturenames for name in PLUGIN_FIXTURES):
            return
        ensure_active(metafunc.config)
    chosen = targets.choose(metafunc.fixturenames)
    if chosen is None:
        return
    names, generate = chosen
    cases = list(generate(metafunc.config.stash[INVENTORY_KEY], metafunc.config.stash[STORE_KEY]))
    # each item finds its case by the identity of the values it was given (no mark per case: building one
    # per case and finding it per item was a few percent of a large run)
    metafunc.config.stash.setdefault(CASES_KEY, {})[metafunc.definition.nodeid] = (
        tuple(names), {tuple(map(id, case.values)): case for case in cases})
    values = [case.values if len(names) > 1 else case.values[0] for case in cases]
    metafunc.parametrize(",".join(names), values, ids=[case.id for case in cases])


def _case_of(item: pytest.Item, registry: dict[str, Any]) -> tuple[targets.Case, tuple[str, ...]] | None:
    """The inventory case of a compliance item, and the arguments it fills (see pytest_generate_tests)."""
    params = getattr(getattr(item, "callspec", None), "params", None)
    found = registry.get(item.nodeid.partition("[")[0]) if params else None
    if found is None:
        return None
    names, by_values = found
    if not all(name in params for name in names):
        return None
    case = by_values.get(tuple(id(params[name]) for name in names))
    return (case, names) if case is not None else None


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks, and before -m/-k deselect
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    known = catalog()
    marks: dict[tuple[str, ...], pytest.MarkDecorator] = {}  # built once per requirement, role and group

    def mark(name: str, *args: str) -> pytest.MarkDecorator:
        if (name, *args) not in marks:
            decorator = getattr(pytest.mark, name)
            marks[(name, *args)] = decorator(*args) if args else decorator
        return marks[(name, *args)]

    per_requirement: dict[str, list[pytest.MarkDecorator]] = {}
    locations: dict[object, tuple[str, int | None]] = {}
    registry = config.stash.get(CASES_KEY, {})
    for item in items:
        marker = item.get_closest_marker("requirement")
        if marker is None:
            continue
        rid = marker.args[0]
        if rid not in known:
            raise pytest.UsageError(f"{item.nodeid}: requirement {rid!r} is not in sfbcheck/catalog.yml")
        if rid not in per_requirement:
            per_requirement[rid] = [mark(name) for name in (*known[rid].markers, impact_of(config, rid))]
        for decorator in per_requirement[rid]:
            item.add_marker(decorator)
        item.stash[REQUIREMENT_KEY] = rid
        item.extra_keyword_matches.add(rid)  # -k EDGE-ROUTE-01
        found = _case_of(item, registry)
        if found is not None:
            case, argnames = found
            item.stash[CASE_KEY] = case
            item.stash[CASE_ARGNAMES_KEY] = argnames
            item.add_marker(mark(case.role))
            item.stash[PLAIN_NODEID_KEY] = item.nodeid
            item.add_marker(mark("xdist_group", xdist_group(config.stash[INVENTORY_KEY], case)))
            item.user_properties.append(("host", case.host))
            item.user_properties.append(("scope", case.scope))
            _share_location(item, locations)
        item.user_properties.append(("requirement", rid))
    _select_requirements(config, items, known)
    expression = config.getoption("markexpr", "")
    if expression:
        on_items = {mark.name for item in items for mark in item.iter_markers()}
        selection.check_marker_expression(expression, selection.registered_markers(config) | on_items)


def _share_location(item: pytest.Item, locations: dict[object, tuple[str, int | None]]) -> None:
    """Every case of one test function is at the same file and line: pytest finds them once per item (its
    ``reportinfo`` reads the function's source location, "XXX caching?"), a few percent of a large run. The first
    case computes ``item.location``; the others get its file and line with their own test name."""
    function = getattr(item, "obj", None)
    if function is None or not isinstance(item, pytest.Function):
        return
    if function not in locations:
        path, line, _ = item.location
        locations[function] = (path, line)
        return
    path, line = locations[function]
    item.__dict__["location"] = (path, line, item.getmodpath())  # Item.location is a cached_property


def _select_requirements(config: pytest.Config, items: list[pytest.Item], known: dict[str, Any]) -> None:
    """``--requirement EDGE-ROUTE-01,STORE-*``: keep the tests of the matching requirements."""
    patterns = selection.requirement_patterns(config.getoption("requirement", None) or [])
    if not patterns:
        return
    selection.check_requirement_patterns(patterns, known)
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("requirement")
        (keep if marker is not None and selection.wanted(marker.args[0], patterns) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def xdist_group(inventory: Inventory, case: targets.Case) -> str:
    """The xdist group of a case: the pool of its host, so a pool's tests and its members' share a worker."""
    try:
        return inventory.pool_of(case.host).fqdn
    except KeyError:  # the host is a pool, or the deployment
        return case.host


# -- evidence readiness: a server with unusable evidence errors once ------------------------------
def pytest_collection_finish(session: pytest.Session) -> None:
    """Pick, for each server, the first selected item that needs it: that item reports unusable evidence.

    Decided from the collection order, not the run order, so a serial run and a parallel one (every xdist
    worker collects the same items) error on the same test and skip the same others.
    """
    reporter: dict[str, pytest.Item] = {}
    for item in session.items:
        case = item.stash.get(CASE_KEY, None)
        for server in case.needs if case else ():
            reporter.setdefault(server.lower(), item)
    for server, item in reporter.items():
        item.stash[REPORTS_BROKEN_KEY] = item.stash.get(REPORTS_BROKEN_KEY, frozenset()) | {server}


@pytest.hookimpl(tryfirst=True, specname="pytest_runtest_setup")
def pytest_runtest_setup_case_values(item: pytest.Item) -> None:
    """Give a compliance test its case's values before pytest sets up its fixtures.

    They are direct parametrization (``metafunc.parametrize`` in ``pytest_generate_tests``): pytest would make a
    pseudo-fixture per argument, each asking for ``request`` (a ``RequestFixtureDef`` and an ``inspect.signature``
    per argument and test), only to return ``callspec.params[name]``. ``Function.setup`` fills only the arguments
    not yet in ``funcargs``, so the values are the same and the fixture machinery is skipped for them."""
    if CASE_KEY not in item.stash or not isinstance(item, pytest.Function):
        return
    params = item.callspec.params
    for name in item.stash.get(CASE_ARGNAMES_KEY, ()):
        if name in params:
            item.funcargs.setdefault(name, params[name])


@pytest.hookimpl(trylast=True)  # after pytest set up the item's fixtures; failing here is the item's setup error
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Every server a case needs has usable evidence, else its first test errors once and the others skip.

    A hook, not an autouse fixture: a fixture asking for ``request`` costs pytest two fixture definitions per
    test (``RequestFixtureDef``, each an ``inspect.signature``), a tenth of a 500-server run's time."""
    case = item.stash.get(CASE_KEY, None)
    if case is None:
        return
    store = item.config.stash[STORE_KEY]
    broken: dict[str, EvidenceError] = {}
    for server in case.needs:
        try:
            store.get(server)
        except EvidenceError as exc:
            broken[server.lower()] = exc
    if not broken:
        return
    mine = [server for server in broken if server in item.stash.get(REPORTS_BROKEN_KEY, frozenset())]
    if mine:
        inventory = item.config.stash[INVENTORY_KEY]
        pytest.fail("\n".join(_unusable(inventory, store.directory, broken[server]) +
                              f"\nEvery other test of {server} is skipped; other servers still run."
                              for server in mine), pytrace=False)
    server, exc = next(iter(broken.items()))
    pytest.skip(f"evidence for {server} is unusable (reported once as an error): {exc.reason}")


def _unusable(inventory: Inventory, directory: Path, exc: EvidenceError) -> str:
    """The reason a server's evidence is unusable; for a missing file, the ways to get it."""
    if Path(exc.file).exists():
        return str(exc)
    return f"{exc}\n{guidance.missing_evidence_file(inventory, exc.server, directory)}"


@pytest.fixture(scope="session")
def inventory(request: pytest.FixtureRequest) -> Inventory:
    """The validated inventory of this run."""
    ensure_active(request.config)
    return request.config.stash[INVENTORY_KEY]


@pytest.fixture(scope="session")
def evidence_store(request: pytest.FixtureRequest) -> EvidenceStore:
    """Every server's evidence, loaded once per run."""
    ensure_active(request.config)
    return request.config.stash[STORE_KEY]


# -- verdicts ---------------------------------------------------------------------------------
def impact_of(config: pytest.Config, rid: str) -> str:
    """A requirement's impact in this run: the inventory's ``policy.impact`` override, else the catalog's."""
    inventory = config.stash.get(INVENTORY_KEY, None)
    override = inventory.policy.impact.get(rid) if inventory is not None else None
    return override or requirement(rid).impact


def judged(problems: list[Problem], config: pytest.Config | None, rid: str | None) -> list[Problem]:
    """The problems with their warning flag as this run judges them (the warning level).

    Impact ``warning`` (catalog or ``policy.impact``) makes every problem a warning; an administrator's
    non-warning ``policy.impact`` for the requirement makes every problem a failure; otherwise each problem
    keeps its own flag (a check may report one finding as a warning, e.g. POOL-02's pool of two).
    """
    if config is None or rid is None or rid not in catalog():
        return list(problems)
    inventory = config.stash.get(INVENTORY_KEY, None)
    override = inventory.policy.impact.get(rid) if inventory is not None else None
    if impact_of(config, rid) == WARNING:
        return [p.as_warning() for p in problems]
    if override is not None:
        return [p.as_warning(False) for p in problems]
    return list(problems)


def warnings_fail(config: pytest.Config | None) -> bool:
    inventory = config.stash.get(INVENTORY_KEY, None) if config is not None else None
    return bool(inventory is not None and inventory.policy.warnings_fail)


def assert_compliant(problems: list[Problem]) -> None:
    """Pass if the check found nothing; otherwise fail with every problem, its evidence and fix.

    Warnings only (the warning level): the test passes and the warnings travel to every report, unless the
    inventory's ``policy.warnings_fail`` is true; then they fail it like any problem.
    """
    if not problems:
        return
    item = _current[-1] if _current else None
    config = item.config if item is not None else None
    marker = item.get_closest_marker("requirement") if item is not None else None
    problems = judged(problems, config, marker.args[0] if marker else None)
    text = render(problems)
    if item is not None:
        item.stash[PROBLEMS_KEY] = problems
    if all(p.warning for p in problems):
        if warnings_fail(config):
            pytest.fail(f"{text}\n(warnings fail this run: the inventory sets policy.warnings_fail: true)",
                        pytrace=False)
        if item is not None:
            item.stash[WARNING_KEY] = text
            item.user_properties.append(("warning", text))
        return
    pytest.fail(text, pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):  # type: ignore[no-untyped-def]
    _current.append(item)
    try:
        return (yield)
    finally:
        _current.pop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    secrets.scrub_report(report)  # no credential read this run reaches a report
    about = _about(item)
    if about is None:
        return report
    report.__dict__.update(about)  # requirement, requirement_title, impact, host, scope: the same for each phase
    report.problems = [p.to_dict() for p in item.stash.get(PROBLEMS_KEY, [])]
    report.warning = call.when == "call" and report.passed and WARNING_KEY in item.stash
    report.warning_message = item.stash.get(WARNING_KEY, "") if report.warning else ""
    if item.stash.get(PLAIN_NODEID_KEY, report.nodeid) != report.nodeid:  # an xdist worker, --dist loadgroup
        report.plain_nodeid = item.stash[PLAIN_NODEID_KEY]
    if call.excinfo is not None and call.excinfo.errisinstance((EvidenceError, EvidenceGap)):
        report.longrepr = str(call.excinfo.value)
        report.cannot_judge = True  # "cannot judge": an error, never a pass, never a compliance failure
        item.user_properties.append(junit.VERDICT)  # JUnit: an <error> (sfbcheck/report/junit.py)
    _printable(report)
    return report


def _printable(report: pytest.TestReport) -> None:
    """Evidence text in a verdict reaches every report without surrogates or control characters (sfbcheck.text)."""
    if isinstance(report.longrepr, tuple):  # a skip: (path, line, reason)
        report.longrepr = text.clean(report.longrepr)
    elif report.longrepr is not None:
        shown = str(report.longrepr)
        if text.printable(shown) != shown:  # keep pytest's own representation unless it must change
            report.longrepr = text.printable(shown)
    report.problems = text.clean(report.problems)
    report.warning_message = text.printable(report.warning_message)


def _about(item: pytest.Item) -> dict[str, str] | None:
    """What every report of a compliance test carries, computed once per test (not once per phase)."""
    about = item.stash.get(ABOUT_KEY, None)
    if about is None:
        rid = item.stash.get(REQUIREMENT_KEY, None)
        if rid is None:
            marker = item.get_closest_marker("requirement")
            if marker is None:
                return None
            rid = marker.args[0]
        req = requirement(rid)
        case = item.stash.get(CASE_KEY, None)
        about = {"requirement": req.id, "requirement_title": req.title, "impact": impact_of(item.config, req.id),
                 "host": case.host if case else "", "scope": case.scope if case else ""}
        item.stash[ABOUT_KEY] = about
    return about


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> Any:
    """A requirement that could not be judged (EvidenceGap) shows as an error, like unusable evidence."""
    if report.when == "call" and report.failed and getattr(report, "cannot_judge", False):
        return "error", "E", "ERROR"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_report_from_serializable(config: pytest.Config, data: dict[str, Any]):  # type: ignore[no-untyped-def]
    """pytest-xdist, on the controller: report a result under the node id a serial run gives it (no "@group")."""
    report = yield
    plain = getattr(report, "plain_nodeid", None)
    if plain:
        report.nodeid = plain
    return report


# -- evidence reads, per process (reported in the JSON results by sfbcheck/report) ------------------
_results_config: list[pytest.Config] = []


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    _results_config[:] = [session.config]
    session.config.stash[EVIDENCE_READS_KEY] = {}
    if INVENTORY_KEY in session.config.stash:
        _index_teardown_reports(session.config)


def _index_teardown_reports(config: pytest.Config) -> None:
    """pytest's terminal summary looks up each failure's teardown report by scanning every passed report
    (``TerminalReporter._get_teardown_reports``): failures x results, minutes for a deployment with thousands of
    failures. The same lookup through an index built once, when the summary first asks (after the last test)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not callable(getattr(reporter, "_get_teardown_reports", None)):
        return
    index: dict[str, list[pytest.TestReport]] = {}
    built = []

    def teardown_reports(nodeid: str) -> list[pytest.TestReport]:
        if not built:
            for report in reporter.getreports(""):
                if report.when == "teardown":
                    index.setdefault(report.nodeid, []).append(report)
            built.append(True)
        return list(index.get(nodeid, ()))

    reporter._get_teardown_reports = teardown_reports


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist, on the controller: keep the evidence reads a worker reported (see pytest_sessionfinish)."""
    reads = getattr(node, "workeroutput", {}).get("sfbcheck_evidence_reads")
    if reads is not None and _results_config:
        _results_config[0].stash[EVIDENCE_READS_KEY][node.workerinput["workerid"]] = reads


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Workers hand their evidence reads to the controller; the controller keeps every process's counts in
    EVIDENCE_READS_KEY (process -> server -> reads) for the JSON results (sfbcheck/report/plugin.py)."""
    config = session.config
    if STORE_KEY not in config.stash:
        return
    if hasattr(config, "workerinput"):
        config.workeroutput["sfbcheck_evidence_reads"] = dict(config.stash[STORE_KEY].reads)
    elif not config.stash.get(EVIDENCE_READS_KEY, None):
        config.stash[EVIDENCE_READS_KEY] = {"main": dict(config.stash[STORE_KEY].reads)}


def latest_name(config: pytest.Config) -> str:
    """``latest`` for a full run, ``latest-<selection>`` for a partial one (selection.run_selection)."""
    chosen = config.stash.get(SELECTION_KEY, None)
    return str(chosen["name"]) if chosen else selection.FULL_RUN_NAME


def pytest_unconfigure(config: pytest.Config) -> None:
    if SINCE_FREEZE_KEY in config.stash:
        gc.unfreeze()  # the run is over: a process that goes on (pytest.main in a program) collects it again
    if hasattr(config, "workerinput"):
        return
    xml = getattr(config.option, "xmlpath", None)
    if xml and config.stash.get(junit.SEEN_KEY, False):
        junit.cannot_judge_as_errors(Path(xml))
    paths = config.stash.get(REPORTS_KEY, None)
    if not paths:
        return
    for kind, path in paths.items():
        if path.is_file():
            atomic.copy(path, path.with_name(f"{latest_name(config)}.{kind}"))


def pytest_report_header(config: pytest.Config) -> list[str]:
    if INVENTORY_KEY not in config.stash:
        return []
    inventory = config.stash[INVENTORY_KEY]
    lines = [f"sfbcheck: {inventory.deployment} ({len(inventory.servers())} servers) "
             f"from {inventory.source}", f"evidence: {config.stash[STORE_KEY].directory}"]
    if SERIAL_KEY in config.stash:
        lines.append(f"parallel: {config.stash[SERIAL_KEY]}")
    unsealed = unsealed_files(config.stash[STORE_KEY].directory)
    if unsealed:
        lines.append(f"WARNING: evidence without a SHA-256 seal (older collector; not checked for changes): "
                     f"{', '.join(unsealed)}")
    paths = config.stash.get(REPORTS_KEY, None)
    if paths:
        lines.append("reports: " + ", ".join(str(p) for p in paths.values()))
    return lines
