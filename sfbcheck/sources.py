"""The source documents of the requirements (``sources.yml``): seeds by number, public pages by name.

A catalog ``source`` is one or more references separated by ``;``: ``000 Edge replication troubleshooter: Routing``
(a seed, by its number, with the part of it), ``Microsoft: Edge Server port and firewall summary`` or
``KB2464556`` (a public page, by its name). :func:`resolve` turns each into the document's title and, for a public
page, its address; the reports link to it and ``docs/sources.md`` lists them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

_SEED = re.compile(r"^(\d{3})\b\s*(.*)$")
_MICROSOFT = re.compile(r"^Microsoft:\s*(.+)$")


@dataclass(frozen=True)
class Source:
    reference: str  # as the catalog writes it
    title: str  # the document's title ("" when the sources list does not know it)
    url: str | None = None  # public pages only
    seed: str | None = None  # the seed's number
    detail: str = ""  # the part of the document ("Routing", "event 1034", …)


@cache
def known() -> dict[str, dict[str, dict[str, str]]]:
    text = resources.files("sfbcheck").joinpath("sources.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {"seeds": data.get("seeds") or {}, "pages": data.get("pages") or {}}


def _page(name: str) -> dict[str, str] | None:
    pages = known()["pages"]
    if name in pages:
        return pages[name]
    for entry in pages.values():
        if name in (entry.get("aliases") or ()):
            return entry
    return None


def resolve(source: str) -> list[Source]:
    """Every reference of a catalog ``source`` field, resolved (title "" when unknown)."""
    out = []
    for part in (p.strip() for p in source.split(";")):
        if not part:
            continue
        seed = _SEED.match(part)
        if seed:
            entry = known()["seeds"].get(seed.group(1)) or {}
            detail = seed.group(2).strip()
            out.append(Source(part, entry.get("title", ""), None, seed.group(1), detail))
            continue
        microsoft = _MICROSOFT.match(part)
        name = microsoft.group(1).strip() if microsoft else part
        entry = _page(name) or {}
        out.append(Source(part, entry.get("title", ""), entry.get("url")))
    return out


def describe(source: str) -> list[str]:
    """One line per reference: ``seed 000 "title" (detail)`` or ``"title" <url>``."""
    lines = []
    for ref in resolve(source):
        if ref.seed:
            lines.append(f"seed {ref.seed}: {ref.title or '(not in the sources list)'}"
                         + (f" — {ref.detail}" if ref.detail else ""))
        else:
            lines.append(f"{ref.title or ref.reference}" + (f" <{ref.url}>" if ref.url else ""))
    return lines
