"""Packaging: what pyproject.toml declares, and the wheel installed into a fresh environment, run from an empty
folder (the sample lab's reports land there, never in the installation)."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from packaging.requirements import Requirement

from selftest.harness import PROJECT, latest_results

PYPROJECT = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
WHEELHOUSE = Path(sys.prefix) / "wheelhouse"  # scripts/setup.sh --dev: the pinned runtime wheels
TIMEOUT = 120


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-") and "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def test_every_package_of_sfbcheck_is_listed():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(PROJECT).parts) for p in (PROJECT / "sfbcheck").rglob("*.py")
             if "__pycache__" not in p.parts}
    assert found - listed == set(), "add these packages to [tool.setuptools] packages in pyproject.toml"


def test_dependencies_are_ranges_that_the_pins_satisfy():
    pins = _pins(PROJECT / "requirements.txt")
    for spec in PYPROJECT["project"]["dependencies"]:
        req = Requirement(spec)
        name = req.name.lower().replace("_", "-")
        assert "==" not in spec, f"{spec}: a range in pyproject.toml; the exact version goes in requirements.txt"
        assert name in pins, f"{name} is declared but not pinned in requirements.txt"
        assert req.specifier.contains(pins[name]), f"requirements.txt pins {name}=={pins[name]} outside {spec}"
    assert "kerberos" in PYPROJECT["project"]["optional-dependencies"]


def test_entry_points_and_conftest_name_the_plugins_alike():
    """The pytest11 names are the module names conftest.py lists, so an installed checkout registers each once."""
    entry = PYPROJECT["project"]["entry-points"]["pytest11"]
    assert all(name == module for name, module in entry.items())
    tree = ast.parse((PROJECT / "conftest.py").read_text(encoding="utf-8"))
    listed = next(ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                  and node.targets[0].id == "pytest_plugins")
    assert set(listed) == set(entry)
    assert PYPROJECT["project"]["scripts"]["sfbcheck"] == "sfbcheck.cli:main"


def _copy_sources(target: Path) -> Path:
    """The checkout without its build products, environments and reports (the build writes into its source)."""
    ignore = shutil.ignore_patterns(".git", ".venv", "reports", "build", "*.egg-info", "__pycache__", ".pytest_cache",
                                    ".ruff_cache", ".hypothesis", "snapshots", "selftest", "bench", "docs")
    shutil.copytree(PROJECT, target, ignore=ignore)
    return target


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)


def _results(report_dir: Path, name: str = "latest.json") -> list[dict]:
    return json.loads((report_dir / name).read_text(encoding="utf-8"))["results"]


def test_wheel_installs_into_a_fresh_environment_and_runs_from_an_empty_folder(tmp_path):
    assert WHEELHOUSE.is_dir(), f"{WHEELHOUSE} is missing: bash scripts/setup.sh --dev downloads the pinned wheels"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHON", "VIRTUAL_ENV", "PIP_"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    dist = tmp_path / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                  "-w", str(dist), str(_copy_sources(tmp_path / "src"))], tmp_path, env)
    assert built.returncode == 0, built.stderr
    wheel = next(dist.glob("sfbcheck-*.whl"))
    _assert_ships_the_data(wheel)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=TIMEOUT)
    python, bindir = venv / "bin" / "python", venv / "bin"
    installed = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-index",
                      "--no-compile", "--find-links", str(WHEELHOUSE), str(wheel)], tmp_path, env)
    assert installed.returncode == 0, installed.stderr
    site = Path(_run([str(python), "-c", "import sfbcheck, pathlib; print(pathlib.Path(sfbcheck.__file__).parent)"],
                     tmp_path, env).stdout.strip())
    assert site.parent.name == "site-packages"
    shipped = sorted(p.relative_to(site.parent) for p in site.parent.rglob("*") if p.is_file())

    # 1. sfbcheck run, from an empty folder: the sample lab (with its demo faults), reports in ./reports
    empty = tmp_path / "empty"
    empty.mkdir()
    run = _run([str(bindir / "sfbcheck"), "run", "-q"], empty, env)
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    results = _results(empty / "reports")
    assert len(results) > 100 and {"passed", "failed"} <= {r["outcome"] for r in results}
    assert [r["message"] for r in results if r["outcome"] == "error"] == []

    # 2. a deployment of one's own, in a folder with a space, selected by marker
    deployment = tmp_path / "my deployment"
    lab = _run([str(bindir / "sfbcheck"), "lab", "--out", str(deployment)], empty, env)
    assert lab.returncode == 0, lab.stderr
    edge = _run([str(bindir / "sfbcheck"), "run", str(deployment / "inventory.yml"), "-m", "edge", "-q",
                 "--report-dir", "edge-reports"], empty, env)
    assert edge.returncode == 1, edge.stdout[-2000:]
    hosts = {r["host"] for r in _results(empty / "edge-reports", _latest(empty / "edge-reports"))}
    assert hosts and all(h.startswith("edge") for h in hosts)

    # 3. plain pytest from any folder: the plugin comes from the entry point, the option with a space or "="
    other = tmp_path / "other"
    other.mkdir()
    for form in (["--inventory", str(deployment / "inventory.yml")], [f"--inventory={deployment / 'inventory.yml'}"]):
        plain = _run([str(bindir / "pytest"), *form, "-k", "EDGE-ROUTE-01", "-q", "-p", "no:cacheprovider", "-p",
                      "no:html"], other, env)
        assert plain.returncode == 1, plain.stdout[-2000:] + plain.stderr[-2000:]
        reports = other / "reports"
        assert {r["requirement"] for r in _results(reports, _latest(reports))} == {"EDGE-ROUTE-01"}
        shutil.rmtree(reports)

    # 4. a deployment folder with its own pytest.ini
    (deployment / "pytest.ini").write_text("[pytest]\nsfbcheck_inventory = inventory.yml\n"
                                           "sfbcheck_report_dir = out\n", encoding="utf-8")
    ini = _run([str(bindir / "pytest"), "--requirement", "EDGE-ROUTE-01", "-q", "-p", "no:cacheprovider", "-p",
                "no:html"], deployment, env)
    assert ini.returncode == 1, ini.stdout[-2000:] + ini.stderr[-2000:]
    assert {r["requirement"] for r in _results(deployment / "out", _latest(deployment / "out"))} == {"EDGE-ROUTE-01"}

    # nothing was written into the installation
    assert sorted(p.relative_to(site.parent) for p in site.parent.rglob("*") if p.is_file()
                  and "__pycache__" not in p.parts) == [p for p in shipped if "__pycache__" not in p.parts]


def _assert_ships_the_data(wheel: Path) -> None:
    """Every data file of sfbcheck/ (catalog, service and build tables, report templates), the tests, the collector
    and the sample lab are in the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    data = {p.relative_to(PROJECT).as_posix() for p in (PROJECT / "sfbcheck").rglob("*")
            if p.is_file() and p.suffix in (".yml", ".json", ".html", ".css") and "__pycache__" not in p.parts}
    tests = {f"sfbcheck_suite/{p.name}" for p in (PROJECT / "tests").glob("test_*.py")}
    lab = {f"sfbcheck/shipped/lab/{p.relative_to(PROJECT / 'inventories' / 'lab').as_posix()}"
           for p in (PROJECT / "inventories" / "lab").rglob("*") if p.is_file() and "snapshots" not in p.parts}
    shipped = {"sfbcheck/shipped/collector/Collect-SfbEvidence.ps1", *data, *tests, *lab}
    assert shipped - names == set()


def _latest(report_dir: Path) -> str:
    """The results file a (possibly partial) run wrote last."""
    found = latest_results(report_dir)
    assert found is not None, f"no results in {report_dir}"
    return found.name
