"""What a check returns: the problems it found (an empty list means compliant)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing that is wrong: what (one sentence), the evidence behind it, and the fix.

    ``warning``: reported in every output but never fails the run on its own (the requirement's impact
    ``warning`` in the catalog makes every problem of it a warning; ``policy.warnings_fail`` promotes them).
    """

    message: str
    fix: str = ""
    evidence: str = ""
    warning: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_warning(self, warning: bool = True) -> Problem:
        return replace(self, warning=warning)


def render(problems: list[Problem]) -> str:
    """Plain-text failure message: every problem with its evidence and fix, most important first."""
    lines: list[str] = []
    for number, problem in enumerate(problems, 1):
        prefix = f"{number}. " if len(problems) > 1 else ""
        lines.append(f"{prefix}{'warning: ' if problem.warning else ''}{problem.message}")
        if problem.evidence:
            lines.extend("   evidence: " + line if i == 0 else "             " + line
                         for i, line in enumerate(problem.evidence.splitlines()))
        if problem.fix:
            lines.extend("   fix: " + line if i == 0 else "        " + line
                         for i, line in enumerate(problem.fix.splitlines()))
    return "\n".join(lines)
