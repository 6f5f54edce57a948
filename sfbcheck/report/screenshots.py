"""Screenshots of a run's HTML report and matrix, taken by headless Chromium (the README's docs/img/*.png).

    python -m sfbcheck.report.screenshots [REPORT_DIR] [OUT_DIR]      (default: reports/ and docs/img/)

The matrix is shown with the first failure's cell opened, as a person would after a click.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import quote

from sfbcheck.report import browser


def take(report_dir: Path, out_dir: Path) -> list[Path]:
    doc = json.loads((report_dir / "latest.json").read_text(encoding="utf-8"))
    failed = next((r for r in doc["results"] if r["outcome"] in ("failed", "error") and r["host"]), None)
    cell = f"#{quote(failed['host'])}/{quote(failed['requirement'])}" if failed else ""
    return [
        browser.screenshot((report_dir / "latest.html").resolve().as_uri(), out_dir / "report.png", 1400, 1000),
        browser.screenshot((report_dir / "latest-matrix.html").resolve().as_uri() + cell, out_dir / "matrix.png",
                           1600, 860),
    ]


def main(argv: list[str]) -> int:
    report_dir = Path(argv[0]) if argv else Path("reports")
    out_dir = Path(argv[1]) if len(argv) > 1 else Path("docs/img")
    for path in take(report_dir, out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
