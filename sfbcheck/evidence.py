"""Evidence: one versioned JSON document per server, plus the runner's own probe results.

Layout of an evidence directory (a *snapshot*)::

    <dir>/<server fqdn>.json   collected on that server by collector/Collect-SfbEvidence.ps1
    <dir>/runner.json          probes run from the machine running pytest (DNS, TLS, HTTP)

A server document is ``{"SchemaVersion": 1, "Server": fqdn, "CollectedAt": iso-8601,
"CollectorVersion": str, "Sections": {name: native cmdlet output}}``. Section names and their
properties keep the names of the PowerShell cmdlet or WMI class they come from (docs/evidence.md).
"""

from __future__ import annotations

import json
import marshal
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sfbcheck import integrity
from sfbcheck.envelope import collected_at_from_head
from sfbcheck.errors import EvidenceError, EvidenceGap

SCHEMA_VERSION = 1
RUNNER_FILE = "runner.json"
MAX_BYTES = 256 * 1024 * 1024  # a large Front End's evidence is a few MB; beyond this a file is not evidence
MAX_DEPTH = 100  # ConvertTo-Json -Depth accepts at most 100
T = TypeVar("T")
# What a parser may raise on input of a shape it did not expect: caught once, in Evidence.parsed, as "cannot judge"
MALFORMED = (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError, RecursionError,
             ArithmeticError, UnicodeError)


class Evidence:
    """The evidence of one server (or of the runner), parsed lazily and at most once per run."""

    def __init__(self, server: str, path: Path, document: dict[str, Any],
                 alike: dict[tuple[str, bool, bytes], Any] | None = None) -> None:
        self.server = server
        self.path = path
        self.document = document
        self.sections: dict[str, Any] = document["Sections"]
        self.collected_at = parse_time(document.get("CollectedAt"))
        self._parsed: dict[str, Any] = {}
        self._alike = alike  # results shared with the snapshot's other servers (see parsed_alike)

    def judged_at(self) -> datetime:
        """``CollectedAt``, which every time-relative verdict is judged against; EvidenceGap if missing."""
        if self.collected_at is None:
            raise EvidenceGap(self.server, "CollectedAt", "is missing or not a date: verdicts are relative to it")
        return self.collected_at

    def has(self, name: str) -> bool:
        return self.sections.get(name) is not None and collector_error(self.sections[name]) is None

    def section(self, name: str, kind: type | tuple[type, ...] | None = None) -> Any:
        """The raw section ``name``; EvidenceGap if it is absent (or not of ``kind``)."""
        if name not in self.sections or self.sections[name] is None:
            raise EvidenceGap(self.server, name, "is missing (collector too old, or it failed on the server)")
        value = self.sections[name]
        error = collector_error(value)
        if error is not None:
            raise EvidenceGap(self.server, name, f"could not be collected on the server: {error}")
        if kind is not None and not isinstance(value, kind):
            raise EvidenceGap(self.server, name, f"is malformed: expected {_kind_name(kind)}, "
                                                 f"got {type(value).__name__}")
        return value

    def records(self, name: str) -> list[dict[str, Any]]:
        """A section that is a list of objects; PowerShell's single object (not in a list) is accepted."""
        value = self.section(name, (list, dict))
        value = [value] if isinstance(value, dict) else value
        if not all(isinstance(item, dict) for item in value):
            raise EvidenceGap(self.server, name, "is malformed: expected a list of objects")
        return value

    def parsed(self, key: str, parser: Callable[[Evidence], T]) -> T:
        """``parser(self)`` computed once per run and shared by every test of this server.

        A parser that trips over a value of a type it did not expect (a wrong type, null, NaN, a huge
        number) makes every requirement that needs it "cannot judge" (EvidenceGap), never a crash; the
        verdict is remembered like a result, so the parser runs once.
        """
        if key not in self._parsed:
            try:
                self._parsed[key] = parser(self)
            except EvidenceGap as gap:
                self._parsed[key] = gap
            except MALFORMED as exc:
                self._parsed[key] = EvidenceGap(self.server, key, f"is malformed: {type(exc).__name__}: "
                                                                  f"{safe_text(exc)}")
        found = self._parsed[key]
        if isinstance(found, EvidenceGap):
            raise found
        return found

    def parsed_alike(self, key: str, section: str, parser: Callable[[Evidence], T]) -> T:
        """:meth:`parsed`, and computed once for all the servers of a snapshot whose ``section`` is the same JSON.

        For deployment-wide cmdlet output every Front End carries (Get-CsService -Registrar lists every pool of the
        topology): parsed on each server it would cost the square of the deployment's size. ``parser`` must read
        nothing of the evidence but ``section`` (the server's name only in its EvidenceGap) and callers must not
        change its result. Shared only between documents the store read from files (plain JSON values, which
        ``marshal`` writes byte for byte with their types: ``true``, ``1`` and ``1.0`` differ, so equal bytes mean
        equal values of equal types) and only on success: a parser that raises does so on each server, naming it.
        """
        alike = self._alike
        if alike is None:
            return self.parsed(key, parser)

        def once(evidence: Evidence) -> T:
            slot = (key, section in evidence.sections, marshal.dumps(evidence.sections.get(section), 2))
            if slot not in alike:
                alike[slot] = parser(evidence)
            return alike[slot]

        return self.parsed(key, once)

    def __repr__(self) -> str:
        return f"Evidence({self.server}, {self.path})"


