"""``python -m sfbcheck.probes --inventory FILE [--out DIR]``: run the runner probes, write runner.json."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

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
    path = run_runner_probes(inventory, args.out or inventory.evidence_dir)
    sections = json.loads(path.read_text(encoding="utf-8"))["Sections"]
    dns = sections["DnsQuery"]
    failed = sum(1 for r in dns if r["Status"] not in ("NOERROR", "NODATA", "NXDOMAIN"))
    print(f"wrote {path}: {len(dns)} DNS answers ({failed} without a usable answer), "
          f"{len(sections['HttpProbe'])} HTTP probes, {len(sections['TlsVersionProbe'])} TLS version probes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
