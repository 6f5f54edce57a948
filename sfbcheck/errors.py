"""Errors that stop a run (inventory) or one server's tests (evidence), with messages an admin can act on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class SfbCheckError(Exception):
    """Base class of every error sfbcheck raises on purpose."""


@dataclass(frozen=True)
class InventoryProblem:
    """One thing wrong in an inventory: the field (objects named by FQDN), what was expected, a likely fix."""

    field: str
    expected: str
    suggestion: str | None = None

    def __str__(self) -> str:
        hint = f" (did you mean {self.suggestion!r}?)" if self.suggestion else ""
        return f"{self.field}: expected {self.expected}{hint}"


class InventoryError(SfbCheckError):
    """The inventory file is unusable: names the file and, for every problem found (all of them at once),
    the field path (pools and servers named by FQDN) and what was expected.

    ``field`` and ``expected`` are those of the first problem; ``problems`` lists every one; ``note`` says what
    could not be checked yet.
    """

    def __init__(self, file: Path | str, field: str, expected: str,
                 problems: list[InventoryProblem] | None = None, note: str = "") -> None:
        self.file = str(file)
        self.problems = list(problems) if problems else [InventoryProblem(field, expected)]
        self.field, self.expected = self.problems[0].field, self.problems[0].expected
        if len(self.problems) == 1:
            message = f"inventory {self.file}: {self.problems[0]}"
        else:
            lines = "\n".join(f"  {problem}" for problem in self.problems)
            message = f"inventory {self.file}: {len(self.problems)} problems:\n{lines}"
        self.note = note
        super().__init__(f"{message}\n  ({note})" if note else message)

    @classmethod
    def of(cls, file: Path | str, problems: list[InventoryProblem], note: str = "") -> InventoryError:
        return cls(file, problems[0].field, problems[0].expected, problems, note)


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
