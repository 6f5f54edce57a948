"""The Windows hosts file (``HostsFile`` section: ``Get-Item`` of ``%SystemRoot%\\System32\\drivers\\etc\\hosts``
with its text in ``Content``), read the way the Windows DNS client reads it.

Rules (as the DNS client applies them): a ``#`` starts a comment to the end of the line; fields are separated
by spaces and tabs (any run of them); the first field is an IPv4 or IPv6 address, the next fields are names
(the first is the entry's name, any further ones are *aliases*, which the resolver cache turns into CNAMEs of
the first name); names compare case-insensitively; a line whose first field is not an address is ignored;
blank lines, CRLF/LF/CR line ends and a UTF-8 byte-order mark are accepted.

A *malformed* line is one the DNS client reads differently from how it looks: a first field that is not an
address (a typo such as ``10.10.1.300``, garbage), an address without a name, or control / invisible characters
(NUL, vertical tab, a no-break or zero-width space, a stray byte-order mark) that glue fields together or become
part of a name, so the name never matches (EDGE-HOSTS-01 names each such line).
"""

from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
import re
import unicodedata
from dataclasses import dataclass

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence

SECTION = "HostsFile"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_FIELD_SEPARATORS = re.compile(r"[ \t]+")
_LINE_ENDS = re.compile(r"\r\n|\n|\r")


@dataclass(frozen=True)
class HostsEntry:
    """One effective line: an address and its names (``names[0]`` is the name, the rest are aliases)."""

    line: int
    text: str
    ip: IPAddress
    names: tuple[str, ...]

    @property
    def aliases(self) -> tuple[str, ...]:
        return self.names[1:]

    @functools.cached_property
    def folded(self) -> tuple[str, ...]:
        """The names case-folded, each once, first name first (what lookups compare)."""
        return tuple(dict.fromkeys(n.casefold() for n in self.names))

    def has(self, name: str) -> bool:
        return name.casefold() in self.folded

    def __str__(self) -> str:
        return f"line {self.line}: {self.text.strip()}"


@dataclass(frozen=True)
class IgnoredLine:
    """A non-blank, non-comment line that Windows skips (its first field is not an address, or it has no name)."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class HostsFile:
    entries: tuple[HostsEntry, ...]
    ignored: tuple[IgnoredLine, ...] = ()
    malformed: tuple[IgnoredLine, ...] = ()  # ignored lines and lines with control/invisible characters

    def members(self, name: str) -> list[HostsEntry]:
        """Entries where ``name`` is the first name (an A record), alone or not: the lines that make it resolve."""
        key = name.casefold()
        return [e for e in self.entries if e.folded[0] == key]

    def with_name(self, name: str) -> list[HostsEntry]:
        """Entries that carry ``name`` in any position (name or alias)."""
        key = name.casefold()
        return [e for e in self.entries if key in e.folded]

    def addresses(self, name: str) -> list[IPAddress]:
        """Addresses listed for ``name`` on lines where it is the first (the A-record) name."""
        return [e.ip for e in self.members(name)]

    def has_line(self, ip: IPAddress, name: str) -> bool:
        key = name.casefold()
        return any(e.ip == ip and e.folded[0] == key and not e.aliases for e in self.entries)


def decode(content: str | bytes) -> str:
    """The file's text: bytes are read as UTF-8 (undecodable bytes replaced); a leading BOM is dropped."""
    text = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content
    return text.removeprefix("\ufeff")


def parse_address(field: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(field)
    except ValueError:
        return None


def hidden_characters(text: str) -> list[str]:
    """The control and invisible characters in ``text`` other than the tab, as ``U+XXXX NAME``."""
    found = []
    for char in dict.fromkeys(text):
        category = unicodedata.category(char)
        if char != "\t" and (category in ("Cc", "Cf", "Co", "Cs", "Cn") or (category == "Zs" and char != " ")):
            found.append(f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}")
    return found


@functools.lru_cache(maxsize=8192)
def _read_line(data: str) -> tuple[tuple[str, ...], IPAddress | None, tuple[str, ...]]:
    """A line's fields, its first field as an address (or None) and its hidden characters; once per distinct
    text (an Edge's hosts file lists every internal server, and the Edges of a deployment list the same lines)."""
    fields = tuple(f for f in _FIELD_SEPARATORS.split(data) if f)
    return fields, parse_address(fields[0]), tuple(hidden_characters(data))


Read = tuple[HostsEntry | None, IgnoredLine | None, IgnoredLine | None]


@functools.lru_cache(maxsize=16384)
def _read_numbered(number: int, raw: str) -> Read:
    """Line ``number`` of a file, read: (its entry, or the line as ignored, and as malformed), each None if not.
    Once per distinct line at that place: the Edges of a deployment carry the same lines at the same numbers."""
    data = raw.split("#", 1)[0].strip(" \t")
    if not data:
        return None, None, None
    fields, ip, hidden = _read_line(data)
    if ip is None:
        line = IgnoredLine(number, raw, f"{fields[0]!r} is not an IP address" if not hidden else
                           f"{fields[0]!r} is not an IP address (it holds {', '.join(hidden)})")
        return None, line, line
    if len(fields) == 1:
        line = IgnoredLine(number, raw, "an address without a name")
        return None, line, line
    bad = IgnoredLine(number, raw, f"it holds {', '.join(hidden)}, which become part of a name, so that name never "
                                   "matches") if hidden else None
    return HostsEntry(number, raw, ip, fields[1:]), None, bad


def parse_hosts(content: str | bytes) -> HostsFile:
    """Parse a hosts file's content; never raises on any text."""
    entries: list[HostsEntry] = []
    ignored: list[IgnoredLine] = []
    malformed: list[IgnoredLine] = []
    for number, raw in enumerate(_LINE_ENDS.split(decode(content)), 1):
        entry, skipped, bad = _read_numbered(number, raw)
        if entry is not None:
            entries.append(entry)
        if skipped is not None:
            ignored.append(skipped)
        if bad is not None:
            malformed.append(bad)
    return HostsFile(tuple(entries), tuple(ignored), tuple(malformed))


def _content(evidence: Evidence) -> str | bytes:
    section = evidence.section(SECTION, dict)
    if isinstance(section.get("Content"), str):
        return section["Content"]
    if isinstance(section.get("RawContent"), str):  # the file's bytes, base64 (keeps a BOM and line ends exactly)
        try:
            return base64.b64decode(section["RawContent"], validate=True)
        except (binascii.Error, ValueError):
            raise EvidenceGap(evidence.server, SECTION, "is malformed: RawContent is not base64") from None
    raise EvidenceGap(evidence.server, SECTION, "is malformed: expected the file's text in Content "
                                                "(or its bytes, base64, in RawContent)")


def hosts_file(evidence: Evidence) -> HostsFile:
    """The server's hosts file, parsed once per run; EvidenceGap if the section is missing or malformed."""
    return evidence.parsed("hosts-file", lambda ev: _parse_hosts_once(_content(ev)))


# the same text (or bytes: a str and bytes never share an entry) gives the same immutable HostsFile
_parse_hosts_once = functools.lru_cache(maxsize=256)(parse_hosts)
