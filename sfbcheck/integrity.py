"""The SHA-256 seal of an evidence document, and the identity the document claims (issue #17, item 4).

The collector (``collector/Collect-SfbEvidence.ps1``, from version 1.1.0) writes the document as one JSON object
whose LAST member is ``"Sha256": "<64 hex>"``: the SHA-256 of the UTF-8 bytes of the document text up to (not
including) the comma before that member. The seal is checked on the text as read, so it does not depend on how
the JSON was formatted (compact from the collector, indented from the sample lab or a capture), and a file that
was edited, truncated or damaged on the way from an Edge server is refused, naming the file.

The sealed document also opens with ``"Integrity": "SHA-256"``. Files without a seal (a collector older than
1.1.0, a hand-made test file) are accepted and the report header lists them ("not checked for changes"); a file
that announces the seal but lacks it (the last member removed) is refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from sfbcheck.errors import EvidenceError

SEAL_MEMBER = "Sha256"
MARKER = ("Integrity", "SHA-256")
_SEAL = re.compile(r'\s*,\s*"Sha256"\s*:\s*"([0-9A-Fa-f]{64})"\s*\}\s*$')
_TAIL_BYTES = 512


def digest(body: str) -> str:
    """Lower-case hex SHA-256 of the UTF-8 bytes of ``body`` (the collector's Get-SfbSha256Hex)."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def seal(document: dict[str, Any], *, indent: int | None = 1, ensure_ascii: bool = True) -> str:
    """The document's text with the seal as its last member (what the lab generator and a capture write)."""
    unsealed = {MARKER[0]: MARKER[1]}
    unsealed |= {key: value for key, value in document.items() if key not in (SEAL_MEMBER, MARKER[0])}
    text = json.dumps(unsealed, indent=indent, ensure_ascii=ensure_ascii)
    body = text.rstrip()[:-1].rstrip()  # drop the closing brace
    newline = "\n" if indent is not None else ""
    return f'{body},{newline}{" " * (indent or 0)}"{SEAL_MEMBER}": "{digest(body)}"{newline}}}' + "\n"


def decode(raw: bytes) -> str:
    """The text of an evidence file: UTF-8 (with or without BOM) or UTF-16 (Windows PowerShell 5.1 Out-File)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("utf-16")


def find_seal(text: str) -> tuple[int, str] | None:
    """Where the body ends and the sealed hex, as ``_SEAL.search(text)`` finds them, or None. Cheap: the seal is
    the document's last member, so it is looked for in the text's tail first (a search of the whole indented text
    retries ``\\s*`` at every blank of it: most of the time spent reading a large file).

    Every match of ``_SEAL`` ends at the text's end, so all of them share the comma, the member and the hex and
    differ only in how much whitespace before the comma they take; the leftmost (what a search of the whole text
    returns) takes all of it, which ``rstrip`` (the same Unicode whitespace as ``\\s``) finds. A tail without a
    match (no seal, or a seal padded with more whitespace than the tail holds) is searched whole, as before.
    """
    found = _SEAL.search(text, max(0, len(text) - _TAIL_BYTES))
    if found is None:
        found = _SEAL.search(text)
        if found is None:
            return None
    return len(text[:found.start()].rstrip()), found.group(1)


def verify(raw: bytes, document: dict[str, Any], server: str, path: Path | str, text: str | None = None) -> bool:
    """True if the file carries a valid seal, False if it has none (older collector); EvidenceError if broken.

    ``text`` is ``decode(raw)`` when the caller already has it (decoded once per file)."""
    text = decode(raw) if text is None else text
    found = find_seal(text)
    if found is None:
        if SEAL_MEMBER in document or document.get(MARKER[0]) == MARKER[1]:
            raise EvidenceError(server, path, f"{Path(path).name}: the file announces a SHA-256 seal but its last "
                                              f"member is not the seal: it was edited after collection; collect "
                                              f"it again and copy it unchanged")
        return False
    end, sealed = found
    expected = sealed.lower()
    actual = digest(text[:end])
    if actual != expected:
        raise EvidenceError(server, path, f"{Path(path).name} was changed after collection (edited, truncated or "
                                          f"damaged in transit): its SHA-256 is {actual[:16]}…, the collector "
                                          f"sealed {expected[:16]}…; collect it again and copy it unchanged")
    return True


def is_sealed(path: Path) -> bool:
    """A cheap look at the file's end: does it carry a seal (valid or not)?"""
    try:
        with path.open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - _TAIL_BYTES))
            tail = handle.read()
    except OSError:
        return True  # unreadable: the load reports it
    for encoding in ("utf-8", "utf-16-le"):
        text = tail.decode(encoding, "ignore")
        if _SEAL.search(text):
            return True
    return False


def unsealed_files(directory: Path) -> list[str]:
    """Evidence files in ``directory`` without a seal (listed in the report header)."""
    if not directory.is_dir():
        return []
    return sorted(p.name for p in directory.glob("*.json") if not is_sealed(p))


# -- identity -----------------------------------------------------------------------------------------------
def identity_mismatch(document: dict[str, Any], server: str) -> str | None:
    """Why the document is not ``server``'s evidence, or None if it is.

    ``Server`` is the FQDN as the topology knows it (collector 1.1.0: Get-CsComputer's FQDN, else the short name
    and the primary DNS suffix). An Edge without a primary DNS suffix and without a Lync registration to ask
    (EDGE-DNS-02's fault) can only give its short name: the file is still that server's when the short name is
    the first label of ``server`` and ``PrimaryDnsSuffix`` is empty (EDGE-DNS-02 then fails on it).
    """
    named = str(document.get("Server") or "").strip().rstrip(".").lower()
    wanted = server.lower()
    if not named or named == wanted:
        return None
    suffix = str(document.get("PrimaryDnsSuffix", "") or "").strip()
    if "." not in named and not suffix and wanted.split(".")[0] == named:
        return None
    return f"the file was collected on {named}, not on {server}"
