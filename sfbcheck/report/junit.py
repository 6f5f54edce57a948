"""JUnit XML: a requirement that could not be judged is an ``<error>``, like unusable evidence, not a ``<failure>``.

pytest's junitxml writes every failed call as a failure; the plugin marks a "cannot judge" result with the
testcase property ``verdict = cannot judge`` and this pass turns its ``<failure>`` into ``<error>`` (and the
suite's counts with it) once the file is written, atomically.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sfbcheck import atomic

VERDICT = ("verdict", "cannot judge")
SEEN_KEY = pytest.StashKey[bool]()  # a cannot-judge result reached the controller: the file needs the pass


def cannot_judge_as_errors(path: Path) -> int:
    """Rewrite ``path`` so cannot-judge testcases are errors; returns how many changed (0: file untouched)."""
    try:
        tree = ET.parse(path)  # noqa: S314 - pytest's own output, read back
    except (OSError, ET.ParseError):
        return 0
    changed = 0
    for suite in tree.getroot().iter("testsuite"):
        moved = 0
        for case in suite.iter("testcase"):
            properties = {(p.get("name"), p.get("value")) for p in case.iter("property")}
            failure = case.find("failure")
            if VERDICT in properties and failure is not None:
                failure.tag = "error"
                moved += 1
        if moved:
            suite.set("failures", str(max(0, int(suite.get("failures", "0")) - moved)))
            suite.set("errors", str(int(suite.get("errors", "0")) + moved))
            changed += moved
    if changed:
        atomic.write_bytes(path, ET.tostring(tree.getroot(), encoding="utf-8", xml_declaration=True))
    return changed
