"""``sfbcheck requirements`` (the catalog as a table, filterable) and ``sfbcheck explain ID``.

``explain`` says what a requirement is (title, impact, markers), where it comes from (its source, resolved through
the sources list: the seed's title, or the public page's title and address), why it matters (the test's docstring
and the documented field faults that break it) and how to fix it: the fix the check itself gives when the
documented fault is applied to the sample lab (the same text a failing report shows).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import fnmatch
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from sfbcheck import atomic, resources, sources
from sfbcheck.catalog import IMPACTS, Requirement, catalog


def add_commands(sub: argparse._SubParsersAction) -> None:
    table = sub.add_parser("requirements", help="the requirement catalog as a table (filter by marker, impact, text)",
                           description="The requirement catalog: ID, impact, markers and title of every requirement.")
    table.add_argument("text", nargs="?", default="", help="only requirements whose ID, title or source contain this "
                                                           "(or match it as a pattern: 'STORE-*')")
    table.add_argument("-m", "--marker", action="append", default=[], help="only requirements with this marker "
                                                                          "(repeatable: all must match)")
    table.add_argument("--impact", choices=IMPACTS, action="append", default=[], help="only this impact (repeatable)")
    table.add_argument("--json", action="store_true", help="JSON instead of a table")
    table.set_defaults(handler=lambda args, extra: list_requirements(args))
    one = sub.add_parser("explain", help="what a requirement checks, its source, why it matters and how to fix it",
                         description="Explain one requirement: title, source, why it matters, and the fix.")
    one.add_argument("id", metavar="ID", help="requirement ID, e.g. EDGE-ROUTE-01")
    one.add_argument("--no-example", action="store_true",
                     help="do not run the documented fault on the sample lab (faster; no fix text)")
    one.set_defaults(handler=lambda args, extra: explain(args.id, example=not args.no_example))


def matches(req: Requirement, text: str, markers: list[str], impacts: list[str]) -> bool:
    if impacts and req.impact not in impacts:
        return False
    if any(m not in req.markers for m in markers):
        return False
    if not text:
        return True
    if fnmatch.fnmatchcase(req.id, text.upper()):
        return True
    return any(text.lower() in value.lower() for value in (req.id, req.title, req.source))


def list_requirements(args: argparse.Namespace) -> int:
    found = [r for r in catalog().values() if matches(r, args.text, args.marker, args.impact)]
    if args.json:
        print(json.dumps([{"id": r.id, "impact": r.impact, "markers": list(r.markers), "title": r.title,
                           "source": r.source} for r in found], indent=1))
        return 0
    if not found:
        print("no requirement matches", file=sys.stderr)
        return 1
    width = max(len(r.id) for r in found)
    marks = max(len(", ".join(r.markers)) for r in found)
    print(f"{'ID':{width}}  {'impact':8}  {'markers':{marks}}  title")
    for r in found:
        print(f"{r.id:{width}}  {r.impact:8}  {', '.join(r.markers):{marks}}  {r.title}")
    print(f"\n{len(found)} of {len(catalog())} requirements. sfbcheck explain ID for one; "
          "sfbcheck run --requirement ID,... to run them.")
    return 0


def test_docstrings(requirement_id: str) -> list[str]:
    """The docstrings of the shipped tests marked ``requirement(ID)`` (read from the source, not imported)."""
    out = []
    for path in sorted(resources.suite_dir().glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                if (isinstance(decorator, ast.Call) and getattr(decorator.func, "attr", "") == "requirement"
                        and decorator.args and isinstance(decorator.args[0], ast.Constant)
                        and decorator.args[0].value == requirement_id):
                    doc = ast.get_docstring(node)
                    if doc:
                        out.append(" ".join(doc.split()))
    return out


def example_failure(requirement_id: str) -> list[dict[str, Any]]:
    """Run the requirement's first documented fault on a copy of the sample lab; the problems the check reports."""
    import pytest

    from sfbcheck.lab.build import build_lab
    from sfbcheck.lab.faults import FAULTS, apply

    fault = next((f for f in FAULTS.values() if f.requirement == requirement_id), None)
    if fault is None:
        return []
    found: list[dict[str, Any]] = []

    class Problems:
        def pytest_runtest_logreport(self, report: Any) -> None:
            if report.when == "call" and getattr(report, "host", "") == fault.host:
                found.extend(getattr(report, "problems", []))

    with tempfile.TemporaryDirectory(prefix="sfbcheck-explain-") as work:
        inventory = apply(build_lab(), [fault.name]).write(Path(work) / "lab")
        ini = Path(work) / "pytest.ini"
        atomic.write_text(ini, "[pytest]\n")  # none of the current folder's settings
        with open(os.devnull, "w", encoding="utf-8") as quiet, contextlib.redirect_stdout(quiet):
            pytest.main(["-p", "sfbcheck.plugin", "-p", "sfbcheck.live.plugin", "-p", "no:cacheprovider",
                         "-p", "no:html", "-q", f"-c={ini}", f"--rootdir={work}", "--no-reports",
                         f"--inventory={inventory}", f"--requirement={requirement_id}", str(resources.suite_dir())],
                        plugins=[Problems()])
    return found


def explain(requirement_id: str, example: bool = True) -> int:
    req = catalog().get(requirement_id.upper())
    if req is None:
        near = [r for r in catalog() if r.split("-")[0] == requirement_id.upper().split("-")[0]]
        print(f"sfbcheck: no requirement {requirement_id!r} in the catalog"
              + (f" (did you mean {', '.join(near)}?)" if near else "; sfbcheck requirements lists them"),
              file=sys.stderr)
        return 2
    from sfbcheck.lab.faults import FAULTS

    print(f"{req.id}: {req.title}")
    print(f"impact: {req.impact}    markers: {', '.join(req.markers)}")
    print("source:")
    for line in sources.describe(req.source):
        print(f"  {line}")
    why = test_docstrings(req.id)
    faults = [f for f in FAULTS.values() if f.requirement == req.id]
    if why or faults:
        print("why:")
        for doc in why:
            print(f"  {doc}")
        for f in faults:
            print(f"  seen in the field: {f.description}")
    if example and faults:
        problems = example_failure(req.id)
        if problems:
            print(f"fix (what the check reports for the documented fault {faults[0].name!r} on "
                  f"{faults[0].host}):")
            for problem in problems:
                print(f"  what: {problem['message']}")
                if problem.get("fix"):
                    print("  fix:  " + "\n        ".join(problem["fix"].splitlines()))
    print(f"run it: sfbcheck run INVENTORY --requirement {req.id}")
    return 0