def collector_error(value: Any) -> str | None:
    """The collector writes ``{"Error": "..."}`` for a section that failed on the server; its text, else None."""
    if isinstance(value, dict) and set(value) == {"Error"}:
        return str(value["Error"])
    return None


def safe_text(value: object, limit: int = 200) -> str:
    """``str(value)`` cut to ``limit`` characters; never raises (a huge int, a broken __str__)."""
    try:
        text = str(value)
    except Exception:  # noqa: BLE001 - a message about bad data must not fail on the bad data
        text = f"<unprintable {type(value).__name__}>"
    return text if len(text) <= limit else text[:limit] + "…"


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {list: "a list", dict: "an object", str: "a string", int: "a number", bool: "true/false"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 (what ConvertTo-Json writes for [datetime] with -Depth and .ToString('o')) or None."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.startswith("/Date("):  # Windows PowerShell 5.1 ConvertTo-Json: /Date(1700000000000)/
        from datetime import UTC

        try:
            millis = int(text[6:].split(")")[0].split("+")[0].split("-")[0] or 0)
            return datetime.fromtimestamp(millis / 1000, tz=UTC)
        except (ValueError, OverflowError, OSError):  # "/Date(12x)/" or out of range: not a date
            return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        from datetime import UTC

        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def evidence_path(directory: Path, server: str) -> Path:
    return directory / f"{server.lower()}.json"


def load_document(path: Path, server: str) -> dict[str, Any]:
    """Read and check one evidence document; EvidenceError with the reason if it is unusable.

    Bounded: a file larger than MAX_BYTES, JSON nested deeper than MAX_DEPTH or a number too long for
    Python (more than 4,300 digits) is refused with a clear reason; nothing in a file escapes as a crash.
    """
    if not path.is_file():
        raise EvidenceError(server, path, "no evidence file (collect it with the collector, or capture a snapshot)")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise EvidenceError(server, path, f"the file is {size:,} bytes, more than the {MAX_BYTES:,} evidence "
                                          "files may have (not an evidence file?)")
    raw = path.read_bytes()
    if not raw.strip():
        raise EvidenceError(server, path, "the file is empty")
    try:
        text = integrity.decode(raw)
    except UnicodeDecodeError as exc:
        raise EvidenceError(server, path, f"not JSON ({exc})") from None
    deep = EvidenceError(server, path, f"JSON nested deeper than {MAX_DEPTH} levels (the collector writes at most "
                                       "ConvertTo-Json -Depth 100; not an evidence file)")
    # Nesting is judged first, as if on the text: on JSON that parses, the text's brackets are the containers, so
    # the parsed document's depth decides (cheaper than the text pass); on text that does not, the text's does.
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if too_deep(text):
            raise deep from None
        what = "truncated JSON (the file ends early)" if _ends_early(text) else "not JSON"
        raise EvidenceError(server, path, f"{what}: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        if too_deep(text):
            raise deep from None
        raise EvidenceError(server, path, f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # a number of more than sys.get_int_max_str_digits() digits
        if too_deep(text):
            raise deep from None
        raise EvidenceError(server, path, f"not usable JSON: {safe_text(exc)}") from None
    if nested_deeper(document):
        raise deep
    if not isinstance(document, dict):
        raise EvidenceError(server, path, "not an evidence document (expected a JSON object)")
    version = document.get("SchemaVersion")
    if version != SCHEMA_VERSION:
        raise EvidenceError(server, path, f"schema version {safe_text(version, 40)!s}, this sfbcheck reads version "
                                          f"{SCHEMA_VERSION} (re-collect with the collector of this release)")
    if document.get("CollectionError"):  # written by `python -m sfbcheck.capture` / `pytest --live`
        raise EvidenceError(server, path, f"collection failed: {safe_text(document['CollectionError'], 2000)}")
    mismatch = integrity.identity_mismatch(document, server)
    if mismatch:
        raise EvidenceError(server, path, safe_text(mismatch, 600))
    if not isinstance(document.get("Sections"), dict):
        raise EvidenceError(server, path, "no Sections object")
    integrity.verify(raw, document, server, path, text)  # the SHA-256 seal (sfbcheck/integrity.py)
    return document


# Everything but the brackets outside JSON strings, in one pass: a string, a run of other characters, or a quote
# that opens no string (removing strings first, then every other non-bracket, gives the same brackets)
_NOT_STRUCTURE = re.compile(r'(?:"[^"\\]*(?:\\.[^"\\]*)*"|[^"\[\]{}]+|")+', re.S)
_INNERMOST = re.compile(r"\{\}|\[\]")


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """True if JSON text nests objects/arrays deeper than ``limit`` (outside strings); C-speed passes only."""
    brackets = _NOT_STRUCTURE.sub("", text)
    for _ in range(limit):
        shorter = _INNERMOST.sub("", brackets)
        if shorter == brackets:
            return False
        brackets = shorter
    return _INNERMOST.search(brackets) is not None


def nested_deeper(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True if a parsed JSON value nests objects/arrays deeper than ``limit`` (what :func:`too_deep` says of its
    text); one level at a time, without recursion."""
    level = [value] if type(value) is dict or type(value) is list else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: list[Any] = []
        for container in level:
            below.extend([c for c in (container.values() if type(container) is dict else container)
                          if type(c) is dict or type(c) is list])
        level = below
    return False


def _ends_early(text: str) -> bool:
    """True if the text opens a JSON object or array that it never closes (a cut-off file)."""
    depth, in_string, escaped = 0, False, False
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return False
    for char in stripped:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
    return in_string or depth > 0


class EvidenceStore:
    """Loads each server's evidence once per run and remembers failures, so a server errors once."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._cache: dict[str, Evidence | EvidenceError] = {}
        self._alike: dict[tuple[str, bool, bytes], Any] = {}  # Evidence.parsed_alike's results, for this snapshot
        self.reads: dict[str, int] = {}  # server -> times its file was read (at most 1; reported in the JSON)

    def get(self, server: str) -> Evidence:
        key = server.lower()
        if key not in self._cache:
            path = evidence_path(self.directory, key) if key != "runner" else self.directory / RUNNER_FILE
            self.reads[key] = self.reads.get(key, 0) + 1
            try:
                self._cache[key] = Evidence(key, path, load_document(path, key), self._alike)
            except EvidenceError as exc:
                self._cache[key] = exc
            except (OSError, MemoryError, RecursionError, ValueError, TypeError) as exc:
                # whatever one file holds, it is that server's one error, never the run's
                self._cache[key] = EvidenceError(key, path, f"unreadable: {type(exc).__name__}: {safe_text(exc)}")
        found = self._cache[key]
        if isinstance(found, EvidenceError):
            raise found
        return found

    def collected_at(self, server: str) -> datetime | None:
        """``CollectedAt`` of ``server``'s evidence, read from the file's head where the collector puts it, so
        knowing every server's collection time loads no other file (an xdist worker reads only the files its
        groups need); otherwise from the loaded evidence. The same answer whether the file was loaded or not.
        None: no time (unusable evidence errors on its own server)."""
        key = server.lower()
        found, value = collected_at_from_head(evidence_path(self.directory, key)) if self.directory else (False, None)
        if found:
            return parse_time(value)
        try:
            return self.get(key).collected_at
        except EvidenceError:
            return None

    def runner(self) -> Evidence:
        """Probes run from the machine running pytest (DNS answers, TLS and HTTP probes)."""
        return self.get("runner")

    def put(self, evidence: Evidence) -> None:
        self._cache[evidence.server.lower()] = evidence
