"""sfbcheck: Skype for Business / Lync Server compliance tests. The plugin does the work."""

pytest_plugins = ("sfbcheck.plugin", "sfbcheck.live.plugin")
