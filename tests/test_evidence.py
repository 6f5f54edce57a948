"""The evidence itself (catalog extension): every section a server's roles need is there and well-formed."""

import pytest

from sfbcheck.checks import evidence_sections
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("EVID-02")
def test_sections_present_and_well_formed(server):
    """EVID-02: every section the server's roles need is present, collected (no Error record) and well-formed;
    one result per server naming the section, the collector's message and the requirements left unjudged (own)."""
    assert_compliant(evidence_sections.sections_well_formed(server))
