"""The project's own tests (not compliance tests): run with `pytest selftest`."""
