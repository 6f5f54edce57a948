"""The evidence itself: fresh, of one snapshot, from a supported collector (own requirement)."""

from datetime import UTC, datetime

import pytest

from sfbcheck.checks import freshness
from sfbcheck.plugin import assert_compliant

RUN_STARTED = datetime.now(UTC)


@pytest.mark.requirement("EVID-01")
def test_evidence_is_fresh(server, snapshot):
    """EVID-01: collected within policy.evidence_max_age_hours of the run and policy.evidence_max_spread_hours of
    the newest server of the snapshot, by a supported collector version."""
    assert_compliant(freshness.fresh_evidence(server, snapshot, RUN_STARTED))
