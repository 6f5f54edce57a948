"""What the plugin fixes before pytest parses the whole command line (``pytest_load_initial_conftests``).

pytest decides its root directory and configuration file from the command line *before* it loads any plugin, so
it cannot tell that ``/srv/deploy/inventory.yml`` in ``--inventory /srv/deploy/inventory.yml`` is the value of an
option: it takes it for a test path, looks for ``pytest.ini`` around ``/srv/deploy`` instead of the current
directory, and so loses the project's settings (and, without an installed plugin, stops with "unrecognized
arguments"). Once the plugin is loaded (the ``pytest11`` entry point, or ``-p sfbcheck.plugin``), the options are
known: :func:`repair_setup` decides again with the real test paths and, when the answer differs, takes the
configuration pytest would have found had it known the options (its ``addopts`` included).
"""

from __future__ import annotations

import os
import shlex

import pytest

from sfbcheck import resources

_CONFIG_FIELDS = ("_rootpath", "_inipath", "_inicfg", "_inicache", "_ignored_config_files")


def _given_arguments(config: pytest.Config) -> list[str]:
    """The command line as the user gave it, PYTEST_ADDOPTS first (what pytest decided its setup from)."""
    env = os.environ.get("PYTEST_ADDOPTS", "")
    return [*shlex.split(env), *config.invocation_params.args]


def repair_setup(config: pytest.Config, args: list[str]) -> None:
    """Decide the root directory and configuration file again, now that sfbcheck's options are known."""
    from _pytest.config.findpaths import determine_setup

    if not all(hasattr(config, name) for name in _CONFIG_FIELDS):  # another pytest: leave its decision alone
        return
    parser = config._parser
    known = parser.parse_known_args(_given_arguments(config))
    rootpath, inipath, inicfg, ignored = determine_setup(
        inifile=known.inifilename, override_ini=known.override_ini, args=list(known.file_or_dir),
        rootdir_cmd_arg=known.rootdir or None, invocation_dir=config.invocation_params.dir)
    if (rootpath, inipath) == (config.rootpath, config.inipath):
        return
    stale_addopts = list(config.getini("addopts"))
    derived_confcutdir = str(config.inipath.parent if config.inipath else config.rootpath)
    config._rootpath, config._inipath, config._inicfg, config._ignored_config_files = rootpath, inipath, inicfg, \
        ignored
    config._inicache.clear()
    parser.extra_info["rootdir"] = str(rootpath)
    parser.extra_info["inifile"] = str(inipath)
    if stale_addopts and args[:len(stale_addopts)] == stale_addopts:
        del args[:len(stale_addopts)]
    addopts = list(config.getini("addopts"))
    args[:0] = addopts
    namespace = config.known_args_namespace
    namespace.file_or_dir = []
    parser.parse_known_args(args, namespace=namespace)
    config.pluginmanager.consider_preparse(addopts, exclude_only=False)
    if namespace.confcutdir in (None, derived_confcutdir):
        namespace.confcutdir = str(inipath.parent if inipath else rootpath)


def add_shipped_suite(config: pytest.Config, args: list[str], asked: bool) -> None:
    """``pytest --inventory my/inventory.yml`` from any folder: no test path and no ``testpaths`` means the
    shipped compliance tests (only when sfbcheck is asked for, so other projects' runs are left alone)."""
    namespace = config.known_args_namespace
    if not asked or namespace.file_or_dir or config.getini("testpaths") or namespace.pyargs:
        return
    suite = str(resources.suite_dir())
    args.append(suite)
    namespace.file_or_dir = [suite]
