"""Edge routing (seed 000, "Routing"): the default gateway outside, persistent routes inside."""

import pytest

from sfbcheck.checks import routing
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("EDGE-NIC-01")
def test_single_default_route_on_external_interface(edge):
    """EDGE-NIC-01: exactly one default route, on the external interface; none on the internal one (000)."""
    assert_compliant(routing.default_gateway(edge))


@pytest.mark.requirement("EDGE-ROUTE-01")
def test_internal_subnet_has_persistent_route(edge, internal_subnet):
    """EDGE-ROUTE-01: each internal subnet is reached by a persistent route via the internal DMZ gateway (000)."""
    assert_compliant(routing.persistent_route(edge, internal_subnet))


@pytest.mark.requirement("EDGE-ROUTE-02")
def test_persistent_routes_use_internal_next_hop(edge):
    """EDGE-ROUTE-02: every persistent route's next hop lies in the internal interface's subnet (000)."""
    assert_compliant(routing.persistent_next_hops(edge))
