"""Headless Chromium (Debian's ``chromium``) for the report self-tests and the README screenshots.

Every launch uses a fresh profile directory and no network features (no sync, no component update, no
background networking); pages are local files.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
         "--disable-extensions", "--hide-scrollbars", "--font-render-hinting=none")


class BrowserMissing(RuntimeError):
    pass


def executable() -> str:
    """The Chromium binary; BrowserMissing if it is not installed (``apt-get install chromium``)."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissing("Chromium is not installed: apt-get install chromium (scripts/debian-packages.txt)")


def _run(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="sfbcheck-chromium-") as profile:
        command = [executable(), *FLAGS, f"--user-data-dir={profile}", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def dump_dom(url: str, budget_ms: int = 3000) -> str:
    """The page's DOM after it loaded and its scripts ran (``--dump-dom``)."""
    proc = _run(f"--virtual-time-budget={budget_ms}", "--dump-dom", url)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"chromium --dump-dom {url} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return proc.stdout


def screenshot(url: str, path: Path, width: int = 1400, height: int = 900, budget_ms: int = 3000) -> Path:
    """A PNG of the page as a person sees it in a window of ``width`` × ``height``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    proc = _run(f"--window-size={width},{height}", f"--virtual-time-budget={budget_ms}",
                f"--screenshot={path}", url)
    if not path.is_file():
        raise RuntimeError(f"chromium --screenshot {url} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return path
