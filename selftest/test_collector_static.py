"""The collector, read statically: it parses cleanly and it calls only read-only commands (an allowlist).

No Windows PowerShell runs here, so these tests are what stands between the collector and a server: the
tree-sitter PowerShell grammar must parse it without an error node, and every command, New-Object type,
static .NET call and command name written as a string must be on the allowlist below. Anything else (a new
cmdlet, a Set-/Remove-/Restart- verb, a file write other than -OutFile) fails until it is reviewed and added.
"""

from __future__ import annotations

import re

import pytest
import tree_sitter
import tree_sitter_powershell

from sfbcheck.live.collect import COLLECTOR, collector_script
from sfbcheck.live.transport import BOOTSTRAP

# Cmdlets the collector may run: every one only reads.
READ_ONLY_COMMANDS = {
    "Get-NetIPAddress", "Get-NetRoute", "Get-CimInstance", "Get-DnsClientGlobalSetting", "Get-DnsClient",
    "Get-DnsClientServerAddress", "Get-Item", "Get-ItemProperty", "Get-ChildItem", "Get-Acl", "Get-WinEvent",
    "Get-Date", "Get-Command", "Get-Module", "Import-Module", "Test-Path", "Join-Path", "Where-Object",
    "ForEach-Object", "ConvertTo-Json", "ConvertFrom-Json", "Resolve-DnsName", "New-Object",
    "Get-CsCertificate", "Get-CsSipDomain", "Get-CsHostingProvider", "Get-CsAllowedDomain",
    "Get-CsAccessEdgeConfiguration", "Get-CsTopology", "Get-CsManagementStoreReplicationStatus",
    "Get-CsPushNotificationConfiguration", "Get-CsOAuthConfiguration", "Get-CsService", "Get-CsPoolBackupRelationship",
    "Get-CsBackupServiceStatus", "Test-CsDatabase", "Get-SmbShareAccess", "Get-ADComputer",
    "Get-ADPrincipalGroupMembership", "Get-OfficeWebAppsFarm", "Select-Object", "Sort-Object", "Get-Variable",
    "Get-CsComputer", "Get-CsPoolFabricState", "Get-CsBlockedDomain", "Get-NetTCPConnection",
    "Invoke-CimMethod",  # only the methods that read (GetSecurityDescriptor): checked below
    "certutil.exe",  # only -store (lists a store): checked below
}
# Verbs of the collector's own functions.
OWN_FUNCTION_VERBS = {"Get", "Test", "ConvertTo", "Split", "Import", "Invoke", "New", "Resolve"}
NEW_OBJECT_TYPES = {
    "System.Collections.ArrayList", "System.Text.UTF8Encoding", "System.Net.Sockets.TcpClient",
    "System.Net.Security.SslStream", "System.Security.Cryptography.X509Certificates.X509Certificate2",
    "System.Uri", "System.Reflection.AssemblyName",
    "System.Data.SqlClient.SqlConnection",  # one SELECT from sys.databases of the local SQL Express instances
}
STATIC_CALLS = {
    "[Convert]::ToBase64String", "[Convert]::FromBase64String", "[System.IO.File]::ReadAllBytes",
    "[System.Net.Dns]::GetHostEntry", "[ScriptBlock]::Create", "[Console]::Error",
    "[System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey",
    "[System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions]::GetECDsaPrivateKey",
    "[System.IO.File]::WriteAllText",  # only the -OutFile the admin names (checked below)
    "[System.Base64FormattingOptions]::InsertLineBreaks",
    "[IntPtr]::Zero", "[DateTime]::FromFileTimeUtc", "[BitConverter]::ToString", "[string]::Format",
    "[System.Globalization.CultureInfo]::InvariantCulture", "[System.Security.Cryptography.SHA256]::Create",
    "[regex]::Escape", "[regex]::Replace", "[regex]::Match", "[Math]::Floor", "[Math]::Min", "[Math]::Round",
    "[System.Management.Automation.PowerShell]::Create",
    "[System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties",  # listening sockets, read only
    "[System.Management.Automation.Runspaces.RunspaceFactory]::CreateRunspace",
    # the in-memory declaration of advapi32!RegQueryInfoKey (no compiler, no file): checked below
    "[AppDomain]::CurrentDomain", "[System.Reflection.Emit.AssemblyBuilderAccess]::Run",
    "[System.Reflection.CallingConventions]::Standard", "[System.Runtime.InteropServices.CallingConvention]::Winapi",
    "[System.Runtime.InteropServices.CharSet]::Unicode", "[System.Reflection.MethodImplAttributes]::PreserveSig",
}
# The only native functions the collector may declare (DefinePInvokeMethod): functions that read.
NATIVE_FUNCTIONS = {"RegQueryInfoKey"}
# The only WMI methods the collector may call (Invoke-CimMethod -MethodName): methods that read.
READ_ONLY_WMI_METHODS = {"GetSecurityDescriptor"}
VERB_NOUN = re.compile(r"^[A-Z][A-Za-z]+-[A-Z][A-Za-z0-9]+$")


