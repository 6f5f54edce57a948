"""The requirement catalog (catalog.yml): title, markers, impact and source of every requirement ID."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

IMPACTS = ("critical", "high", "medium", "low", "warning")
WARNING = "warning"  # impact of a requirement whose problems are reported but never fail the run


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    markers: tuple[str, ...]
    impact: str
    source: str


@cache
def catalog() -> dict[str, Requirement]:
    data = yaml.safe_load(resources.files("sfbcheck").joinpath("catalog.yml").read_text(encoding="utf-8"))
    out = {}
    for rid, entry in data.items():
        if entry["impact"] not in IMPACTS:
            raise ValueError(f"catalog.yml: {rid}.impact: expected one of {IMPACTS}")
        out[rid] = Requirement(rid, entry["title"], tuple(entry.get("markers", ())), entry["impact"], entry["source"])
    return out


def requirement(rid: str) -> Requirement:
    try:
        return catalog()[rid]
    except KeyError:
        raise KeyError(f"requirement {rid!r} is not in sfbcheck/catalog.yml") from None
