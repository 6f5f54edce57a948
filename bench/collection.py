"""Live collection at scale, against loopback WS-Man servers (benchmark only).

``python bench/collection.py --sizes 100,500 [--out FILE]`` builds a synthetic deployment of each size
(bench/synthetic.py), starts one loopback WinRM endpoint per server on 127.0.0.1 (selftest/wsman_loopback.py:
NTLM over HTTPS, as a real server asks) answering with that server's synthetic evidence, points the inventory at
them and runs ``sfbcheck.live.collect.capture`` in this process. It prints JSON: wall time, this runner's CPU
seconds per server, and how many names each server resolves and how many targets it probes (what the
inventory hands the collector: ``collector_parameters``), so a cost that grows with the deployment shows.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]

from synthetic import build_synthetic  # noqa: E402

from selftest.wsman_loopback import LoopbackWinRM, collector_reply, loopback_tls, ntlm_user_file  # noqa: E402
from sfbcheck.inventory import load_inventory  # noqa: E402
from sfbcheck.live.collect import capture, collector_parameters  # noqa: E402

USER, PASSWORD = "CONTOSO\\svc-sfbcheck", "loopback-only-Pa55"


def measure(servers: int, work: Path) -> dict[str, Any]:
    lab = build_synthetic(servers)
    inventory_path = lab.write(work / "deployment")
    os.environ["NTLM_USER_FILE"] = str(ntlm_user_file(work, USER, PASSWORD))
    os.environ["BENCH_WINRM_USER"], os.environ["BENCH_WINRM_PASS"] = USER, PASSWORD
    context, ca_file = loopback_tls(work / "pki")
    data = yaml.safe_load(inventory_path.read_text())
    endpoints = []
    try:
        for pool in data["pools"]:
            for member in pool["members"]:
                document = lab.evidence[member["fqdn"]]
                endpoint = LoopbackWinRM(lambda _invocation, d=document: collector_reply(d), username=USER,
                                         password=PASSWORD, auth="ntlm", tls=context).start()
                endpoints.append(endpoint)
                member["connection"] = {"host": "127.0.0.1", "port": endpoint.port, "scheme": "https",
                                        "auth": "ntlm", "ca_file": str(ca_file), "username_env": "BENCH_WINRM_USER",
                                        "password_env": "BENCH_WINRM_PASS"}
        inventory_path.write_text(yaml.safe_dump(data, sort_keys=False))
        inventory = load_inventory(inventory_path)
        parameters = [collector_parameters(inventory, s) for s in inventory.servers()]
        cpu, wall = time.process_time(), time.perf_counter()
        outcomes = capture(inventory, work / "snapshot")
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        for endpoint in endpoints:
            endpoint.stop()
    names = [len(p["ResolveNames"]) for p in parameters]
    probes = [len(p["ProbeTargets"]) for p in parameters]
    statuses: dict[str, int] = {}
    for outcome in outcomes:
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    count = len(inventory.servers())
    return {"servers": count, "outcomes": statuses,
            "failed": [f"{o.server}: {o.detail}" for o in outcomes if o.status == "failed"][:5],
            "wall_s": round(wall, 2), "runner_cpu_s": round(cpu, 2),
            "runner_cpu_ms_per_server": round(1000 * cpu / count, 1),
            "names_per_server": {"median": statistics.median(names), "max": max(names)},
            "probe_targets_per_server": {"median": statistics.median(probes), "max": max(probes)}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/collection.py", description=__doc__)
    parser.add_argument("--sizes", default="100,500", type=lambda s: [int(x) for x in s.split(",") if x])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    found = []
    for servers in args.sizes:
        with tempfile.TemporaryDirectory(prefix="sfbcheck-collect-") as work:
            found.append(measure(servers, Path(work)))
            print(json.dumps(found[-1]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(found, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
