"""Fixtures of the self-tests: one clean lab per test process (keys in memory), temporary copies per test."""

from __future__ import annotations

import pytest
from hypothesis import settings

from sfbcheck.lab.build import build_lab
from sfbcheck.lab.model import Lab


@pytest.fixture(scope="session")
def clean_lab() -> Lab:
    """The clean sample lab, built once per process: every implemented requirement passes on it."""
    return build_lab()


@pytest.fixture
def lab(clean_lab: Lab) -> Lab:
    """A private copy of the clean lab that a test may change."""
    return clean_lab.copy()


# hypothesis: the CI run (the default here) draws the same 100 examples every time, so a red CI is a change of
# the code, never a new draw; `--hypothesis-profile=nightly` explores with fresh random draws, 5,000 per test
# (what it finds goes into a fixed self-test, as the fuzz test's findings did in test_false_passes.py)
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("nightly", max_examples=5000, deadline=None)
settings.load_profile("ci")
