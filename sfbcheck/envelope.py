"""An evidence file's envelope read from its head, without loading its sections (EVID-01's snapshot spread).

The collector writes the envelope first (``Integrity``, ``SchemaVersion``, ``Server``, …, ``CollectedAt``,
``CollectorVersion``, ``PSVersion``) and ``Sections`` last, so ``CollectedAt`` is in the first kilobytes of a
file of many megabytes. ``collected_at_from_head`` walks the top-level object's keys with a JSON decoder up to
``Sections`` and says "not found" whenever the head is shaped otherwise (another key order, a value cut by the
head's end, a duplicated key): the caller then loads the whole file. The head is not checked against the file's
seal; that happens when the file is loaded for its own server's tests, which then error if it was changed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HEAD_BYTES = 16 * 1024
_SPACE = re.compile(r"\s*")
_DECODER = json.JSONDecoder()


def _head(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            data = handle.read(HEAD_BYTES)
    except OSError:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(data) - 3:  # not a character cut by the head's end: let the full load judge it
            return None
        return data[:exc.start].decode("utf-8-sig")


def collected_at_from_head(path: Path) -> tuple[bool, str | None]:
    """(True, value): the top-level ``CollectedAt`` string, found once before ``Sections`` in the file's head.
    (False, None): not found that way; load the file."""
    head = _head(path)
    if head is None:
        return False, None
    at = _SPACE.match(head).end()
    if head[at:at + 1] != "{":
        return False, None
    at += 1
    found: list[str] = []
    while True:
        try:
            key, at = _DECODER.raw_decode(head, _SPACE.match(head, at).end())
        except ValueError:
            return False, None
        at = _SPACE.match(head, at).end()
        if not isinstance(key, str) or head[at:at + 1] != ":":
            return False, None
        if key == "Sections":
            return (True, found[0]) if len(found) == 1 else (False, None)
        try:
            value, at = _DECODER.raw_decode(head, _SPACE.match(head, at + 1).end())
        except ValueError:
            return False, None
        if key == "CollectedAt":
            if not isinstance(value, str):
                return False, None
            found.append(value)
        at = _SPACE.match(head, at).end()
        if head[at:at + 1] != ",":
            return False, None
        at += 1
