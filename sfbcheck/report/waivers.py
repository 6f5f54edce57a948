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
reported as stale. A malformed file stops the run with the file and, for every problem at once, the entry and
the field.

Waivers fail closed:

* a waiver never covers an error ("cannot judge", unusable evidence): only a judged compliance failure;
* it expires within ``policy.waiver_max_days`` (default 365) of today: ``9999-12-31`` is refused;
* ``host: "*"`` is refused; a waiver for every host of a requirement says so with ``all_hosts: true`` (and no
  ``host``), and a host pattern that happens to match every host of the requirement waives nothing until it does.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sfbcheck import yamlfile
from sfbcheck.catalog import catalog
from sfbcheck.errors import SfbCheckError

DEFAULT_NAME = "waivers.yml"
FAILING = ("failed", "error")


MAX_DAYS = 365
WILDCARDS = set("*?[")


class WaiverError(SfbCheckError):
    """The waivers file is unusable: names the file and every (entry and field, what was expected) at once."""

    def __init__(self, file: Path | str, where: str, expected: str,
                 problems: list[tuple[str, str]] | None = None) -> None:
        self.file = str(file)
        self.problems = list(problems) if problems else [(where, expected)]
        self.where, self.expected = self.problems[0]
        lines = [f"{w}: expected {e}" for w, e in self.problems]
        text = lines[0] if len(lines) == 1 else f"{len(lines)} problems:\n  " + "\n  ".join(lines)
        super().__init__(f"waivers {self.file}: {text}")


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    requirement: str
    host: str | None = Field(default=None, min_length=1)
    all_hosts: bool = False
    justification: str = Field(min_length=1)
    ticket: str = Field(min_length=1)
    expires: date

    @model_validator(mode="after")
    def _hosts(self) -> Waiver:
        if self.all_hosts and self.host is not None:
            raise ValueError("either host or all_hosts: true, not both")
        if not self.all_hosts and self.host is None:
            raise ValueError("a host (FQDN or pattern such as edge*.contoso.local), or all_hosts: true")
        if self.host is not None and set(self.host) <= WILDCARDS | {"."}:
            raise ValueError(f"a host or host pattern that names hosts, got {self.host!r}; to waive the "
                             f"requirement on every host write all_hosts: true instead of host")
        return self

    @field_validator("requirement")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in catalog():
            raise ValueError(f"a requirement ID from sfbcheck/catalog.yml, got {value!r}")
        return value

    @field_validator("host", "justification", "ticket")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip():
            raise ValueError("a non-empty text")
        return value.strip()

    def matches(self, requirement: str, host: str) -> bool:
        if requirement != self.requirement:
            return False
        return self.all_hosts or fnmatch.fnmatchcase(host.lower(), (self.host or "").lower())

    def too_wide(self, hosts: set[str]) -> bool:
        """A pattern (not ``all_hosts``) that matches every one of the requirement's hosts (two or more)."""
        pattern = self.host or ""
        return (not self.all_hosts and bool(set(pattern) & WILDCARDS) and len(hosts) > 1
                and all(fnmatch.fnmatchcase(h.lower(), pattern.lower()) for h in hosts))

    def expired(self, today: date) -> bool:
        """True after the expiry date (the waiver holds through the whole of that day)."""
        return today > self.expires

    def label(self) -> str:
        return f"{self.ticket} ({self.requirement} on {self.shown_host})"

    @property
    def shown_host(self) -> str:
        return "every host (all_hosts)" if self.all_hosts else self.host or ""

    def to_record(self, today: date) -> dict[str, Any]:
        return {"requirement": self.requirement, "host": self.shown_host, "justification": self.justification,
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


def load_waivers(path: str | Path, today: date | None = None, max_days: int = MAX_DAYS) -> Waivers:
    """Read and validate a waivers file; WaiverError naming the file and every entry and field that is wrong.

    Read through :mod:`sfbcheck.yamlfile` (UTF-8 or UTF-16, bounded, duplicate keys refused).
    """
    path = Path(path)
    today = today or date.today()
    data = yamlfile.read(path, lambda where, expected: WaiverError(path, where, expected), "waivers")
    if data is None:
        return Waivers(path.resolve(), (), today)
    if not isinstance(data, dict):
        raise WaiverError(path, "(top level)", "a mapping with a 'waivers' list")
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        problems = list(dict.fromkeys(_describe(error, data) for error in exc.errors()))
        raise WaiverError(path, *problems[0], problems=problems) from None
    problems = [(_name(data, i, waiver.ticket) + ", field expires",
                 f"an expiry within {max_days} days of today ({today.isoformat()}, policy.waiver_max_days), got "
                 f"{waiver.expires.isoformat()}: a waiver is a time-boxed exception, renew it when it ends")
                for i, waiver in enumerate(parsed.waivers) if (waiver.expires - today).days > max_days]
    if problems:
        raise WaiverError(path, *problems[0], problems=problems)
    return Waivers(path.resolve(), tuple(parsed.waivers), today)


def _name(data: dict[str, Any], index: int, ticket: Any = None) -> str:
    if ticket is None:
        entry = data["waivers"][index] if isinstance(data.get("waivers"), list) else None
        ticket = entry.get("ticket") if isinstance(entry, dict) else None
    return f"entry {index + 1}" + (f" (ticket {ticket})" if isinstance(ticket, str) else "")


def _describe(error: Any, data: dict[str, Any]) -> tuple[str, str]:
    loc = list(error["loc"])
    got = error.get("input")
    if loc[:1] != ["waivers"] or len(loc) < 2 or not isinstance(loc[1], int):
        where = ".".join(str(p) for p in loc) or "(top level)"
        if error["type"] == "extra_forbidden":
            return where, "no such field (the file has one top-level key: waivers)"
        return where, "a list of waivers (requirement, host, justification, ticket, expires)"
    index = loc[1]
    name = _name(data, index)
    field = ".".join(str(p) for p in loc[2:])
    where = f"{name}, field {field}" if field else name
    kind = error["type"]
    if kind == "missing":
        expected = "a value (this field is required)"
    elif kind == "extra_forbidden":
        expected = "no such field (fields: requirement, host or all_hosts, justification, ticket, expires)"
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
