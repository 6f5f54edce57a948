"""Registry keys and typed values from the ``Registry`` section.

The collector reads each key it needs with ``Get-Item`` and, per value, ``RegistryKey.GetValueKind``::

    {"Path": "HKLM:\\SYSTEM\\...\\SCHANNEL", "Exists": true, "LastWriteTime": "2026-…",
     "Values": [{"Name": "ClientAuthTrustMode", "Kind": "DWord", "Value": 2}, …]}

``Kind`` is a ``Microsoft.Win32.RegistryValueKind`` (its name, or its number as ``ConvertTo-Json`` writes an
enum); a key that does not exist is listed with ``"Exists": false``. A key absent from the section was not
collected, which a check that needs it reports as an evidence gap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence, parse_time

SECTION = "Registry"
SCHANNEL = r"HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL"
TCPIP_PARAMETERS = r"HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters"
NET_FRAMEWORK = r"HKLM\SOFTWARE\Microsoft\.NETFramework\v4.0.30319"
NET_FRAMEWORK_WOW64 = r"HKLM\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v4.0.30319"
NET_FRAMEWORK_2 = r"HKLM\SOFTWARE\Microsoft\.NETFramework\v2.0.50727"
NET_FRAMEWORK_2_WOW64 = r"HKLM\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v2.0.50727"
NET_FRAMEWORK_SETUP = r"HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full"
WINHTTP = r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp"
WINHTTP_WOW64 = r"HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp"

# RegistryValueKind: name -> (number, the REG_ type regedit shows)
KINDS: dict[str, tuple[int, str]] = {
    "String": (1, "REG_SZ"), "ExpandString": (2, "REG_EXPAND_SZ"), "Binary": (3, "REG_BINARY"),
    "DWord": (4, "REG_DWORD"), "MultiString": (7, "REG_MULTI_SZ"), "QWord": (11, "REG_QWORD"),
    "Unknown": (0, "REG_UNKNOWN"), "None": (-1, "REG_NONE"),
}
_BY_NUMBER = {number: name for name, (number, _) in KINDS.items()}
_BY_FOLDED = {name.casefold(): name for name in KINDS} | {reg.casefold(): name for name, (_, reg) in KINDS.items()}
_HIVES = {"hkey_local_machine": "HKLM", "hklm": "HKLM", "hkey_current_user": "HKCU", "hkcu": "HKCU"}


def normalize_path(path: str) -> str:
    """``HKLM:\\X``, ``HKEY_LOCAL_MACHINE\\X``, ``Registry::HKEY_LOCAL_MACHINE\\X`` -> ``HKLM\\X`` (case kept)."""
    text = path.strip().replace("/", "\\")
    if text.casefold().startswith("registry::"):
        text = text[len("registry::"):]
    hive, sep, rest = text.partition("\\")
    hive = _HIVES.get(hive.rstrip(":").casefold(), hive.rstrip(":"))
    return f"{hive}{sep}{rest.strip(chr(92))}" if sep else hive


def _key(path: str) -> str:
    return normalize_path(path).casefold()


@dataclass(frozen=True)
class RegistryValue:
    name: str
    kind: str  # a RegistryValueKind name
    value: Any

    @property
    def reg_type(self) -> str:
        return KINDS[self.kind][1]

    @property
    def dword(self) -> int | None:
        """The number if this is a REG_DWORD holding an integer, else None."""
        if self.kind == "DWord" and isinstance(self.value, int) and not isinstance(self.value, bool):
            return self.value
        return None

    def __str__(self) -> str:
        shown = f"0x{self.value:08x} ({self.value})" if self.dword is not None else repr(self.value)
        return f"{self.name} = {self.reg_type} {shown}"


@dataclass(frozen=True)
class RegistryKey:
    path: str
    exists: bool
    last_write: datetime | None
    values: dict[str, RegistryValue] = field(default_factory=dict)  # casefolded name -> value
    write_time_error: str = ""  # why the collector could not read LastWriteTime (LastWriteTimeError)

    def value(self, name: str) -> RegistryValue | None:
        return self.values.get(name.casefold())

    def describe(self) -> str:
        if not self.exists:
            return f"[{self.path}] (key does not exist)"
        shown = "\n".join(f"  {v}" for v in self.values.values()) or "  (no values)"
        written = f" (last written {self.last_write.isoformat()})" if self.last_write else ""
        return f"[{self.path}]{written}\n{shown}"


@dataclass(frozen=True)
class Registry:
    server: str
    keys: dict[str, RegistryKey]  # casefolded normalized path -> key

    def key(self, path: str) -> RegistryKey | None:
        """The key as collected, or None if the collector did not read it."""
        return self.keys.get(_key(path))

    def require(self, path: str) -> RegistryKey:
        """The key (possibly ``exists=False``); EvidenceGap if it was not collected."""
        found = self.key(path)
        if found is None:
            raise EvidenceGap(self.server, SECTION, f"does not include the key {normalize_path(path)}")
        return found

    def under(self, path: str) -> list[RegistryKey]:
        """The collected key ``path`` and every collected key below it."""
        prefix = _key(path)
        return [k for p, k in self.keys.items() if p == prefix or p.startswith(prefix + "\\")]


def safe_time(raw: Any, what: str) -> datetime | None:
    """``parse_time`` that turns any unreadable date (e.g. a broken ``/Date(…)/``) into ValueError naming ``what``."""
    try:
        return parse_time(raw)
    except (ValueError, OverflowError, OSError):
        raise ValueError(f"{what} is not a date: {raw!r:.60}") from None


def parse_kind(raw: Any) -> str | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return _BY_NUMBER.get(raw)
    if isinstance(raw, str):
        return _BY_FOLDED.get(raw.strip().casefold())
    return None


def _value(record: Any, where: str) -> RegistryValue:
    if not isinstance(record, dict):
        raise ValueError(f"{where}: a value entry is not an object: {record!r:.80}")
    name = record.get("Name")
    if not isinstance(name, str):
        raise ValueError(f"{where}: a value entry has no Name: {record!r:.80}")
    kind = parse_kind(record.get("Kind"))
    if kind is None:
        raise ValueError(f"{where}: value {name!r} has an unknown Kind {record.get('Kind')!r:.40}")
    value = record.get("Value")
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        value = int(value)
    if kind in ("DWord", "QWord") and (not isinstance(value, int) or isinstance(value, bool)):
        # a REG_DWORD / REG_QWORD always holds a number: null or "0" here is damage, never "absent" or 0
        raise ValueError(f"{where}: value {name!r} is a {kind} but holds {value!r:.40}, not a number")
    return RegistryValue(name, kind, value)


def parse_key(record: Any) -> RegistryKey:
    """One key entry; ValueError naming what is wrong if it is malformed."""
    if not isinstance(record, dict):
        raise ValueError(f"an entry is not an object: {record!r:.80}")
    path = record.get("Path")
    if not isinstance(path, str) or not path.strip():
        raise ValueError(f"an entry has no Path: {record!r:.80}")
    path = normalize_path(path)
    exists = record.get("Exists", True)
    if not isinstance(exists, bool):
        raise ValueError(f"{path}: Exists is not true/false: {exists!r:.40}")
    raw_values = record.get("Values") or []
    raw_values = [raw_values] if isinstance(raw_values, dict) else raw_values
    if not isinstance(raw_values, list):
        raise ValueError(f"{path}: Values is not a list")
    values: dict[str, RegistryValue] = {}
    for raw in raw_values:
        parsed = _value(raw, path)
        values[parsed.name.casefold()] = parsed
    return RegistryKey(path, exists, safe_time(record.get("LastWriteTime"), f"{path}: LastWriteTime"), values,
                       str(record.get("LastWriteTimeError") or ""))


def parse_registry(records: Any, server: str = "?") -> Registry:
    """Every collected key; EvidenceGap (never another exception) if the section is malformed."""
    records = [records] if isinstance(records, dict) else records
    if not isinstance(records, list):
        raise EvidenceGap(server, SECTION, "is malformed: expected a list of registry keys")
    keys: dict[str, RegistryKey] = {}
    for record in records:
        try:
            key = parse_key(record)
        except ValueError as exc:
            raise EvidenceGap(server, SECTION, f"is malformed: {exc}") from None
        keys[key.path.casefold()] = key
    return Registry(server, keys)


def registry(evidence: Evidence) -> Registry:
    """The server's collected registry keys, parsed once per run."""
    return evidence.parsed("registry", lambda ev: parse_registry(ev.section(SECTION, (list, dict)), ev.server))
