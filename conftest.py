"""sfbcheck: Skype for Business / Lync Server compliance tests. The plugin does the work.

An installed sfbcheck (``pip install -e .``, as scripts/setup.sh does) loads these plugins early through its
``pytest11`` entry points, under these same names, so pytest skips them here; a checkout that is not installed
loads them from this file.
"""

pytest_plugins = ("sfbcheck.plugin", "sfbcheck.live.plugin")
