"""Waivers: accepted exceptions, each with a justification, a ticket and an expiry date.

A waivers file (``--waivers PATH``, default ``<inventory dir>/waivers.yml`` when it exists)::

    waivers:
      - requirement: STORE-05
        host: edge01.contoso.local        # or an fnmatch pattern: "edge*.contoso.local", "*"
        justification: the old certificate is removed in the change window of 12 March
        ticket: CHG-1234
        expires: 2027-03-31               # the last day the waiver holds

A failure that an active waiver matches is *waived*: shown as waived with the justification, and it does not fail
the run. After its expiry date (judged against today's date: a waiver is an operational decision, unlike
evidence) the failure fails again and says the waiver expired. A waiver that matches no failure of the run is
reported as stale. A malformed file stops the run with the file, the entry and the field.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sfbcheck.catalog import catalog
from sfbcheck.errors import SfbCheckError

DEFAULT_NAME = "waivers.yml"
FAILING = ("failed", "error")


class WaiverError(SfbCheckError):
    """The waivers file is unusable: names the file, the entry, the field and what was expected."""

    def __init__(self, file: Path | str, where: str, expected: str) -> None:
        self.file, self.where, self.expected = str(file), where, expected
        super().__init__(f"waivers {self.file}: {where}: expected {expected}")


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    requirement: str
    host: str = Field(min_length=1)
    justification: str = Field(min_length=1)
    ticket: str = Field(min_length=1)
    expires: date

    @field_validator("requirement")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in catalog():
            raise ValueError(f"a requirement ID from sfbcheck/catalog.yml, got {value!r}")
        return value

    @field_validator("host", "justification", "ticket")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a non-empty text")
        return value.strip()

    def matches(self, requirement: str, host: str) -> bool:
        return requirement == self.requirement and fnmatch.fnmatchcase(host.lower(), self.host.lower())

    def expired(self, today: date) -> bool:
        """True after the expiry date (the waiver holds through the whole of that day)."""
        return today > self.expires

    def label(self) -> str:
        return f"{self.ticket} ({self.requirement} on {self.host})"

    def to_record(self, today: date) -> dict[str, Any]:
        return {"requirement": self.requirement, "host": self.host, "justification": self.justification,
                "ticket": self.ticket, "expires": self.expires.isoformat(),
                "status": "expired" if self.expired(today) else "active"}


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    waivers: list[Waiver] = []


@dataclass(frozen=True)
class Waivers:
    """The waivers of one run and the date they are judged on."""

    source: Path | None
    entries: tuple[Waiver, ...]
    today: date

    def find(self, requirement: str, host: str) -> Waiver | None:
        """The waiver for a failure: the first active one that matches, else the latest expired one (or None)."""
        matching = [w for w in self.entries if w.matches(requirement, host)]
        active = [w for w in matching if not w.expired(self.today)]
        if active:
            return active[0]
        return max(matching, key=lambda w: w.expires, default=None)

    def stale(self, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Waivers that waived nothing in this run, each with the reason."""
        out = []
        for index, waiver in enumerate(self.entries):
            matched = [r for r in results if waiver.matches(r["requirement"], r["host"])]
            if any(r["outcome"] in (*FAILING, "waived") for r in matched):
                continue
            reason = ("no result of this run matches it (unknown host, or the requirement was not selected)"
                      if not matched else
                      f"the {len(matched)} result(s) it matches did not fail: the exception may no longer be needed")
            out.append({**waiver.to_record(self.today), "entry": index, "reason": reason})
        return out


def no_waivers(today: date | None = None) -> Waivers:
    return Waivers(None, (), today or date.today())


def default_path(inventory_source: Path | None) -> Path | None:
    """``<inventory dir>/waivers.yml`` if it exists."""
    if inventory_source is None:
        return None
    candidate = inventory_source.parent / DEFAULT_NAME
    return candidate if candidate.is_file() else None


def load_waivers(path: str | Path, today: date | None = None) -> Waivers:
    """Read and validate a waivers file; WaiverError naming the file, entry and field if it is malformed."""
    path = Path(path)
    today = today or date.today()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise WaiverError(path, "(file)", f"a readable waivers file ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date that does not exist (2027-02-30)
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise WaiverError(path, where, f"valid YAML ({getattr(exc, 'problem', exc)})") from None
    if data is None:
        return Waivers(path.resolve(), (), today)
    if not isinstance(data, dict):
        raise WaiverError(path, "(top level)", "a mapping with a 'waivers' list")
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        raise WaiverError(path, *_describe(exc.errors()[0], data)) from None
    return Waivers(path.resolve(), tuple(parsed.waivers), today)


def _describe(error: Any, data: dict[str, Any]) -> tuple[str, str]:
    loc = list(error["loc"])
    got = error.get("input")
    if loc[:1] != ["waivers"] or len(loc) < 2 or not isinstance(loc[1], int):
        where = ".".join(str(p) for p in loc) or "(top level)"
        if error["type"] == "extra_forbidden":
            return where, "no such field (the file has one top-level key: waivers)"
        return where, "a list of waivers (requirement, host, justification, ticket, expires)"
    index = loc[1]
    entry = data["waivers"][index] if isinstance(data.get("waivers"), list) else None
    ticket = entry.get("ticket") if isinstance(entry, dict) else None
    name = f"entry {index + 1}" + (f" (ticket {ticket})" if isinstance(ticket, str) else "")
    field = ".".join(str(p) for p in loc[2:])
    where = f"{name}, field {field}" if field else name
    kind = error["type"]
    if kind == "missing":
        expected = "a value (this field is required)"
    elif kind == "extra_forbidden":
        expected = "no such field (fields: requirement, host, justification, ticket, expires)"
    elif field == "expires":
        expected = f"a date such as 2027-03-31, got {got!r}"
    elif kind in ("model_type", "dict_type"):
        expected = "a mapping with requirement, host, justification, ticket, expires"
    elif kind == "string_too_short":
        expected = "a non-empty text"
    elif kind == "string_type":
        expected = f"a text value, got {got!r}"
    else:
        expected = error["msg"].removeprefix("Value error, ")
    return where, expected
