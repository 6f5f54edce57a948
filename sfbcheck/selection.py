"""Markers and selection: the markers the plugin registers, ``--requirement`` patterns, and ``-m`` names.

Every marker a compliance test can carry is registered here (so ``--strict-markers`` and ``pytest --markers``
work in any folder, not only in the checkout): the roles, the areas of the catalog, the impacts. An ``-m``
expression that names a marker nobody knows is a usage error that lists the known ones, instead of a run that
silently selects nothing.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable

import pytest

from sfbcheck.catalog import IMPACTS, Requirement

MARKERS = {
    "edge": "Edge servers and Edge pools",
    "frontend": "Front End servers and pools",
    "director": "Director servers",
    "owas": "Office Web Apps servers",
    "mediation": "Mediation servers",
    "cms": "checks run on or from the Central Management Store Front End",
    "routing": "routes and default gateways",
    "firewall": "ports that must be open between servers",
    "dns": "DNS records, DNS suffix, hosts file, name resolution",
    "schannel": "SCHANNEL registry values",
    "tls": "TLS protocol versions",
    "certificates": "assigned certificates, their names, chains and keys",
    "certstore": "certificate-store hygiene (LocalMachine My, Root, CA)",
    "replication": "CMS replication",
    "services": "Windows services and event logs",
    "backup": "backup pools and resiliency",
    "hybrid": "hybrid and federation",
    "oauth": "server-to-server authentication",
    "version": "product version, updates, operating system, database schema",
    "pool": "local stores and pool health (SQL Express instances, quorum, DNS, addresses)",
    "evidence": "the evidence itself (freshness, completeness)",
    "hygiene": "server platform hygiene: power plan, sizing, free disk space, reboots",
}
_EXPRESSION_WORDS = {"and", "or", "not", "True", "False", "None"}
_IDENT = re.compile(r"(?:\w|:|\+|-|\.|\[|\]|\\|/)+")  # what pytest's -m/-k scanner takes for one name
_ARGUMENTS = re.compile(r"\([^)]*\)")  # -m "marker(key=value)"


def register_markers(config: pytest.Config, requirements: Iterable[Requirement]) -> None:
    names = dict(MARKERS)
    for req in requirements:
        for name in req.markers:
            names.setdefault(name, "requirements of this area (sfbcheck catalog)")
    for impact in IMPACTS:
        names[impact] = f"impact {impact}"
    for name, description in names.items():
        config.addinivalue_line("markers", f"{name}: {description}")


def registered_markers(config: pytest.Config) -> set[str]:
    return {line.split(":", 1)[0].split("(", 1)[0].strip() for line in config.getini("markers")}


def marker_names(expression: str) -> list[str]:
    """The marker names an ``-m`` expression uses (``"edge and not (owas or cms)"`` -> edge, owas, cms)."""
    names = _IDENT.findall(_ARGUMENTS.sub(" ", expression))
    return [n for n in dict.fromkeys(names) if n not in _EXPRESSION_WORDS]


def check_marker_expression(expression: str, known: set[str]) -> None:
    unknown = [name for name in marker_names(expression) if name not in known]
    if unknown:
        shown = ", ".join(sorted(n for n in known if not n.startswith("sfb") and n not in _PYTEST_BUILTIN))
        raise pytest.UsageError(f"-m {expression!r}: unknown marker {', '.join(map(repr, unknown))}. "
                                f"Known markers: {shown}")


_PYTEST_BUILTIN = {"filterwarnings", "skip", "skipif", "xfail", "parametrize", "usefixtures", "tryfirst", "trylast",
                   "no_cover", "xdist_group", "hypothesis"}


def requirement_patterns(values: Iterable[str]) -> list[str]:
    """``--requirement EDGE-ROUTE-01,STORE-*`` (repeatable) -> the patterns, upper-case."""
    return [p.strip().upper() for value in values for p in value.split(",") if p.strip()]


def check_requirement_patterns(patterns: list[str], known: Iterable[str]) -> None:
    known = list(known)
    unmatched = [p for p in patterns if not fnmatch.filter(known, p)]
    if unmatched:
        raise pytest.UsageError(f"--requirement: {', '.join(unmatched)} matches no requirement of the catalog "
                                "(sfbcheck requirements lists them)")


def wanted(requirement_id: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(requirement_id.upper(), p) for p in patterns)


# -- what a run selected, and the name its reports go under ------------------------------------------------
FULL_RUN_NAME = "latest"


def run_selection(config: pytest.Config) -> dict[str, object]:
    """What this run selected beyond the test paths: ``-m``, ``-k``, ``--requirement``, ``--deselect``, ``--lf``.

    A *partial* run (any of them) writes its ``latest-<selection>.*`` reports and compares its drift with the
    previous run of the same selection (or, the first time, with the last full run, on what it selected), so
    ``latest.*`` always holds a full run and a full run never compares with a partial one.
    """
    markers = str(config.getoption("markexpr", "") or "")
    keywords = str(config.getoption("keyword", "") or "")
    requirements = requirement_patterns(config.getoption("requirement", None) or [])
    deselect = list(config.getoption("deselect", None) or [])
    last_failed = bool(config.getoption("lf", False) or config.getoption("stepwise", False))
    partial = bool(markers or keywords or requirements or deselect or last_failed)
    some_tests = _some_of_the_suite(config)
    parts = [f"m-{markers}" if markers else "", f"k-{keywords}" if keywords else "",
             f"req-{','.join(requirements)}" if requirements else "", f"deselect-{len(deselect)}" if deselect else "",
             "lf" if last_failed else ""]
    return {"markers": markers, "keywords": keywords, "requirements": requirements,
            "partial": partial or some_tests, "paths": some_tests,
            "name": report_name([p for p in parts if p]) if partial else FULL_RUN_NAME}


def _some_of_the_suite(config: pytest.Config) -> bool:
    """True when the test paths pick only some of the shipped tests (``tests/test_dns.py``, a node id): such a run
    keeps the ``latest`` name, but its drift, and the next run's, compare only what both selected."""
    from sfbcheck.resources import suite_dir

    suite = suite_dir().resolve()
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if "::" in arg and (path == suite or suite in path.parents):
            return True
        if suite in path.parents:
            return True
    return False


def report_name(parts: list[str]) -> str:
    """``latest-m-edge``, ``latest-req-EDGE-ROUTE-01``: a file-name-safe name for a selection."""
    slug = re.sub(r"[^A-Za-z0-9.,=+-]+", "_", "_".join(parts)).strip("_.")
    if len(slug) > 60:
        import hashlib

        slug = f"{slug[:48]}-{hashlib.sha256(slug.encode()).hexdigest()[:10]}"
    return f"{FULL_RUN_NAME}-{slug}"
