"""``sfbcheck``: the one command (the suite, collection, the topology importer, diffs, the lab, probes, the catalog).

Each subcommand wraps a module that also runs on its own (``python -m sfbcheck.capture`` …); ``python -m pytest``
keeps working for those who prefer pytest's own command line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sfbcheck import sfbcheck_version

# Exit codes of every subcommand (README, "Exit codes"; `sfbcheck --help`).
COMPLIANT = 0  # every selected requirement holds (waived failures and warnings included)
NON_COMPLIANT = 1  # at least one requirement fails on at least one server
USAGE_ERROR = 2  # the command line, the inventory, a marker or a requirement pattern is wrong; nothing was judged
RUN_ERROR = 3  # no requirement failed, but the run could not judge everything (unusable evidence, a crash, ^C)

EXIT_CODES = f"""\
exit codes:
  {COMPLIANT}  compliant: every selected requirement holds (waived failures and warnings do not count)
  {NON_COMPLIANT}  non-compliant: at least one requirement fails on at least one server
  {USAGE_ERROR}  usage error: bad command line, inventory, marker or requirement pattern; nothing was judged
  {RUN_ERROR}  error in the run: nothing failed, but something could not be judged (unusable or missing
     evidence, a crash, an interruption); the reports say which server and why
"""

DESCRIPTION = """\
Compliance checks for on-premises Lync Server 2013 and Skype for Business Server 2015/2019.

  sfbcheck run                                   the sample lab (reports in ./reports)
  sfbcheck run my-deployment/inventory.yml -m edge
  sfbcheck collect my-deployment/inventory.yml   evidence over WinRM into a snapshot
  sfbcheck requirements -m edge                  the catalog; sfbcheck explain EDGE-ROUTE-01
