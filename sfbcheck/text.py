"""Text from evidence made safe for every output: terminal, HTML, XML (JUnit) and JSON.

Evidence can carry any string: lone surrogates (``"\\ud800"`` is valid JSON), terminal escape sequences,
NUL and other control characters. :func:`printable` keeps the text readable and lossless enough to act on:
a lone surrogate becomes U+FFFD, a control character (other than tab and newline) its visible ``\\xNN``
escape, so no report file fails to encode and no terminal receives a raw control sequence.
"""

from __future__ import annotations

import re
from typing import Any

_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` without lone surrogates (U+FFFD) or control characters (shown as ``\\xNN``); CR LF becomes LF."""
    text = _SURROGATES.sub("\ufffd", text.replace("\r\n", "\n"))
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def encodable(text: str) -> str:
    """``text`` that encodes as UTF-8: lone surrogates replaced by U+FFFD, nothing else changed."""
    return _SURROGATES.sub("\ufffd", text)


def clean(value: Any) -> Any:
    """:func:`printable` applied to every string inside ``value`` (dicts, lists, tuples)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, tuple):
        return tuple(clean(v) for v in value)
    return value
