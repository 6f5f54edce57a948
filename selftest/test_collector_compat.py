"""The collector runs on every supported Windows and PowerShell: a static guarantee (issue #17, item 2).

Windows PowerShell does not run here, so this test reads the collector with the tree-sitter PowerShell grammar and
checks every command, WMI class, .NET type, static member and language feature against
``collector/compatibility.yml`` (first Windows Server / PowerShell / .NET of each, with its Microsoft page):

* every one must have a row;
* a use newer than the floor (Windows Server 2008 R2 SP1, PowerShell 3.0, .NET 4.0) is allowed only where it is
  guarded: a command inside ``if (Test-SfbCommand -Name '<command>') { ... }`` (the code after it is the fallback
  for older Windows), a .NET type or member inside ``try { }`` (the catch is the fallback);
* no syntax newer than PowerShell 3.0 (classes, ``::new()``, ``.Where({})``, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import tree_sitter
import yaml

from selftest.test_collector_static import nodes, parse, text, without_comments
from sfbcheck.live.collect import collector_script

TABLE_PATH = Path(__file__).resolve().parents[1] / "collector" / "compatibility.yml"
GATE = re.compile(r"Test-SfbCommand\s+-Name\s+['\"]([\w-]+)['\"]")
STATIC_MEMBER = re.compile(r"(\[[\w.]+\])::(\w+)")
NEWLINE = b"\n"
CLASS_ARGUMENT = re.compile(r"-ClassName\s+['\"]?(\w+)")


@dataclass(frozen=True)
class Level:
    os: int
    ps: int
    net: int


class Table:
    def __init__(self, data: dict) -> None:
        self.data = data
        self.os_order, self.ps_order, self.net_order = data["os_order"], data["ps_order"], data["net_order"]
        self.floor = self.level(data["floor"])

    def level(self, row: dict) -> Level:
        floor = self.data["floor"]
        return Level(self.os_order.index(str(row.get("os", floor["os"]))),
                     self.ps_order.index(str(row.get("ps", floor["ps"]))),
                     self.net_order.index(str(row.get("net", floor["net"]))))

    def describe(self, level: Level) -> str:
        return (f"Windows Server {self.os_order[level.os]} / PowerShell {self.ps_order[level.ps]} / "
                f".NET {self.net_order[level.net]}")

    def row(self, kind: str, name: str) -> dict | None:
        rows = self.data.get(kind) or {}
        found = rows.get(name)
        if found is None:  # PowerShell names are case-insensitive
            found = next((value for key, value in rows.items() if key.lower() == name.lower()), None)
        return found


def load_table() -> Table:
    return Table(yaml.safe_load(TABLE_PATH.read_text(encoding="utf-8")))


def _inside(node: tree_sitter.Node, container: tree_sitter.Node) -> bool:
    return container.start_byte <= node.start_byte and node.end_byte <= container.end_byte


def gate_of(node: tree_sitter.Node) -> str | None:
    """The command named by the nearest ``if (Test-SfbCommand -Name 'X') { <node> }`` around ``node``."""
    child, parent = node, node.parent
    while parent is not None:
        if parent.type == "if_statement":
            body = next((c for c in parent.children if c.type == "statement_block"), None)
            condition = "".join(text(c) for c in parent.children if c.type == "pipeline")
            found = GATE.search(condition)
            if body is not None and found and _inside(child, body):
                return found.group(1)
        child, parent = parent, parent.parent
    return None


def in_try(node: tree_sitter.Node) -> bool:
    child, parent = node, node.parent
    while parent is not None:
        if parent.type == "try_statement":
            body = next((c for c in parent.children if c.type == "statement_block"), None)
            if body is not None and _inside(child, body):
                return True
        child, parent = parent, parent.parent
    return False


def _exceeds(need: Level, allowed: Level) -> bool:
    return need.os > allowed.os or need.ps > allowed.ps or need.net > allowed.net


def compatibility_problems(source: str, table: Table | None = None) -> list[str]:
    """Every use in ``source`` that is not in the table or needs more than the Windows it runs on."""
    table = table or load_table()
    tree = parse(source.encode("utf-8"))
    own = {text(n) for n in nodes(tree, "function_name")}
    problems: list[str] = []

    def line(node: tree_sitter.Node) -> int:
        return node.start_point[0] + 1

    def allowed_for(node: tree_sitter.Node) -> tuple[Level, str]:
        gate = gate_of(node)
        row = table.row("commands", gate) if gate else None
        if gate and row is not None:
            return table.level(row), f"inside if (Test-SfbCommand -Name '{gate}')"
        return table.floor, "on every supported Windows"

    for command in nodes(tree, "command"):
        name_node = command.child_by_field_name("command_name")
        name = text(name_node) if name_node is not None else text(command).split()[0]
        if name in own or name.startswith("("):
            continue
        row = table.row("commands", name)
        if row is None:
            problems.append(f"line {line(command)}: command {name} has no row in collector/compatibility.yml")
            continue
        need = table.level(row)
        allowed, where = allowed_for(command)
        if _exceeds(need, allowed):
            problems.append(f"line {line(command)}: {name} needs {table.describe(need)} but runs {where} (from "
                            f"{table.describe(allowed)}); guard it with if (Test-SfbCommand -Name '{name}') and "
                            f"a fallback for older Windows")
        if name == "Get-CimInstance":
            found = CLASS_ARGUMENT.search(text(command))
            if not found:
                problems.append(f"line {line(command)}: Get-CimInstance without a literal -ClassName")
            elif table.row("wmi_classes", found.group(1)) is None:
                problems.append(f"line {line(command)}: WMI class {found.group(1)} has no row in "
                                f"collector/compatibility.yml")
            elif _exceeds(table.level(table.row("wmi_classes", found.group(1))), allowed):
                problems.append(f"line {line(command)}: WMI class {found.group(1)} is newer than {where}")
        if name == "New-Object":
            type_name = text(command).split()[1]
            type_row = table.row("types", type_name)
            if type_row is None:
                problems.append(f"line {line(command)}: type {type_name} has no row in collector/compatibility.yml")
            elif _exceeds(table.level(type_row), table.floor) and not in_try(command):
                problems.append(f"line {line(command)}: type {type_name} needs {table.describe(table.level(type_row))}"
                                f"; create it inside try {{ }} with a fallback")
    code = without_comments(tree, source)
    encoded = code.encode("utf-8")
    for match in STATIC_MEMBER.finditer(code):
        member = f"{match.group(1)}::{match.group(2)}"
        start = len(code[:match.start()].encode("utf-8"))
        node = tree.root_node.descendant_for_byte_range(start, start + len(match.group(0).encode("utf-8")))
        row = table.row("members", member)
        where = f"line {encoded[:start].count(NEWLINE) + 1}"
        if row is None:
            problems.append(f"{where}: {member} has no row in collector/compatibility.yml")
        elif _exceeds(table.level(row), table.floor) and not (node is not None and in_try(node)):
            problems.append(f"{where}: {member} needs {table.describe(table.level(row))}; call it inside try {{ }} "
                            f"with a fallback for older Windows")
    for feature, row in (table.data.get("syntax") or {}).items():
        if _exceeds(table.level(row), table.floor):
            for match in re.finditer(row["pattern"], code):
                problems.append(f"line {code[:match.start()].count(chr(10)) + 1}: {feature} need(s) PowerShell "
                                f"{row['ps']} ({row['doc']})")
    return problems


def test_every_row_names_its_first_version_and_a_microsoft_page():
    table = load_table()
    for kind in ("commands", "wmi_classes", "types", "members", "syntax"):
        for name, row in table.data[kind].items():
            table.level(row)  # a version outside the orders raises ValueError
            assert str(row["doc"]).startswith("https://learn.microsoft.com/"), (kind, name)


def test_the_collector_fits_every_supported_windows_and_powershell():
    assert compatibility_problems(collector_script()) == []


def _with_line_in(function: str, line: str) -> str:
    """An in-memory copy of the collector with ``line`` added at the top of ``function``."""
    source = collector_script()
    head = f"function {function} {{\n"
    assert head in source
    return source.replace(head, head + "    " + line + "\n", 1)


def test_a_2012_only_command_in_a_section_that_runs_on_2008_r2_fails():
    problems = compatibility_problems(_with_line_in("Get-SfbComputerSystem",
                                                    "$null = Get-NetIPAddress -AddressFamily IPv4"))
    assert len(problems) == 1
    assert "Get-NetIPAddress needs Windows Server 2012" in problems[0]
    assert "guard it with if (Test-SfbCommand -Name 'Get-NetIPAddress')" in problems[0]


def test_the_same_command_behind_its_gate_passes():
    gated = "if (Test-SfbCommand -Name 'Get-NetIPAddress') { $null = Get-NetIPAddress -AddressFamily IPv4 }"
    assert compatibility_problems(_with_line_in("Get-SfbComputerSystem", gated)) == []


def test_the_gate_must_name_that_command_and_the_else_branch_is_not_gated():
    wrong_gate = ("if (Test-SfbCommand -Name 'Get-CimInstance') { $null = Get-SmbShareAccess -Name x } "
                  "else { $null = Get-NetRoute }")
    problems = compatibility_problems(_with_line_in("Get-SfbComputerSystem", wrong_gate))
    assert any("Get-SmbShareAccess needs" in p for p in problems)
    assert any("Get-NetRoute needs" in p for p in problems)


@pytest.mark.parametrize(("line", "expected"), [
    ("$null = Test-NetConnection -ComputerName x -Port 443", "Test-NetConnection needs Windows Server 2012R2"),
    ("$null = Get-Foo -Bar", "command Get-Foo has no row"),
    ("$x = Get-CimInstance -ClassName MSFT_NetAdapter", "WMI class MSFT_NetAdapter has no row"),
    ("$k = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($c)",
     "needs Windows Server 2016"),
    ("$x = [System.Guid]::NewGuid()", "[System.Guid]::NewGuid has no row"),
    ("$x = @(1, 2).Where({ $_ -gt 1 })", "need(s) PowerShell 4.0"),
    ("$x = [System.Text.StringBuilder]::new()", "need(s) PowerShell 5.1"),
])
def test_other_uses_beyond_the_floor_fail(line, expected):
    problems = compatibility_problems(_with_line_in("Get-SfbComputerSystem", line))
    assert any(expected in p for p in problems), problems


def test_a_newer_dotnet_member_inside_try_is_a_guarded_probe():
    guarded = ("try { $k = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::"
               "GetRSAPrivateKey($c) } catch { $k = $null }")
    assert compatibility_problems(_with_line_in("Get-SfbComputerSystem", guarded)) == []


def test_every_2012_cmdlet_the_collector_uses_has_a_fallback_path():
    """Each function that gates a 2012+ command has code after the gate (the WMI/.NET path for 2008 R2)."""
    source = collector_script()
    tree = parse(source.encode("utf-8"))
    table = load_table()
    for function in nodes(tree, "function_statement"):
        for statement in nodes_in(function, "if_statement"):
            condition = "".join(text(c) for c in statement.children if c.type == "pipeline")
            found = GATE.search(condition)
            if not found or table.level(table.row("commands", found.group(1))).os == table.floor.os:
                continue
            after = source[statement.end_byte:function.end_byte].strip()
            assert after.strip("}").strip() or any(c.type == "else_clause" for c in statement.children), \
                f"{text(function).split()[1]}: no fallback after the {found.group(1)} gate"


def nodes_in(root: tree_sitter.Node, kind: str) -> list[tree_sitter.Node]:
    found, stack = [], [root]
    while stack:
        node = stack.pop()
        if node.type == kind:
            found.append(node)
        stack.extend(node.children)
    return found
