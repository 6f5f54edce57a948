"""Credentials read during a run, so no report, log or traceback shows them.

:class:`sfbcheck.live.transport.Credentials` registers every password it holds; the plugin passes each test
report through :func:`scrub_report`, which replaces any registered value in the failure text, the captured
output and the user properties (terminal, HTML, JUnit and JSON all read those).
"""

from __future__ import annotations

from typing import Any

MASK = "********"
_known: set[str] = set()


def register(value: str | None) -> None:
    """Remember a secret (at least 4 characters: shorter ones would mask ordinary text)."""
    if value and len(value) >= 4:
        _known.add(value)


def scrub(text: str) -> str:
    """``text`` with every registered secret masked."""
    for secret in sorted(_known, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _leaks(text: str) -> bool:
    return any(secret in text for secret in _known)


def scrub_report(report: Any) -> None:
    """Mask registered secrets in a pytest report (longrepr, captured sections, user properties), in place."""
    if not _known:
        return
    if report.longrepr is not None:
        text = str(report.longrepr)
        if _leaks(text):
            report.longrepr = scrub(text)
    report.sections = [(title, scrub(content)) for title, content in getattr(report, "sections", [])]
    report.user_properties = [(name, scrub(value) if isinstance(value, str) else value)
                              for name, value in getattr(report, "user_properties", [])]
