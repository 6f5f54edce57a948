"""Where the files sfbcheck ships are: the compliance tests, the collector and the sample lab.

In a source checkout (and an editable install of it) they are at their places in the repository: ``tests/``,
``collector/``, ``inventories/lab/``. An installed copy (``pip install <checkout>`` or the wheel) carries them as
package data: the tests as the ``sfbcheck_suite`` package next to ``sfbcheck``, the collector and the lab under
``sfbcheck/shipped/`` (see ``[tool.setuptools]`` in pyproject.toml). The shipped copies are read-only: nothing
sfbcheck writes (reports, snapshots, runner probes) goes into the installation; it goes to the current directory
or to the directories given on the command line.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
COLLECTOR_NAME = "Collect-SfbEvidence.ps1"


@cache
def checkout() -> Path | None:
    """The source checkout this package runs from, or None for an installed copy."""
    root = PACKAGE.parent
    markers = (root / "pyproject.toml", root / "tests", root / "collector" / COLLECTOR_NAME)
    return root if all(m.exists() for m in markers) else None


def suite_dir() -> Path:
    """The directory of the shipped compliance tests (``tests/``)."""
    root = checkout()
    return root / "tests" if root else PACKAGE.parent / "sfbcheck_suite"


def collector_script() -> Path:
    """The read-only PowerShell collector."""
    root = checkout()
    return root / "collector" / COLLECTOR_NAME if root else PACKAGE / "shipped" / "collector" / COLLECTOR_NAME


def sample_inventory() -> Path:
    """The sample lab's inventory (Contoso, with the documented demo faults): used read-only."""
    root = checkout()
    lab = root / "inventories" / "lab" if root else PACKAGE / "shipped" / "lab"
    return lab / "inventory.yml"


def is_shipped(path: Path) -> bool:
    """True for a path inside an installed copy of sfbcheck (a place sfbcheck never writes to)."""
    if checkout() is not None:
        return False
    path = path.resolve()
    return any(root == path or root in path.parents for root in (PACKAGE, PACKAGE.parent / "sfbcheck_suite"))
