"""What a check returns: the problems it found (an empty list means compliant)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    """One thing that is wrong: what (one sentence), the evidence behind it, and the fix."""

    message: str
    fix: str = ""
    evidence: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def render(problems: list[Problem]) -> str:
    """Plain-text failure message: every problem with its evidence and fix, most important first."""
    lines: list[str] = []
    for number, problem in enumerate(problems, 1):
        prefix = f"{number}. " if len(problems) > 1 else ""
        lines.append(f"{prefix}{problem.message}")
        if problem.evidence:
            lines.extend("   evidence: " + line if i == 0 else "             " + line
                         for i, line in enumerate(problem.evidence.splitlines()))
        if problem.fix:
            lines.extend("   fix: " + line if i == 0 else "        " + line
                         for i, line in enumerate(problem.fix.splitlines()))
    return "\n".join(lines)
