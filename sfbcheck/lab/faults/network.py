"""Edge routing faults from seed 000 ("Routing")."""

from sfbcheck.lab.faults import fault
from sfbcheck.lab.model import Lab

EDGE1, EDGE2 = "edge01.contoso.local", "edge02.contoso.local"


def _routes(lab: Lab, fqdn: str) -> list[dict]:
    return lab.sections(fqdn)["NetRoute"]


@fault("edge02-route-not-persistent", "EDGE-ROUTE-01", EDGE2,
       "route add without -p: the route to 10.20.0.0/16 is only in the ActiveStore and is lost at the next reboot")
def route_not_persistent(lab: Lab) -> None:
    routes = _routes(lab, EDGE2)
    routes[:] = [r for r in routes
                 if not (r["DestinationPrefix"] == "10.20.0.0/16" and r["Store"] == "PersistentStore")]


@fault("edge01-route-missing", "EDGE-ROUTE-01", EDGE1,
       "no static route at all to 10.10.0.0/16: replies to the CMS leave through the external default gateway")
def route_missing(lab: Lab) -> None:
    routes = _routes(lab, EDGE1)
    routes[:] = [r for r in routes if r["DestinationPrefix"] != "10.10.0.0/16"]


@fault("edge01-internal-default-gateway", "EDGE-NIC-01", EDGE1,
       "a default gateway is also set on the internal interface (two default routes)")
def internal_default_gateway(lab: Lab) -> None:
    for store in ("ActiveStore", "PersistentStore"):
        _routes(lab, EDGE1).append({"DestinationPrefix": "0.0.0.0/0", "NextHop": "172.16.10.1",
                                    "InterfaceAlias": "Internal", "InterfaceIndex": 12, "RouteMetric": 0,
                                    "AddressFamily": "IPv4", "Store": store})


@fault("edge02-persistent-route-foreign-next-hop", "EDGE-ROUTE-02", EDGE2,
       "an extra persistent route points at a next hop outside the internal subnet (a typo in the gateway)")
def foreign_next_hop(lab: Lab) -> None:
    for store in ("ActiveStore", "PersistentStore"):
        _routes(lab, EDGE2).append({"DestinationPrefix": "10.30.0.0/16", "NextHop": "172.16.11.1",
                                    "InterfaceAlias": "Internal", "InterfaceIndex": 12, "RouteMetric": 1,
                                    "AddressFamily": "IPv4", "Store": store})
