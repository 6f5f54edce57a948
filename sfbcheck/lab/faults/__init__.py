"""Documented faults: each one mutates a clean lab the way a seed describes, and names the single
(requirement, host) result it must make fail. The self-tests apply every fault to a clean lab and
prove exactly that result fails; the committed demo lab applies DEMO_FAULTS.

Add a fault with the ``@fault(...)`` decorator in the area module, and import the module below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sfbcheck.lab.model import Lab


@dataclass(frozen=True)
class Fault:
    name: str
    requirement: str
    host: str
    description: str
    apply: Callable[[Lab], None]
    # (requirement, host) results that fail besides (requirement, host), when the seed says they must
    also: tuple[tuple[str, str], ...] = ()
    # (requirement, host) results that error ("cannot judge"): evidence faults leave requirements unjudged
    errors: tuple[tuple[str, str], ...] = ()

    @property
    def expected_failures(self) -> set[tuple[str, str]]:
        return {(self.requirement, self.host), *self.also}

    @property
    def expected_errors(self) -> set[tuple[str, str]]:
        return set(self.errors)


FAULTS: dict[str, Fault] = {}


def fault(name: str, requirement: str, host: str, description: str, also: tuple[tuple[str, str], ...] = (),
          errors: tuple[tuple[str, str], ...] = ()) -> Callable[[Callable[[Lab], None]], Callable[[Lab], None]]:
    def register(fn: Callable[[Lab], None]) -> Callable[[Lab], None]:
        if name in FAULTS:
            raise ValueError(f"fault {name!r} is defined twice")
        FAULTS[name] = Fault(name, requirement, host, description, fn, also, errors)
        return fn

    return register


def apply(lab: Lab, names: list[str]) -> Lab:
    """Apply the named faults, in order, to ``lab`` (in place) and record them."""
    for name in names:
        FAULTS[name].apply(lab)
        lab.applied.append(name)
    return lab


from sfbcheck.lab.faults import (  # noqa: E402,F401  (registers the faults)
    certificates,
    certstore,
    coexistence,
    evidence,
    frontend,
    hygiene,
    network,
    platform,
    probes,
)
from sfbcheck.lab.faults import host as host_faults  # noqa: E402,F401  (not `host`: fault() has a parameter of that name)

# The committed demo lab: a few seeds' faults, so the report shows what a failure looks like.
DEMO_FAULTS = [
    "edge02-route-not-persistent",
    "cms-4443-blocked-to-edge02",
    "edge01-hosts-pool-as-alias",
    "fe02-intermediate-in-root",
    "edge01-duplicate-friendly-name",
    "edge-external-without-online-sip-domain",
    "oauth-https-to-vanity-cname",
]
