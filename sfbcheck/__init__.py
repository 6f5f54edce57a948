"""sfbcheck: compliance tests for on-premises Lync Server 2013 and Skype for Business Server 2015/2019."""

from __future__ import annotations


def sfbcheck_version() -> str:
    """The version of this sfbcheck: the installed distribution's, else the checkout's pyproject.toml."""
    from importlib import metadata

    from sfbcheck.resources import checkout

    root = checkout()
    if root is not None:
        import tomllib

        try:
            return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return ""
    try:
        return metadata.version("sfbcheck")
    except metadata.PackageNotFoundError:
        return ""
