"""Errors that stop a run (inventory) or one server's tests (evidence), with messages an admin can act on."""

from __future__ import annotations

from pathlib import Path


class SfbCheckError(Exception):
    """Base class of every error sfbcheck raises on purpose."""


class InventoryError(SfbCheckError):
    """The inventory file is unusable: names the file, the field path and what was expected."""

    def __init__(self, file: Path | str, field: str, expected: str) -> None:
        self.file, self.field, self.expected = str(file), field, expected
        super().__init__(f"inventory {self.file}: {field}: expected {expected}")


class EvidenceError(SfbCheckError):
    """One server's evidence cannot be used (missing, truncated, not JSON, wrong schema version)."""

    def __init__(self, server: str, file: Path | str, reason: str) -> None:
        self.server, self.file, self.reason = server, str(file), reason
        super().__init__(f"evidence for {server} ({self.file}): {reason}")


class EvidenceGap(SfbCheckError):
    """A section a requirement needs is absent or malformed in otherwise usable evidence."""

    def __init__(self, server: str, section: str, reason: str) -> None:
        self.server, self.section, self.reason = server, section, reason
        super().__init__(f"cannot judge {server}: evidence section {section!r} {reason}")
