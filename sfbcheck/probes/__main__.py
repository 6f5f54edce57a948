"""``python -m sfbcheck.probes --inventory FILE [--out DIR]``: run the runner probes, write runner.json.

Exit code 0 when at least one probe got an answer, 1 when every probe failed (no DNS server, Edge or reverse proxy
answered: wrong network, a firewall, or loopback-only mode), 2 on a bad inventory.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sfbcheck import resources
from sfbcheck.errors import InventoryError
from sfbcheck.inventory import load_inventory
from sfbcheck.probes import run_runner_probes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sfbcheck.probes", description=__doc__)
    parser.add_argument("--inventory", type=Path, required=True, help="inventory YAML")
    parser.add_argument("--out", type=Path, default=None,
                        help="evidence directory to write runner.json into (default: the inventory's own)")
    args = parser.parse_args(argv)
    try:
        inventory = load_inventory(args.inventory)
    except InventoryError as exc:
        print(exc, file=sys.stderr)
        return 2
    out = args.out or inventory.evidence_dir
    if resources.is_shipped(out):
        print(f"{out} is the installed sample lab (read-only): give --out DIR", file=sys.stderr)
        return 2
    path = run_runner_probes(inventory, out)
    sections = json.loads(path.read_text(encoding="utf-8"))["Sections"]
    dns = sections["DnsQuery"]
    failed = sum(1 for r in dns if r["Status"] not in ("NOERROR", "NODATA", "NXDOMAIN"))
    print(f"wrote {path}: {len(dns)} DNS answers ({failed} without a usable answer), "
          f"{len(sections['HttpProbe'])} HTTP probes, {len(sections['TlsVersionProbe'])} TLS version probes")
    total, unanswered = answered(sections)
    if total and unanswered == total:
        print(f"every probe failed ({total} of {total} got no answer): is this machine on the deployment's network, "
              "and may it reach the DNS servers, the Edges' internal 443 and the reverse proxy?", file=sys.stderr)
        return 1
    return 0


def unanswered(section: str, record: dict) -> bool:
    """A probe that got no answer at all (a refused TLS version or an NXDOMAIN is an answer)."""
    if section == "DnsQuery":
        return record.get("Status") in ("TIMEOUT", "ERROR")
    if section == "HttpProbe":
        return not record.get("TcpTestSucceeded")
    error = str(record.get("Error") or "")
    return not record.get("Accepted") and not error.startswith("handshake refused")


def answered(sections: dict) -> tuple[int, int]:
    """(probes, probes without an answer) over every section of runner.json."""
    records = [(name, r) for name in ("DnsQuery", "HttpProbe", "TlsVersionProbe") for r in sections.get(name) or []]
    return len(records), sum(1 for name, r in records if unanswered(name, r))


if __name__ == "__main__":
    sys.exit(main())
