"""A warm interpreter that runs the compliance suite again and again: ``python -m selftest.judge``.

Starting Python, importing pytest, pydantic, cryptography, pytest-html and the fifteen test modules costs more
than judging the sample lab itself, and the lab's both-ways proof judges it once per documented fault. This
process pays that once: it reads one JSON request per line on stdin (``{"args": [...], "stdout": PATH,
"stderr": PATH, "env": {...}}``), runs ``pytest.main(args)`` in-process with file descriptors 1 and 2 sent to
those files and the caller's environment,
and answers ``{"returncode": N}`` on its original stdout. Each run is a whole pytest session of its own (its
own config, plugins, collection, fixtures and reports), exactly what ``python -m pytest ARGS`` would do.

Only runs of the project's own ``tests/`` come here (``selftest/harness.py`` decides): their modules are
imported once and shared by every session, which is safe because pytest never changes a collected module.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import IO

import pytest


def _redirected(stdout: str, stderr: str) -> tuple[int, int]:
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    for fd, path in ((1, stdout), (2, stderr)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    return saved


def _restored(saved: tuple[int, int]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    for fd, old in zip((1, 2), saved, strict=True):
        os.dup2(old, fd)
        os.close(old)


def run_one(request: dict[str, object]) -> int:
    """One pytest session, as ``python -m pytest ARGS`` would run it; its exit code."""
    environment = dict(os.environ)
    os.environ.clear()
    os.environ.update(request.get("env") or environment)  # the caller's environment, as a subprocess inherits it
    saved = _redirected(str(request["stdout"]), str(request["stderr"]))
    try:
        return int(pytest.main([str(a) for a in request["args"]]))  # type: ignore[union-attr]
    except BaseException:  # noqa: BLE001 - a crash of one session is that run's result, as in a subprocess
        traceback.print_exc()
        return 3
    finally:
        _restored(saved)
        os.environ.clear()
        os.environ.update(environment)


def serve(requests: IO[str], replies: IO[str]) -> None:
    for line in requests:
        if not line.strip():
            continue
        returncode = run_one(json.loads(line))
        replies.write(json.dumps({"returncode": returncode}) + "\n")
        replies.flush()


def main() -> None:
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")  # fd 1 itself goes to each run's stdout file
    serve(sys.stdin, replies)


if __name__ == "__main__":
    main()