"""


def _add_run(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="run the compliance tests (the shipped ones, plus your own test folders)",
                         description="Judge a deployment: every requirement of the catalog, on every server of the "
                                     "inventory. Reports go to ./reports (HTML, JUnit XML, JSON, matrix).",
                         epilog=EXIT_CODES + "\nAny other option is passed on to pytest (e.g. --tb=long, -x).",
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("paths", nargs="*", metavar="[INVENTORY] [TESTS]",
                     help="the inventory YAML (default: the sample lab), then any folders or files of your own "
                          "tests to run next to the shipped ones")
    run.add_argument("-m", dest="markexpr", metavar="EXPR", help="marker expression: edge, 'certstore and not owas'")
    run.add_argument("-k", dest="keyword", metavar="EXPR", help="keyword expression: EDGE-ROUTE-01, persistent_route")
    run.add_argument("--requirement", action="append", metavar="IDS",
                     help="only these requirements: IDs or patterns, comma-separated (EDGE-ROUTE-01,STORE-*)")
    run.add_argument("--evidence", metavar="DIR", help="judge this snapshot (default: the inventory's evidence/)")
    run.add_argument("--report-dir", metavar="DIR", default="reports", help="where the reports go (default: ./reports)")
    run.add_argument("-n", dest="workers", metavar="N", help="parallel workers (pytest-xdist), e.g. 2 or auto")
    run.add_argument("--live", action="store_true", help="collect every WinRM server first, then judge that snapshot")
    run.add_argument("--probe", action="store_true", help="run the DNS/TLS/HTTP probes from here first (runner.json)")
    run.add_argument("--waivers", metavar="PATH", help="accepted exceptions (default: waivers.yml by the inventory)")
    run.add_argument("--compare", metavar="PATH", help="previous JSON results to report drift against")
    run.add_argument("-q", "--quiet", action="store_true", help="less output")
    run.set_defaults(handler=_run)


def _split_paths(paths: list[str]) -> tuple[str | None, list[str]]:
    """``[INVENTORY] [TESTS …]``: the first path is the inventory when it is a YAML file."""
    if paths and Path(paths[0]).suffix.lower() in (".yml", ".yaml"):
        return paths[0], paths[1:]
    return None, paths


def pytest_arguments(args: argparse.Namespace, extra: Sequence[str]) -> list[str]:
    """The pytest command line of ``sfbcheck run``: path options with ``=``, the plugins loaded up front."""
    from sfbcheck import resources

    inventory, tests = _split_paths(args.paths)
    out = ["-p", "sfbcheck.plugin", "-p", "sfbcheck.live.plugin", "-p", "no:cacheprovider", f"--rootdir={Path.cwd()}",
           "-ra", "--tb=short", "-o", "junit_family=xunit1", "-o", "junit_suite_name=sfbcheck",
           "-o", "junit_logging=no", "-o", "xfail_strict=true", "--strict-markers",
           "--capture=sys"]  # the checks never write to file descriptors: fd capture is a tenth of a large run
    out.append(f"--inventory={Path(inventory).resolve() if inventory else resources.sample_inventory()}")
    for option, value in (("--evidence", args.evidence), ("--report-dir", args.report_dir),
                          ("--waivers", args.waivers), ("--compare", args.compare)):
        if value:
            out.append(f"{option}={Path(value).resolve()}")
    for pattern in args.requirement or ():
        out.append(f"--requirement={pattern}")
    if args.markexpr:
        out += ["-m", args.markexpr]
    if args.keyword:
        out += ["-k", args.keyword]
    if args.workers:
        out += ["-n", str(args.workers), "--dist", "loadgroup"]
    out += [flag for flag, on in (("--live", args.live), ("--probe", args.probe), ("-q", args.quiet)) if on]
    out += list(extra)
    out += [str(resources.suite_dir()), *(str(Path(t).resolve()) for t in tests)]
    return out


class _Verdict:
    """Sees every result of the run (in the controller) to tell compliant, non-compliant and run errors apart."""

    def __init__(self) -> None:
        self.failed = 0
        self.errors = 0

    def pytest_runtest_logreport(self, report: object) -> None:
        from sfbcheck.report import results

        outcome = results.outcome_of(report)
        if outcome == "failed":
            self.failed += 1
        elif outcome in ("error", "xpassed"):
            self.errors += 1

    def pytest_collectreport(self, report: object) -> None:
        if getattr(report, "failed", False):
            self.errors += 1


def exit_code(pytest_status: int, verdict: _Verdict) -> int:
    """sfbcheck's exit code from pytest's and the results (see EXIT_CODES)."""
    if pytest_status in (4, 5):  # usage error, or nothing selected
        return USAGE_ERROR
    if verdict.failed:
        return NON_COMPLIANT
    if verdict.errors or pytest_status not in (0, 1):
        return RUN_ERROR
    return COMPLIANT if pytest_status == 0 else RUN_ERROR


def _run(args: argparse.Namespace, extra: list[str]) -> int:
    import pytest

    verdict = _Verdict()
    status = int(pytest.main(pytest_arguments(args, extra), plugins=[verdict]))
    if status == 5:
        print("sfbcheck: nothing selected: check -m, -k and --requirement (sfbcheck requirements lists them)",
              file=sys.stderr)
    return exit_code(status, verdict)


# -- the wrapped modules ------------------------------------------------------------------------------------
def _wrap(sub: argparse._SubParsersAction, name: str, help_text: str, main: Callable[[], Callable[..., int]],
          usage: str) -> None:
    """A subcommand that hands its arguments to a module's own ``main`` (its --help is that module's)."""
    parser = sub.add_parser(name, help=help_text, add_help=False, usage=usage)
    parser.set_defaults(handler=lambda args, extra: main()(extra), passthrough=True)


def _capture_main() -> Callable[..., int]:
    from sfbcheck import capture

    return capture.main


def _topology_main() -> Callable[..., int]:
    from sfbcheck import topology

    return topology.main


def _diff_main() -> Callable[..., int]:
    from sfbcheck import diff

    return diff.main


def _lab_main() -> Callable[..., int]:
    from sfbcheck.lab import __main__ as lab

    return lab.main


def _probe_main() -> Callable[..., int]:
    from sfbcheck.probes import __main__ as probes

    return probes.main


def _inventory_first(main: Callable[[], Callable[..., int]]) -> Callable[[], Callable[..., int]]:
    """``sfbcheck collect INVENTORY …`` as well as ``--inventory INVENTORY``."""
    def wrapped() -> Callable[..., int]:
        target = main()

        def call(argv: list[str]) -> int:
            if argv and not argv[0].startswith("-"):
                argv = ["--inventory", argv[0], *argv[1:]]
            return target(argv)
        return call
    return wrapped


def build_parser() -> argparse.ArgumentParser:
    from sfbcheck import explain

    parser = argparse.ArgumentParser(prog="sfbcheck", description=DESCRIPTION, epilog=EXIT_CODES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"sfbcheck {sfbcheck_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_run(sub)
    _wrap(sub, "collect", "collect every server's evidence over WinRM into a snapshot (read-only)",
          _inventory_first(_capture_main), "sfbcheck collect INVENTORY [--out DIR] [--concurrency N]")
    _wrap(sub, "import-topology", "turn a topology export (.tbxml, Get-CsTopology -AsXml) into an inventory",
          _topology_main, "sfbcheck import-topology FILE --out inventory.yml")
    _wrap(sub, "diff", "what changed between two evidence snapshots", _diff_main,
          "sfbcheck diff OLD_DIR NEW_DIR [--summary] [--limit N]")
    _wrap(sub, "lab", "write the sample lab (a Contoso deployment with documented faults)", _lab_main,
          "sfbcheck lab [--out DIR] [--clean | --fault NAME ...] [--list]")
    _wrap(sub, "probe", "run the DNS, TLS and HTTP probes from this machine (runner.json)",
          _inventory_first(_probe_main), "sfbcheck probe INVENTORY [--out DIR]")
    explain.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "passthrough", False) and args.command != "run":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return int(args.handler(args, extra))
    except KeyboardInterrupt:
        return RUN_ERROR


if __name__ == "__main__":
    sys.exit(main())