def parse(source: bytes) -> tree_sitter.Tree:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language())).parse(source)


def nodes(tree: tree_sitter.Tree, kind: str) -> list[tree_sitter.Node]:
    found, stack = [], [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == kind:
            found.append(node)
        stack.extend(node.children)
    return found


def text(node: tree_sitter.Node) -> str:
    return node.text.decode("utf-8") if node.text is not None else ""


def without_comments(tree: tree_sitter.Tree, source: str) -> str:
    data = bytearray(source.encode("utf-8"))
    for comment in nodes(tree, "comment"):
        data[comment.start_byte:comment.end_byte] = b" " * (comment.end_byte - comment.start_byte)
    return data.decode("utf-8")


def violations(source: str) -> list[str]:
    """Everything in ``source`` that is not on the read-only allowlist."""
    tree = parse(source.encode("utf-8"))
    own = {text(n) for n in nodes(tree, "function_name")}
    problems = [f"own function {name} has a verb outside {sorted(OWN_FUNCTION_VERBS)}" for name in own
                if name.split("-")[0] not in OWN_FUNCTION_VERBS]
    for command in nodes(tree, "command"):
        name_node = command.child_by_field_name("command_name")
        name = text(name_node) if name_node is not None else text(command).split()[0]
        if name.startswith("(Get-Command "):
            continue  # dynamic call of a name: every such name is a string literal, checked below
        if name not in READ_ONLY_COMMANDS and name not in own:
            problems.append(f"command {name} is not on the read-only allowlist")
        if name == "New-Object":
            type_name = text(command).split()[1]
            if type_name not in NEW_OBJECT_TYPES:
                problems.append(f"New-Object {type_name} is not on the allowlist")
    for literal in nodes(tree, "string_literal"):
        value = text(literal).strip("'\"")
        if VERB_NOUN.match(value) and value not in READ_ONLY_COMMANDS and value not in own:
            problems.append(f"command name {value!r} in a string is not on the read-only allowlist")
    code = without_comments(tree, source)
    for match in re.finditer(r"(\[[\w.]+\])::(\w+)", code):
        call = f"{match.group(1)}::{match.group(2)}"
        if call not in STATIC_CALLS:
            problems.append(f"static call {call} is not on the allowlist")
    for write in re.finditer(r"\[System\.IO\.File\]::WriteAllText\((\$\w+)", code):
        if write.group(1) != "$OutFile":
            problems.append(f"a file write to {write.group(1)} (only -OutFile may be written)")
    for declared in re.finditer(r"DefinePInvokeMethod\(\s*(\S+?)\s*,", code):
        if declared.group(1).strip("'\"") not in NATIVE_FUNCTIONS:
            problems.append(f"native function {declared.group(1)} is not on the allowlist")
    if re.search(r"static\s+extern|DllImport", code):
        problems.append("a native declaration in C# text (the collector compiles nothing)")
    for call in re.finditer(r"certutil(?:\.exe)?\b([^\n)]*)", code):
        if not re.match(r"\s+-store\s+-silent\s+My\s+\$\w+\s*$", call.group(1)):
            problems.append(f"certutil{call.group(1)}: only certutil.exe -store -silent My <thumbprint> reads")
    for method in re.finditer(r"Invoke-CimMethod\b[^\n]*?-MethodName\s+(\S+)", code):
        if method.group(1).strip("'\"") not in READ_ONLY_WMI_METHODS:
            problems.append(f"WMI method {method.group(1)} is not on the read-only allowlist")
    if nodes(tree, "redirection"):
        problems.append("an output redirection (> file)")
    return problems


def test_collector_parses_without_error_nodes():
    tree = parse(COLLECTOR.read_bytes())
    assert not tree.root_node.has_error, [str(n.start_point) for n in nodes(tree, "ERROR")]
    assert not nodes(tree, "ERROR")


def test_transport_bootstrap_parses_without_error_nodes():
    assert not parse(BOOTSTRAP.encode()).root_node.has_error


def test_collector_uses_only_read_only_commands():
    assert violations(collector_script()) == []


def test_collector_uses_no_syntax_newer_than_powershell_4():
    source = collector_script()
    assert not re.search(r"^\s*class\s+\w+", source, re.M), "classes need PowerShell 5"
    assert "::new(" not in source, "::new() needs PowerShell 5; use New-Object"
    assert not re.search(r"^\s*using\s+(namespace|module)", source, re.M | re.I), "using needs PowerShell 5"
    assert "#requires -version 5" not in source.lower()


@pytest.mark.parametrize("line", [
    "Set-ItemProperty -Path 'HKLM:\\SOFTWARE\\X' -Name A -Value 1",
    "Restart-Service -Name RTCSRV",
    "Remove-Item -LiteralPath C:\\Temp\\x",
    "$x = New-Object System.IO.StreamWriter 'C:\\x.txt'",
    "[System.IO.File]::Delete('C:\\x.txt')",
    "Get-Process > C:\\out.txt",
    "& (Get-Command -Name 'Stop-CsWindowsService')",
    "function Set-SfbThing { 1 }",
    "[System.IO.File]::WriteAllText($path, 'x')",
    "Add-Type -TypeDefinition 'public class X {}'",
    "Add-Type -MemberDefinition $RegQueryInfoKeySignature -Name 'RegistryInfo' -Namespace 'SfbCheck'",
    "$s = @'\n[DllImport(\"advapi32.dll\")] public static extern int RegSetValueEx(IntPtr h);\n'@",
    "$m = $builder.DefinePInvokeMethod('RegSetValueExW', 'advapi32.dll', $a, $c, [int], $p, $w, $u)",
    "Invoke-CimMethod -InputObject $setting -MethodName SetSecurityDescriptor -Arguments @{}",
    "$null = certutil.exe -delstore My $thumbprint",
])
def test_the_allowlist_catches_a_change(line):
    assert violations(collector_script() + "\n" + line + "\n")


def test_every_section_of_the_collector_is_documented_in_the_catalog_order():
    source = collector_script()
    catalog = re.findall(r"@\('(\w+)', '([\w,*]+)', '(Get-Sfb\w+)'\)", source)
    assert len(catalog) >= 20
    functions = set(re.findall(r"^function (Get-Sfb\w+)", source, re.M))
    assert {fn for _, _, fn in catalog} <= functions


def test_the_collector_emits_every_section_the_lab_evidence_has(clean_lab):
    """The lab builders show every section the checks read; the collector must produce each one."""
    source = collector_script()
    collected = set(re.findall(r"@\('(\w+)', '[\w,*]+', 'Get-Sfb\w+'\)", source))
    in_lab = {name for document in clean_lab.evidence.values() for name in document["Sections"]}
    assert in_lab - collected == set()


def test_the_pester_tests_parse_and_test_functions_the_collector_has():
    """collector/tests/*.Tests.ps1 (run by an administrator with Invoke-Pester on a real server) stay in step."""
    from sfbcheck.live.collect import COLLECTOR

    own = set(re.findall(r"^function ([\w-]+)", collector_script(), re.M))
    files = sorted((COLLECTOR.parent / "tests").glob("*.ps1"))
    assert any(f.name.endswith(".Tests.ps1") for f in files)
    for path in files:
        tree = parse(path.read_bytes())
        assert not tree.root_node.has_error, (path.name, [str(n.start_point) for n in nodes(tree, "ERROR")])
        used = {text(n.child_by_field_name("command_name")) for n in nodes(tree, "command")
                if n.child_by_field_name("command_name") is not None}
        missing = {name for name in used if re.match(r"^[A-Z][a-z]+-Sfb\w*$", name) and name not in own
                   and not name.startswith(("Get-SfbTest", "Assert-SfbTest"))}
        assert not missing, f"{path.name} calls functions the collector does not define: {sorted(missing)}"


def test_every_script_variable_a_section_reads_reaches_the_worker_runspace():
    """Sections run in a worker runspace that only has the variables of $SfbSharedVariables (and $SfbRun): a
    section function, or anything it calls, that reads another script-level variable would read nothing there."""
    source = collector_script()
    tree = parse(source.encode("utf-8"))
    bodies = {text(f.child_by_field_name("function_name") or f.children[1]): text(f)
              for f in nodes(tree, "function_statement")}
    shared = set(re.findall(r"'(\w+)'", re.search(r"\$SfbSharedVariables = @\(([^)]*)\)", source).group(1)))
    param_block = re.search(r"^param\((.*?)^\)", source, re.M | re.S).group(1)
    script_level = set(re.findall(r"\$(\w+)\s*=", param_block))
    script_level |= set(re.findall(r"^\$(\w+)\s*=", source, re.M))
    catalog = re.findall(r"@\('\w+', '[\w,*]+', '(Get-Sfb\w+)'\)", source)
    reached, todo = set(), list(catalog)
    while todo:
        name = todo.pop()
        if name in reached or name not in bodies:
            continue
        reached.add(name)
        todo += [called for called in bodies if called != name and re.search(rf"\b{re.escape(called)}\b",
                                                                               bodies[name])]
    missing = {}
    for name in reached:
        used = set(re.findall(r"\$(?:script:)?(\w+)", bodies[name])) & script_level
        lacking = used - shared - {"SfbRun", "true", "false", "null"}
        if lacking:
            missing[name] = sorted(lacking)
    assert not missing, f"add these to $SfbSharedVariables: {missing}"


def test_every_section_of_the_collector_is_documented_in_docs_evidence():
    """docs/evidence.md has a row (or a shared row) for every section the collector writes."""
    from sfbcheck.live.collect import COLLECTOR

    doc = (COLLECTOR.parents[1] / "docs" / "evidence.md").read_text(encoding="utf-8")
    first_cells = [line.split("|")[1] for line in doc.splitlines() if line.startswith("|")]
    documented = {name for cell in first_cells for name in re.findall(r"`(\w+)`", cell)}
    sections = re.findall(r"@\('(\w+)', '[\w,*]+', 'Get-Sfb\w+'\)", collector_script())
    assert sorted(set(sections) - documented) == []
