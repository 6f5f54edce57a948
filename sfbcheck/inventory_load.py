"""Loading an inventory file, and saying what is wrong with it: every problem at once, each naming the pool or
server by FQDN, the field, what was expected and the closest known value (``InventoryError.problems``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from sfbcheck import yamlfile
from sfbcheck.errors import InventoryError, InventoryProblem
from sfbcheck.inventory import Inventory, _Problems, suggest

SECRET_KEYS = {"password", "passwd", "secret", "credential", "credentials", "token", "apikey", "api_key"}


def _find_secrets(node: Any, loc: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    """The location of the first credential-like key (the value is never read)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if str(key).lower() in SECRET_KEYS:
                return (*loc, key)
            found = _find_secrets(value, (*loc, key))
            if found:
                return found
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found = _find_secrets(value, (*loc, i))
            if found:
                return found
    return None


_UNION_TAGS = ("Address", "Network")  # pydantic's location parts for union members and internal validators
_TYPE_TAGS = ("str", "int", "bool", "float", "list", "dict", "none")


def _name_of(item: Any) -> str | None:
    if isinstance(item, dict):
        for key in ("fqdn", "name", "domain"):
            value = item.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip().rstrip(".").lower()
    return None


def _data_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """A pydantic location without its internal parts (union members, validators): keys and indexes only."""
    return tuple(part for part in loc if isinstance(part, int) or not (
        "[" in str(part) or str(part).endswith(_UNION_TAGS) or str(part) in _TYPE_TAGS))


