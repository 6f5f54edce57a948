"""What changed between two evidence snapshots, per server and section.

    python -m sfbcheck.diff OLD_DIR NEW_DIR [--summary] [--limit N]

Each server file (``<fqdn>.json``, and ``runner.json``) is compared section by section: a section is added,
removed or changed; a changed section lists what was added (+), removed (-) and changed (~) inside it. Lists of
objects are matched by their identity property (Thumbprint, Name, DestinationPrefix, …) when every item has a
distinct one, so a new certificate shows as one added item, not as a shifted list. Values under a key named like a
password or secret are never printed (``********``). Exit code: 0 no change, 1 changes, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sfbcheck.errors import EvidenceError
from sfbcheck.evidence import RUNNER_FILE, load_document

MASK = "********"
SECRET_KEY = re.compile(r"pass(word|wd|phrase)|secret|credential|api_?key|private_?key_?(data|blob|pem|bytes)"
                        r"|^(access_?|refresh_?|bearer_?)?token$|connection_?string", re.IGNORECASE)
IDENTITY_KEYS = ("Thumbprint", "Identity", "Name", "DestinationPrefix", "ServiceName", "InterfaceAlias",
                 "InterfaceIndex", "Fqdn", "Id", "Path", "Key", "IPAddress")


@dataclass(frozen=True)
class Change:
    kind: str  # "+", "-", "~"
    path: str
    old: Any = None
    new: Any = None


def is_secret(key: str) -> bool:
    return bool(SECRET_KEY.search(key))


def masked(value: Any) -> Any:
    """``value`` with every value under a secret-looking key replaced by the mask."""
    if isinstance(value, dict):
        return {k: MASK if is_secret(str(k)) else masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def compact(value: Any, width: int = 140) -> str:
    if value == MASK:
        return MASK
    text = json.dumps(masked(value), ensure_ascii=False, separators=(", ", ": "), default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def _identity(old: list[Any], new: list[Any]) -> str | None:
    items = old + new
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in IDENTITY_KEYS:
        if all(key in i and isinstance(i[key], str | int) for i in items) and \
                len({i[key] for i in old}) == len(old) and len({i[key] for i in new}) == len(new):
            return key
    return None


def changes(old: Any, new: Any, path: str = "", secret: bool = False) -> list[Change]:
    """Every difference between two JSON values, as paths (``My[Thumbprint=AB12…].FriendlyName``)."""
    if secret:
        return [] if old == new else [Change("~", path, MASK, MASK)]
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[Change] = []
        for key in list(old) + [k for k in new if k not in old]:
            here = f"{path}.{key}" if path else str(key)
            hidden = is_secret(str(key))
            if key not in new:
                out.append(Change("-", here, MASK if hidden else old[key]))
            elif key not in old:
                out.append(Change("+", here, None, MASK if hidden else new[key]))
            else:
                out.extend(changes(old[key], new[key], here, hidden))
        return out
    if isinstance(old, list) and isinstance(new, list):
        key = _identity(old, new)
        if key is not None:
            before = {i[key]: i for i in old}
            after = {i[key]: i for i in new}
            out = []
            for ident in list(before) + [i for i in after if i not in before]:
                here = f"{path}[{key}={ident}]"
                if ident not in after:
                    out.append(Change("-", here, before[ident]))
                elif ident not in before:
                    out.append(Change("+", here, None, after[ident]))
                else:
                    out.extend(changes(before[ident], after[ident], here))
            return out
        canon = [json.dumps(i, sort_keys=True, default=str) for i in old]
        fresh = [json.dumps(i, sort_keys=True, default=str) for i in new]
        removed, added = Counter(canon) - Counter(fresh), Counter(fresh) - Counter(canon)
        out = []
        for i, text in enumerate(canon):
            if removed[text] > 0:
                removed[text] -= 1
                out.append(Change("-", f"{path}[{i}]", old[i]))
        for i, text in enumerate(fresh):
            if added[text] > 0:
                added[text] -= 1
                out.append(Change("+", f"{path}[{i}]", None, new[i]))
        return out
    return [] if old == new else [Change("~", path, old, new)]


def _load(path: Path) -> tuple[dict[str, Any] | None, str]:
    server = "runner" if path.name == RUNNER_FILE else path.name.removesuffix(".json")
    try:
        return load_document(path, server), ""
    except EvidenceError as exc:
        return None, exc.reason


def _servers(directory: Path) -> dict[str, Path]:
    return {p.name.removesuffix(".json"): p for p in sorted(directory.glob("*.json"))}


def diff_snapshots(old_dir: Path, new_dir: Path, limit: int = 20, summary_only: bool = False) -> tuple[list[str], bool]:
    """The report lines and whether anything changed."""
    old_files, new_files = _servers(old_dir), _servers(new_dir)
    lines: list[str] = []
    counts: Counter[str] = Counter()
    for name in sorted(set(old_files) | set(new_files)):
        if name not in new_files:
            counts["servers removed"] += 1
            lines.append(f"- {name}: removed (no evidence in {new_dir.name})")
            continue
        if name not in old_files:
            counts["servers added"] += 1
            lines.append(f"+ {name}: added (no evidence in {old_dir.name})")
            continue
        (old, old_error), (new, new_error) = _load(old_files[name]), _load(new_files[name])
        if old is None or new is None:
            counts["servers unreadable"] += 1
            lines.append(f"! {name}: cannot compare: " + "; ".join(
                f"{label} {reason}" for label, reason in (("old:", old_error), ("new:", new_error)) if reason))
            continue
        server_lines = _diff_server(old, new, limit, summary_only, counts)
        if server_lines:
            counts["servers changed"] += 1
            lines.append(f"~ {name}: changed (CollectedAt {old.get('CollectedAt')} -> {new.get('CollectedAt')})")
            lines.extend(server_lines)
        else:
            counts["servers unchanged"] += 1
            if not summary_only:
                lines.append(f"= {name}: unchanged")
    order = ("servers changed", "servers unchanged", "servers added", "servers removed", "servers unreadable",
             "sections changed", "sections added", "sections removed")
    lines.append("Summary: " + ", ".join(f"{counts[k]} {k}" for k in order if counts[k] or k.startswith("servers c")))
    changed = any(counts[k] for k in order if k != "servers unchanged")
    return lines, changed


def _diff_server(old: dict[str, Any], new: dict[str, Any], limit: int, summary_only: bool,
                 counts: Counter[str]) -> list[str]:
    lines = []
    if old.get("SchemaVersion") != new.get("SchemaVersion") or old.get("CollectorVersion") != new.get(
            "CollectorVersion"):
        lines.append(f"    collector {old.get('CollectorVersion')} -> {new.get('CollectorVersion')}")
    before, after = old["Sections"], new["Sections"]
    for section in list(before) + [s for s in after if s not in before]:
        if section not in after:
            counts["sections removed"] += 1
            lines.append(f"  - {section}: section removed")
        elif section not in before:
            counts["sections added"] += 1
            lines.append(f"  + {section}: section added")
        else:
            found = changes(before[section], after[section], secret=is_secret(section))
            if not found:
                continue
            counts["sections changed"] += 1
            kinds = Counter(c.kind for c in found)
            lines.append(f"  ~ {section}: {kinds['+']} added, {kinds['-']} removed, {kinds['~']} changed")
            if summary_only:
                continue
            for change in found[:limit]:
                where = f"{section}{'' if change.path.startswith('[') else '.'}{change.path}" if change.path \
                    else section
                if change.kind == "~":
                    lines.append(f"      ~ {where}: {compact(change.old)} -> {compact(change.new)}")
                else:
                    value = change.new if change.kind == "+" else change.old
                    lines.append(f"      {change.kind} {where}: {compact(value)}")
            if len(found) > limit:
                lines.append(f"      … {len(found) - limit} more (--limit N to see them)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sfbcheck.diff",
                                     description="What changed between two evidence snapshots, per server and "
                                                 "section (values of password/secret-like keys are masked).")
    parser.add_argument("old", type=Path, help="the older snapshot directory")
    parser.add_argument("new", type=Path, help="the newer snapshot directory")
    parser.add_argument("--summary", action="store_true", help="only the servers and sections that changed")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="changes shown per section (default 20)")
    args = parser.parse_args(argv)
    for directory in (args.old, args.new):
        if not directory.is_dir():
            parser.error(f"{directory} is not a directory")
    lines, changed = diff_snapshots(args.old, args.new, args.limit, args.summary)
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
