"""Messages that lead somewhere: how to get the evidence a run is missing.

Every missing evidence directory or file names the three ways to get it: ``sfbcheck collect`` (over WinRM),
the collector run by hand on the server with its exact command line for that server's roles, and the runner
probes (``--probe`` / ``sfbcheck probe``) for ``runner.json``.
"""

from __future__ import annotations

from pathlib import Path

from sfbcheck.evidence import RUNNER_FILE
from sfbcheck.inventory import Inventory, Server
from sfbcheck.resources import COLLECTOR_NAME, collector_script


def _powershell_list(values: list[str]) -> str:
    return ",".join("'" + v.replace("'", "''") + "'" for v in values)


def collector_command(inventory: Inventory, server: Server) -> str:
    """The collector's command line for one server, as the WinRM capture runs it (its roles, pool, probes)."""
    from sfbcheck.live.collect import collector_parameters

    parameters = collector_parameters(inventory, server)
    parts = [f".\\{COLLECTOR_NAME}", "-Roles", ",".join(parameters["Roles"]), "-PoolFqdn", parameters["PoolFqdn"],
             "-LookbackHours", str(parameters["LookbackHours"]),
             "-ProbeTimeoutSeconds", str(parameters["ProbeTimeoutSeconds"]),
             "-ProbeConcurrency", str(parameters["ProbeConcurrency"])]
    if parameters["ProbeTargets"]:
        parts += ["-ProbeTargets", _powershell_list(parameters["ProbeTargets"])]
    if parameters["ResolveNames"]:
        parts += ["-ResolveNames", _powershell_list(parameters["ResolveNames"])]
    parts += ["-OutFile", f"C:\\Temp\\{server.fqdn}.json"]
    return " ".join(parts)


def _inventory_argument(inventory: Inventory) -> str:
    return f" {inventory.source}" if inventory.source else ""


def ways_to_collect(inventory: Inventory, directory: Path, servers: list[Server] | None = None) -> list[str]:
    """The three ways to fill ``directory``, for ``servers`` (default: one line per role, its first server)."""
    inv = _inventory_argument(inventory)
    lines = [f"  1. over WinRM, every server at once: sfbcheck collect{inv} --out {directory}",
             "  2. by hand, in an elevated Windows PowerShell on the server (the collector is read-only; "
             f"it is {collector_script()}), then copy the file into {directory} as <server fqdn>.json:"]
    if servers is None:
        seen: dict[str, Server] = {}
        for server in inventory.servers():
            seen.setdefault(server.role.value, server)
        servers = list(seen.values())
    lines += [f"       {server.fqdn}: {collector_command(inventory, server)}" for server in servers]
    lines.append(f"  3. {RUNNER_FILE} (the DNS, TLS and HTTP probes from this machine): sfbcheck probe{inv} "
                 f"--out {directory}, or run with --probe")
    return lines


def missing_evidence_directory(inventory: Inventory, directory: Path) -> str:
    return "\n".join([f"evidence directory {directory} does not exist. Get the evidence one of three ways "
                      "(or give --evidence DIR of a snapshot you have):", *ways_to_collect(inventory, directory)])


def missing_evidence_file(inventory: Inventory, server_name: str, directory: Path) -> str:
    """How to get one missing ``<fqdn>.json`` (or ``runner.json``)."""
    if server_name.lower() == "runner":
        return (f"get {RUNNER_FILE}: sfbcheck probe{_inventory_argument(inventory)} --out {directory}, "
                "or run with --probe")
    try:
        server = inventory.server(server_name)
    except KeyError:
        return ""
    return "\n".join(["get it one of three ways:", *ways_to_collect(inventory, directory, [server])])
