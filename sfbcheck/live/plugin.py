"""``pytest --live``: collect every server over WinRM into a snapshot first, then judge it; testinfra hosts.

Registered by the top-level ``conftest.py``. With ``--live`` the inventory's WinRM servers are collected
concurrently (``policy.live_concurrency``) before any test runs, one progress line per server, into
``--evidence DIR`` (created) or ``snapshots/<UTC time>/`` next to the inventory; the run then judges that
snapshot exactly like a saved one, so ``pytest --evidence <that dir>`` re-judges it later. A server that could
not be collected errors once with the reason (its snapshot file holds ``CollectionError``).

Every inventory server reached over WinRM is also a testinfra host: a test that takes ``host`` runs once per
such server (ids are the FQDNs) on the same connection settings, e.g. ``host.run("hostname")``. Without
``--live`` such tests are skipped (see docs/live.md and docs/examples/test_windows_hosts.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sfbcheck import plugin as base
from sfbcheck import resources
from sfbcheck.inventory import Inventory, Server
from sfbcheck.text import printable
from sfbcheck.topology import compare_snapshot

LIVE_KEY = pytest.StashKey[dict[str, Any]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sfbcheck")
    group.addoption("--live", action="store_true", default=False,
                    help="collect evidence from the inventory's servers over WinRM first (into --evidence DIR or "
                         "snapshots/<time>/ next to the inventory), then judge it")
    group.addoption("--insecure-skip-tls-verify", action="store_true", default=False,
                    help="DANGEROUS: with --live, do not validate the servers' WinRM HTTPS certificates")


def _live(config: pytest.Config) -> bool:
    return bool(config.getoption("live")) and not hasattr(config, "workerinput")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("sfbcheck-hosts"):
        config.pluginmanager.register(InventoryHosts(), "sfbcheck-hosts")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Before any plugin's pytest_configure (the base plugin checks the evidence directory there), whichever
    order the plugins were registered in: point the run at the (new) live snapshot."""
    _point_at_live_snapshot(config)


def _point_at_live_snapshot(config: pytest.Config) -> None:
    if not _live(config):
        return
    path = base.inventory_path(config)
    evidence = base.path_option(config, "evidence", "sfbcheck_evidence")
    if evidence:
        out = evidence
    else:
        beside = Path.cwd() if resources.is_shipped(path) else path.parent  # never into an installed copy
        out = beside / "snapshots" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out.mkdir(parents=True, exist_ok=True)
    config.option.evidence = str(out)
    config.stash[LIVE_KEY] = {"out": out, "outcomes": [], "topology": []}


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if base.INVENTORY_KEY not in config.stash or hasattr(config, "workerinput"):
        return
    inventory = config.stash[base.INVENTORY_KEY]
    directory = config.stash[base.STORE_KEY].directory
    state = config.stash.get(LIVE_KEY, None)
    if state is not None:
        from sfbcheck.live.collect import capture

        reporter = config.pluginmanager.get_plugin("terminalreporter")

        def say(line: str) -> None:
            if reporter is not None:
                reporter.write_line(f"[live] {line}")

        say(f"collecting {len(inventory.servers())} servers into {directory} "
            f"(up to {inventory.policy.live_concurrency} at a time)")
        state["outcomes"] = capture(inventory, directory, insecure=bool(config.getoption("insecure_skip_tls_verify")),
                                    progress=say)
    state = state if state is not None else {}
    state["topology"] = compare_snapshot(inventory, directory) if _has_topology(inventory, directory) or \
        config.getoption("live") else []
    config.stash[LIVE_KEY] = state


def _has_topology(inventory: Inventory, directory: Path) -> bool:
    from sfbcheck.evidence import evidence_path

    path = evidence_path(directory, inventory.cms_master.fqdn)
    try:
        return path.is_file() and b'"CsTopology"' in path.read_bytes()
    except OSError:
        return False


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash.get(LIVE_KEY, None)
    if not state:
        return
    outcomes = state.get("outcomes") or []
    if outcomes:
        terminalreporter.section("live collection")
        for outcome in outcomes:
            terminalreporter.write_line(printable(f"{outcome.server}: {outcome.status} ({outcome.detail})"))
        terminalreporter.write_line(f"snapshot: {state['out']} (judge it again with --evidence)")
    if state.get("topology"):
        terminalreporter.section("published topology vs inventory")
        for line in state["topology"]:
            terminalreporter.write_line(printable(line))


# -- testinfra hosts ---------------------------------------------------------------------------------
def testinfra_host(inventory: Inventory, server: Server, *, insecure: bool = False) -> Any:
    """A testinfra Host for an inventory server, over WinRM with the inventory's connection settings."""
    import testinfra.host
    from testinfra.backend import base as testinfra_base
    from testinfra.backend.winrm import WinRMBackend

    from sfbcheck.live.transport import WinRMSession, settings_for

    source = str(inventory.source.parent) if inventory.source else None
    settings = settings_for(server.fqdn, server.member.connection, insecure=insecure, base_dir=source)

    class InventoryWinRMBackend(WinRMBackend):
        def __init__(self) -> None:  # the connection comes from the inventory, not from a host spec
            testinfra_base.BaseBackend.__init__(self, server.fqdn)
            # no local of any frame holds the password (tracebacks with --showlocals)
            self.conn_args = WinRMSession(settings).protocol_arguments()
            self.host = testinfra_base.HostSpec(server.fqdn, settings.port, self.conn_args["username"], None)

        def get_pytest_id(self) -> str:
            return server.fqdn

    return testinfra.host.Host(InventoryWinRMBackend())


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "host" not in metafunc.fixturenames:
        return
    base.ensure_active(metafunc.config)
    if not metafunc.config.getoption("live"):
        return
    inventory = metafunc.config.stash[base.INVENTORY_KEY]
    servers = [s for s in inventory.servers() if s.member.connection.method == "winrm"]
    metafunc.parametrize("host", [s.fqdn for s in servers], ids=[s.fqdn for s in servers], indirect=True,
                         scope="module")


class InventoryHosts:
    """The ``host`` fixture. Registered by pytest_configure, after every plugin pytest loaded from its entry points,
    so it overrides testinfra's own ``host`` (which would run the commands on this machine) whatever the order."""

    @pytest.fixture(scope="module")
    def host(self, request: pytest.FixtureRequest) -> Any:
        """A testinfra host for one inventory server (WinRM), with ``--live``; the test is skipped otherwise."""
        fqdn = getattr(request, "param", None)
        if fqdn is None:
            pytest.skip("testinfra hosts are the inventory's WinRM servers (connection.method: winrm), collected "
                        "live: run with --live (and --inventory PATH of your deployment)")
        inventory = request.config.stash[base.INVENTORY_KEY]
        return testinfra_host(inventory, inventory.server(fqdn),
                              insecure=bool(request.config.getoption("insecure_skip_tls_verify")))

