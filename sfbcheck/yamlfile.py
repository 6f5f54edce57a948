"""Reading an administrator's YAML file (inventory, waivers) safely and within bounds.

* encoding: UTF-8 (with or without BOM) or UTF-16 (BOM, or the NUL pattern of Windows PowerShell's
  ``Out-File``); anything else is refused naming the offending byte;
* size: at most MAX_BYTES; nesting: at most MAX_DEPTH levels;
* anchors and aliases: allowed, but the document they expand to has at most MAX_NODES nodes (a
  "billion laughs" file is refused instead of hanging the run);
* duplicate keys in one mapping are refused (YAML would silently keep the last one: a second ``cms:``
  would switch the CMS pool).

Every refusal is a :class:`YamlFileError` with where (line and column when known) and what was expected.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_BYTES = 4 * 1024 * 1024  # a deployment of thousands of servers is a few hundred KB
MAX_DEPTH = 40
MAX_NODES = 200_000


class YamlFileError(ValueError):
    """Why a YAML file cannot be read: ``where`` (line/column, or "(file)") and what was ``expected``."""

    def __init__(self, where: str, expected: str) -> None:
        self.where, self.expected = where, expected
        super().__init__(f"{where}: expected {expected}")


def _at(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(file)"


def decode(raw: bytes) -> str:
    """The text of a file in UTF-8 (BOM optional) or UTF-16 (BOM, or ASCII-range NUL pattern)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif len(raw) >= 2 and raw[1:2] == b"\x00" and raw[0:1] != b"\x00":
        encoding = "utf-16-le"
    elif len(raw) >= 2 and raw[0:1] == b"\x00" and raw[1:2] != b"\x00":
        encoding = "utf-16-be"
    else:
        encoding = "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise YamlFileError("(file)", f"UTF-8 or UTF-16 text, got byte 0x{raw[exc.start]:02x} at offset "
                                      f"{exc.start} that is not {encoding.upper()} (save the file as UTF-8)") from None
    if "\x00" in text:
        raise YamlFileError("(file)", "text without NUL characters (a binary file, or a damaged one)")
    return text


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, deep nesting and alias expansion beyond MAX_NODES."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlFileError(_at(self.peek_event().start_mark), f"at most {MAX_DEPTH} levels of nesting")
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:  # type: ignore[override]
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:
                raise YamlFileError(_at(key_node.start_mark), "a plain key (text or number)") from None
            if first is not key_node:
                raise YamlFileError(_at(key_node.start_mark), f"each key once in a mapping: {key!r} is already "
                                                              f"given at {_at(first.start_mark)}")
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


    def construct_yaml_timestamp(self, node: Node) -> Any:  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)  # type: ignore[no-untyped-call]
        except ValueError as exc:
            raise YamlFileError(_at(node.start_mark), f"a real date, got {node.value!r} ({exc})") from None


_BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", _BoundedLoader.construct_yaml_timestamp)


def _expanded_size(node: Node, memo: dict[int, int]) -> int:
    """How many nodes ``node`` stands for once every alias is expanded (shared nodes counted each time)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a recursive alias counts once: it cannot grow the count
    size = 1
    if isinstance(node, SequenceNode):
        size += sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, MappingNode):
        size += sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    memo[key] = size
    return size


def read(path: Path, refuse: Callable[[str, str], Exception], what: str) -> Any:
    """:func:`load`, every failure raised as ``refuse(where, expected)`` (the caller's error naming its file)."""
    try:
        return load(path)
    except OSError as exc:
        raise refuse("(file)", f"a readable {what} file ({exc.strerror or exc})") from None
    except YamlFileError as exc:
        raise refuse(exc.where, exc.expected) from None


def load(path: Path) -> Any:
    """The YAML document in ``path`` (None if empty); OSError if unreadable, YamlFileError if unusable."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise YamlFileError("(file)", f"at most {MAX_BYTES:,} bytes, the file has {size:,}")
    text = decode(path.read_bytes())
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        expanded = _expanded_size(node, {})
        if expanded > MAX_NODES:
            raise YamlFileError("(file)", f"at most {MAX_NODES:,} values once anchors and aliases are expanded, the "
                                          f"file expands to {expanded:,} (a 'billion laughs' document?)")
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise YamlFileError(_at(mark), f"valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    except RecursionError:
        raise YamlFileError("(file)", f"at most {MAX_DEPTH} levels of nesting") from None
    except ValueError as exc:  # YamlFileError, or a value YAML cannot construct (2027-02-30, a huge number)
        if isinstance(exc, YamlFileError):
            raise
        raise YamlFileError("(file)", f"valid values ({exc})") from None
    finally:
        loader.dispose()
