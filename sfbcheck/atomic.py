"""Every file the suite writes is written whole or not at all: a temporary file in the same directory, flushed
to disk, then renamed over the target (``os.replace`` is atomic on POSIX and Windows). A crash or a kill
mid-write leaves the previous file, never a truncated one. Text is UTF-8; a lone surrogate (which UTF-8
cannot encode) becomes U+FFFD instead of losing the whole file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from sfbcheck.text import encodable

_UMASK = os.umask(0)
os.umask(_UMASK)


def write_bytes(path: Path | str, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (the directory must exist)."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o666 & ~_UMASK)  # as open() would have created it (mkstemp makes 0600)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def write_text(path: Path | str, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8, LF kept as written) atomically."""
    write_bytes(path, encodable(text).encode("utf-8"))


def copy(source: Path | str, target: Path | str) -> None:
    """Copy ``source`` over ``target`` atomically."""
    write_bytes(target, Path(source).read_bytes())
