"""Synthetic deployments of any size, built from the sample lab's pieces (for the benchmark only).

The sample lab has 11 servers in 7 pools (pool01: fe01..fe03, pool02: fe04..fe05, edgepool: edge01..edge02,
owas: owas01, and the one-server pools se01 (Standard Edition), dir01 (Director) and lync01 (Lync Server 2013
Standard Edition)). A deployment of N servers is N // 11 copies of those pools: copy 0 is the lab itself, copy r
renames every pool and member with the suffix ``r{r:03d}`` (``fe01r007.contoso.local``, ``pool02r007``, …; the
prefix is kept, so whatever the lab's builders decide from a name still holds) and moves every IP up by r /24s
inside the same internal subnets. Copy r's Edge pool routes to copy r's pool01, and its pools back each other
up as the lab's do; the CMS stays on the lab's pool01. The N % 11 servers left over are one extra Front End
each in the first copies' pool01. Every section builder of the lab then runs on that inventory, so the
synthetic deployment has every section the lab has and every requirement runs on every server.

Certificates are real (the lab's CAs sign them), but the leaf certificates of one build share one RSA and one
ECDSA key: a fresh RSA key per server would cost ~0.1 s each. CAs keep their own keys.

``python bench/synthetic.py --servers 200 --out DIR [--faults demo|none]`` writes ``DIR/inventory.yml`` and
``DIR/evidence/``.
"""

from __future__ import annotations

import argparse
import copy
import ipaddress
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:  # run as a script from a fresh clone (sfbcheck is not installed)
    sys.path.insert(0, str(PROJECT))

from sfbcheck.lab import pki  # noqa: E402
from sfbcheck.lab.build import build_lab  # noqa: E402
from sfbcheck.lab.faults import DEMO_FAULTS, apply  # noqa: E402
from sfbcheck.lab.model import Lab  # noqa: E402
from sfbcheck.lab.sections import SECTION_BUILDERS  # noqa: E402

SUBNET_STEP = 256  # copy r moves every IP up by r /24s


def _rename(fqdn: str, copy_index: int) -> str:
    if copy_index == 0:
        return fqdn
    host, _, domain = fqdn.partition(".")
    return f"{host}r{copy_index:03d}.{domain}"


def _shift(ip: str, copy_index: int) -> str:
    return str(ipaddress.ip_address(ip) + SUBNET_STEP * copy_index)


def _copy_pools(pools: list[dict[str, Any]], copy_index: int) -> list[dict[str, Any]]:
    """The lab's pools renamed and re-addressed for copy ``copy_index`` (0: the lab's own)."""
    renamed = {p["fqdn"]: _rename(p["fqdn"], copy_index) for p in pools}
    result = []
    for pool in copy.deepcopy(pools):
        pool["fqdn"] = renamed[pool["fqdn"]]
        for field in ("backup", "next_hop"):
            if pool.get(field):
                pool[field] = renamed[pool[field]]
        if pool.get("internal_gateway"):
            pool["internal_gateway"] = _shift(pool["internal_gateway"], copy_index)
        for member in pool["members"]:
            member["fqdn"] = _rename(member["fqdn"], copy_index)
            for field in ("ip", "external_ip"):
                if member.get(field):
                    member[field] = _shift(member[field], copy_index)
        result.append(pool)
    return result


def _extra_front_end(pool: dict[str, Any]) -> None:
    """One more member in a Front End pool, numbered after the lab's highest Front End."""
    last = pool["members"][-1]
    host, _, domain = last["fqdn"].partition(".")
    suffix = host[host.index("r"):] if "r" in host else ""
    member = copy.deepcopy(last)
    member["fqdn"] = f"fe{90 + len(pool['members']):02d}{suffix}.{domain}"
    member["ip"] = str(ipaddress.ip_address(last["ip"]) + 10)
    pool["members"].append(member)


def synthetic_inventory(lab_inventory: dict[str, Any], servers: int) -> dict[str, Any]:
    """The lab's inventory grown to exactly ``servers`` servers (see the module docstring)."""
    unit = sum(len(p["members"]) for p in lab_inventory["pools"])
    if servers < unit:
        raise ValueError(f"a synthetic deployment has at least {unit} servers (one copy of the lab)")
    copies, extra = divmod(servers, unit)
    inventory = copy.deepcopy(lab_inventory)
    inventory["deployment"] = f"Synthetic deployment ({servers} servers, {copies} copies of the sample lab)"
    inventory["pools"] = []
    for index in range(copies):
        pools = _copy_pools(lab_inventory["pools"], index)
        if index < extra:
            _extra_front_end(next(p for p in pools if p["role"] == "frontend"))
        inventory["pools"] += pools
    return inventory


@contextmanager
def shared_leaf_keys() -> Iterator[None]:
    """While building: leaf certificates reuse one key per kind (CA keys stay distinct)."""
    keys = {"rsa": pki.new_key("rsa"), "ec": pki.new_key("ec")}
    make_leaf = pki.make_leaf

    def make_leaf_with_shared_key(*args: Any, kind: str = "rsa", key: Any = None, **kwargs: Any) -> pki.Issued:
        return make_leaf(*args, kind=kind, key=key or keys[kind], **kwargs)

    pki.make_leaf = make_leaf_with_shared_key  # type: ignore[assignment]
    try:
        yield
    finally:
        pki.make_leaf = make_leaf  # type: ignore[assignment]


def build_synthetic(servers: int, faults: list[str] | tuple[str, ...] = (), now: datetime | None = None) -> Lab:
    """A clean synthetic deployment of ``servers`` servers, with ``faults`` (lab faults: copy 0) applied."""
    base = build_lab(now or datetime.now(UTC), builders=[])
    lab = Lab(inventory=synthetic_inventory(base.inventory, servers), now=base.now, pki=base.pki)
    for member in lab.members():
        lab.sections(member["fqdn"])
    lab.runner_sections()
    with shared_leaf_keys():
        for build in SECTION_BUILDERS:
            build(lab)
    return apply(lab, list(faults))


def write_synthetic(servers: int, directory: Path, faults: list[str] | tuple[str, ...] = ()) -> Path:
    """Build and write a synthetic deployment; returns its inventory path."""
    lab = build_synthetic(servers, faults)
    names = ", ".join(faults) or "none"
    header = (f"# GENERATED by bench/synthetic.py: {servers} servers from the sample lab's pieces; "
              f"faults: {names}\n")
    return lab.write(directory, header)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/synthetic.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--faults", choices=("demo", "none"), default="demo",
                        help="apply the sample lab's demo faults to copy 0 (default) or none")
    args = parser.parse_args(argv)
    path = write_synthetic(args.servers, args.out, DEMO_FAULTS if args.faults == "demo" else [])
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
