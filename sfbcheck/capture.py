"""``python -m sfbcheck.capture --inventory FILE --out DIR``: collect every server's evidence into a snapshot.

Servers with ``connection.method: winrm`` are collected over WinRM (credentials from the environment variables
the inventory names, a keyring or the Kerberos cache); ``file`` servers are not contacted, their JSON is copied
from the inventory's evidence directory. Judge the snapshot later with ``pytest --evidence DIR``.
Exit code 0 if every server was collected, 1 if any failed (its file then holds the reason), 2 on a bad
inventory.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from sfbcheck import resources
from sfbcheck.errors import InventoryError
from sfbcheck.inventory import load_inventory
from sfbcheck.live.collect import capture
from sfbcheck.text import printable
from sfbcheck.topology import compare_snapshot


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sfbcheck.capture", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inventory", type=Path, required=True, help="inventory YAML")
    parser.add_argument("--out", type=Path, default=None,
                        help="snapshot directory (default: snapshots/<UTC time> next to the inventory)")
    parser.add_argument("--concurrency", type=int, default=None, help="servers at a time (policy.live_concurrency)")
    parser.add_argument("--insecure-skip-tls-verify", action="store_true",
                        help="DANGEROUS: do not validate the WinRM servers' HTTPS certificates")
    args = parser.parse_args(argv)
    try:
        inventory = load_inventory(args.inventory)
    except InventoryError as exc:
        print(exc, file=sys.stderr)
        return 2
    beside = Path.cwd() if resources.is_shipped(args.inventory) else args.inventory.resolve().parent  # never into
    out = args.out or beside / "snapshots" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")  # an installed copy
    try:
        outcomes = capture(inventory, out, insecure=args.insecure_skip_tls_verify,
                           progress=lambda line: print(f"[capture] {line}", file=sys.stderr, flush=True),
                           concurrency=args.concurrency)
    except KeyboardInterrupt:
        print(f"interrupted: snapshot {out} keeps every server collected so far", file=sys.stderr, flush=True)
        return 130
    for line in compare_snapshot(inventory, out):
        print(f"[topology] {printable(line)}")
    failed = [o for o in outcomes if not o.ok]
    print(f"snapshot {out}: {len(outcomes) - len(failed)} of {len(outcomes)} servers collected"
          + (f"; failed: {', '.join(o.server for o in failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