def named_path(loc: tuple[Any, ...], data: Any) -> str:
    """A pydantic location as a path naming pools, servers, domains and gateways by FQDN, not by index."""
    out, node = "", data
    for part in _data_loc(loc):
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            out += f"[{_name_of(item) or part}]"
            node = item
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model that holds the last part of ``loc``."""
    model: type[BaseModel] | None = Inventory
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(str(part)) if model is not None else None
        model = _model_in(info.annotation) if info is not None else None
        if model is None:
            return []
    return list(model.model_fields) if model is not None else []


def _choices(error: dict[str, Any]) -> list[str]:
    return re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))


def _expected(error: dict[str, Any]) -> str:
    kind, msg = error["type"], error["msg"]
    got = error.get("input")
    if kind == "missing":
        return "a value (this field is required)"
    if kind == "extra_forbidden":
        return "no such field (unknown field; check its spelling)"
    if kind in ("ip_v4_address", "ip_v6_address", "ip_any_address"):
        return f"an IPv4 or IPv6 address, got {got!r}"
    if kind in ("ip_v4_network", "ip_v6_network", "ip_any_network"):
        return f"an IP network such as 10.10.0.0/16, got {got!r}"
    simple = {"int_parsing": "a whole number", "int_type": "a whole number", "float_parsing": "a number",
              "bool_parsing": "true or false", "bool_type": "true or false", "string_type": "a text value",
              "list_type": "a list", "dict_type": "a mapping", "model_type": "a mapping",
              "too_short": "a non-empty list", "greater_than_equal": msg.removeprefix("Input should be ").lower(),
              "less_than_equal": msg.removeprefix("Input should be ").lower(),
              "greater_than": msg.removeprefix("Input should be ").lower()}
    if kind in simple:
        return f"{simple[kind]}, got {got!r}"
    if kind in ("enum", "literal_error"):
        return f"one of {error.get('ctx', {}).get('expected', '')}, got {got!r}"
    msg = msg.removeprefix("Value error, ")
    return f"{msg}" if got is None or isinstance(got, (dict, list)) else f"{msg} (got {got!r})"


def _suggestion(error: dict[str, Any]) -> str | None:
    got = error.get("input")
    if error["type"] in ("enum", "literal_error") and isinstance(got, str):
        return suggest(got, _choices(error))
    if error["type"] == "extra_forbidden" and error["loc"]:
        return suggest(str(error["loc"][-1]), _fields_at(error["loc"]))
    return None


def _problems_of(exc: ValidationError, data: Any) -> list[InventoryProblem]:
    problems: list[InventoryProblem] = []
    for error in exc.errors():
        where = named_path(error["loc"], data)
        carried = error.get("ctx", {}).get("error")
        if isinstance(carried, _Problems):
            prefix = "" if where == "(top level)" else where + "."
            problems += [InventoryProblem(prefix + p.field, p.expected, p.suggestion) for p in carried.problems]
        else:
            problems.append(InventoryProblem(where, _expected(error), _suggestion(error)))
    return problems


# documentation addresses (RFC 5737, RFC 3849) standing in for a mistyped one, of the family it was meant to be
_STAND_IN = {4: ("192.0.2.{n}", "192.0.2.{n}/32"), 6: ("2001:db8:5fbc::{n:x}", "2001:db8:5fbc::{n:x}/128")}


def _repaired(data: dict[str, Any], errors: list[Any]) -> tuple[dict[str, Any], list[str]] | None:
    """A copy of the data with each field error mended so the cross-references can still be checked: an unknown
    field removed, a mistyped address replaced by a documentation address that stands in for it (returned, so
    that problems naming one are dropped). None when an error cannot be mended that way."""
    repaired, stand_ins, removals = copy.deepcopy(data), [], []
    for error in errors:
        loc = _data_loc(error["loc"])
        parent = repaired
        try:
            for part in loc[:-1]:
                parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return None
        if not loc or not isinstance(parent, (dict, list)):
            return None
        if error["type"] == "extra_forbidden":
            removals.append((parent, loc[-1]))
        elif error["type"].startswith(("ip_v4", "ip_v6", "ip_any")) and len(stand_ins) < 250:
            address, network = _STAND_IN[6 if ":" in str(error.get("input")) else 4]
            stand_ins.append(address.format(n=len(stand_ins) + 1))
            parent[loc[-1]] = (network if "network" in error["type"] else address).format(n=len(stand_ins))
        else:
            return None
    for parent, key in sorted(removals, key=lambda r: -r[1] if isinstance(r[1], int) else 0):
        del parent[key]
    return repaired, stand_ins


def _cross_references(data: dict[str, Any], errors: list[Any]) -> list[InventoryProblem] | None:
    """The cross-reference problems of data whose fields are wrong, or None if they cannot be checked yet."""
    mended = _repaired(data, errors)
    if mended is None:
        return None
    repaired, stand_ins = mended
    try:
        Inventory.model_validate(repaired)
    except ValidationError as exc:
        carried = [e.get("ctx", {}).get("error") for e in exc.errors()]
        if len(carried) != 1 or exc.errors()[0]["loc"] or not isinstance(carried[0], _Problems):
            return None
        return [p for p in carried[0].problems if not any(s in f"{p.field} {p.expected}" for s in stand_ins)]
    return []


def placeholders(node: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every ``TODO`` a generated inventory still holds (the importer writes them where the topology is silent)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from placeholders(value, (*loc, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from placeholders(value, (*loc, i))
    elif isinstance(node, str) and node.lstrip().upper().startswith("TODO"):
        yield loc, node


def _first_per_field(problems: list[InventoryProblem]) -> list[InventoryProblem]:
    seen: set[str] = set()
    kept = []
    for problem in problems:
        if problem.field not in seen:
            seen.add(problem.field)
            kept.append(problem)
    return kept


def validate(data: Any, source: str | Path = "(inventory)") -> Inventory:
    """Validate inventory data; raise InventoryError listing every problem at once."""
    if not isinstance(data, dict):
        raise InventoryError(source, "(top level)",
                             "a mapping with deployment, ad_domain, sip_domains, pools, cms")
    problems: list[InventoryProblem] = []
    secret = _find_secrets(data)
    if secret:
        problems.append(InventoryProblem(named_path(secret, data), "no credential in the inventory file: set them "
                                         "in environment variables (SFBCHECK_USERNAME / SFBCHECK_PASSWORD), a "
                                         "keyring or Kerberos"))
    problems += [InventoryProblem(named_path(loc, data), f"a value in place of the placeholder {text!r}")
                 for loc, text in placeholders(data)]
    inventory, note = None, ""
    try:
        inventory = Inventory.model_validate(data)
    except ValidationError as exc:
        problems += _problems_of(exc, data)
        if not any(not e["loc"] and isinstance(e.get("ctx", {}).get("error"), _Problems) for e in exc.errors()):
            cross = _cross_references(data, exc.errors())
            if cross is None:
                note = ("the cross-references (backup, next hop, CMS, sites, gateways, unique names and addresses) "
                        "are checked once these fields are right")
            else:
                problems += cross
    if problems:
        raise InventoryError.of(source, _first_per_field(problems), note)
    assert inventory is not None
    return inventory


def load_inventory(path: str | Path) -> Inventory:
    """Load and validate an inventory file; raise InventoryError naming file, fields and expectations.

    Read through :mod:`sfbcheck.yamlfile`: UTF-8 or UTF-16, bounded in size, nesting and alias expansion,
    duplicate keys refused.
    """
    path = Path(path)
    data = yamlfile.read(path, lambda where, expected: InventoryError(path, where, expected), "inventory")
    inventory = validate(data, path)
    inventory._source = path.resolve()
    return inventory
