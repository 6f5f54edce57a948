"""Running live, end to end against the loopback WS-Management seam.

Each WinRM server of the sample lab is a WinRS endpoint on 127.0.0.1 (HTTPS with a lab CA, NTLM checked by
pyspnego's acceptor) that answers the collector with that server's lab evidence, so ``pytest --live`` and
``python -m sfbcheck.capture`` run for real: the collector is sent whole, the documents come back over
Receive, the snapshot is written and judged. The Edges are ``connection.method: file`` and never contacted.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from selftest.harness import PROJECT, run_suite
from selftest.wsman_loopback import (
    LoopbackWinRM,
    Reply,
    collector_reply,
    decode_powershell,
    error_clixml,
    loopback_tls,
    ntlm_user_file,
)
from sfbcheck.lab.model import Lab
from sfbcheck.live.collect import collector_script

USER, PASSWORD = "CONTOSO\\svc-sfbcheck", "Loopback-Only-Live-Secret-7"
EXAMPLE = PROJECT / "docs" / "examples" / "test_windows_hosts.py"


@dataclass
class LiveLab:
    inventory: Path
    evidence: Path
    servers: dict[str, LoopbackWinRM]
    remote: list[str]


def windows_server(lab: Lab, fqdn: str):
    """A responder that behaves like the bootstrap + collector on ``fqdn`` (and answers testinfra's commands)."""
    def respond(invocation):
        line = f"{invocation.command} {invocation.arguments}"
        if line.strip() == "hostname":
            return Reply(fqdn.partition(".")[0].upper().encode() + b"\r\n")
        if "Get-Service -Name WinRM" in line:
            return Reply(b"Running\r\n")
        _, script, parameters = decode_powershell(invocation)
        if script != collector_script():
            return Reply(b"", error_clixml("not the sfbcheck collector"), 1)
        document = json.loads(json.dumps(lab.evidence[fqdn]))
        document["Sections"]["Echo"] = {"Parameters": parameters}
        return collector_reply(document)

    return respond


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_lab(clean_lab, tmp_path, monkeypatch):
    """The clean lab with every WinRM server behind a loopback endpoint; ``make(broken)`` breaks some on purpose."""
    monkeypatch.setenv("NTLM_USER_FILE", str(ntlm_user_file(tmp_path, USER, PASSWORD)))
    monkeypatch.setenv("LAB_WINRM_USER", USER)
    monkeypatch.setenv("LAB_WINRM_PASS", PASSWORD)
    context, ca_file = loopback_tls(tmp_path / "pki")
    rogue_context, _ = loopback_tls(tmp_path / "rogue", "Rogue Interception CA")
    started: list[LoopbackWinRM] = []

    def make(broken: dict[str, str] | None = None) -> LiveLab:
        broken = broken or {}
        lab = clean_lab.copy()
        inventory = lab.write(tmp_path / "lab")
        data = yaml.safe_load(inventory.read_text())
        servers: dict[str, LoopbackWinRM] = {}
        remote = []
        for pool in data["pools"]:
            for member in pool["members"]:
                if member.get("connection", {}).get("method") == "file":
                    continue
                fqdn = member["fqdn"]
                remote.append(fqdn)
                (inventory.parent / "evidence" / f"{fqdn}.json").unlink()  # must come over WinRM
                how = broken.get(fqdn)
                if how == "unreachable":
                    port = closed_port()
                else:
                    responder = windows_server(lab, fqdn)
                    if how == "collector error":
                        def responder(invocation):
                            return Reply(b"", error_clixml("Get-CsCertificate : Access is denied."), 1)
                    fake = LoopbackWinRM(responder, username=USER, password=PASSWORD,
                                         auth="basic" if how == "login refused" else "ntlm",
                                         tls=rogue_context if how == "untrusted certificate" else context).start()
                    started.append(fake)
                    servers[fqdn] = fake
                    port = fake.port
                member["connection"] = {"host": "127.0.0.1", "port": port, "scheme": "https", "auth": "ntlm",
                                        "ca_file": str(ca_file), "username_env": "LAB_WINRM_USER",
                                        "password_env": "LAB_WINRM_PASS"}
        inventory.write_text(yaml.safe_dump(data, sort_keys=False))
        return LiveLab(inventory, inventory.parent / "evidence", servers, remote)

    yield make
    for fake in started:
        fake.stop()


def test_capture_writes_a_snapshot_that_judges_like_the_lab(live_lab, tmp_path):
    lab = live_lab()
    data = yaml.safe_load(lab.inventory.read_text())
    data.setdefault("policy", {})["probe_concurrency"] = 4
    lab.inventory.write_text(yaml.safe_dump(data, sort_keys=False))
    snapshot = tmp_path / "snapshot"
    proc = subprocess.run([sys.executable, "-m", "sfbcheck.capture", "--inventory", str(lab.inventory), "--out",
                           str(snapshot)], cwd=PROJECT, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    for fqdn in lab.remote:
        assert f"[capture] {fqdn}: collected" in proc.stderr
        assert lab.servers[fqdn].shells_opened == 1
    assert "edge01.contoso.local: by hand" in proc.stderr
    assert {p.name for p in snapshot.iterdir()} >= {f"{s}.json" for s in lab.remote} | {"edge01.contoso.local.json",
                                                                                        "runner.json"}
    fe01 = json.loads((snapshot / "fe01.contoso.local.json").read_text())
    parameters = fe01["Sections"]["Echo"]["Parameters"]
    assert parameters["Roles"] == ["frontend", "cms"]
    assert {"tls:172.16.10.11:4443", "172.16.10.11:443", "10.10.1.12:445", "172.16.10.12:5061"} <= set(
        parameters["ProbeTargets"])
    assert parameters["PoolFqdn"] == "pool01.contoso.local"
    assert (parameters["ProbeTimeoutSeconds"], parameters["ProbeConcurrency"]) == (5, 4)  # policy, over WS-Man
    assert "[topology] the inventory lists the same 11 servers as the published topology" in proc.stdout
    assert PASSWORD not in proc.stdout + proc.stderr
    run = run_suite(lab.inventory, tmp_path / "reports", "--evidence", str(snapshot))
    assert run.failures == set() and run.errors == set(), run.stdout[-3000:]


def test_probe_concurrency_is_a_policy_the_collector_and_its_command_line_get(clean_lab):
    """policy.probe_concurrency (default 16, 1..64 like the collector's -ProbeConcurrency) reaches the collector's
    parameters and the by-hand command line; a value the collector would refuse stops at the inventory."""
    from sfbcheck.errors import InventoryError
    from sfbcheck.guidance import collector_command
    from sfbcheck.inventory import validate
    from sfbcheck.live.collect import collector_parameters

    data = json.loads(json.dumps(clean_lab.inventory))
    data.setdefault("policy", {}).pop("probe_concurrency", None)
    inventory = validate(data)
    cms = inventory.server(inventory.cms.master)
    assert collector_parameters(inventory, cms)["ProbeConcurrency"] == 16
    assert " -ProbeTimeoutSeconds 5 -ProbeConcurrency 16 " in collector_command(inventory, cms)
    data["policy"]["probe_concurrency"] = 64
    assert collector_parameters(validate(data), cms)["ProbeConcurrency"] == 64
    for refused in (0, 65, "many"):
        data["policy"]["probe_concurrency"] = refused
        with pytest.raises(InventoryError) as caught:
            validate(data)
        assert caught.value.field == "policy.probe_concurrency"


def test_pytest_live_collects_then_judges_and_serves_testinfra_hosts(live_lab, tmp_path):
    lab = live_lab()
    snapshot = tmp_path / "live-snapshot"
    run = run_suite(lab.inventory, tmp_path / "reports", "--live", "--evidence", str(snapshot), str(EXAMPLE))
    assert run.failures == set() and run.errors == set(), run.stdout[-3000:]
    assert {r["host"] for r in run.results} >= set(lab.remote)
    for fqdn in lab.remote:
        assert f"[live] {fqdn}: collected" in run.stdout
    assert "published topology vs inventory" in run.stdout
    assert (snapshot / "fe01.contoso.local.json").is_file()
    cases = ET.parse(run.report_dir / "latest.xml").getroot().iter("testcase")
    example = [c for c in cases if c.get("classname", "").endswith("test_windows_hosts")]
    assert len(example) == 2 * len(lab.remote)
    assert all(c.find("failure") is None and c.find("error") is None and c.find("skipped") is None for c in example)
    assert PASSWORD not in run.stdout + run.stderr


def test_each_broken_server_is_one_clear_error_and_the_others_run(live_lab, tmp_path):
    broken = {"fe02.contoso.local": "login refused", "fe03.contoso.local": "unreachable",
              "fe05.contoso.local": "untrusted certificate", "owas01.contoso.local": "collector error"}
    lab = live_lab(broken)
    run = run_suite(lab.inventory, tmp_path / "reports", "--live", "--evidence", str(tmp_path / "snap"))
    assert run.returncode == 1
    errors = [r for r in run.results if r["outcome"] == "error"]
    about = {fqdn: [r for r in errors if f"evidence for {fqdn} (" in r["message"]] for fqdn in broken}
    assert all(len(found) == 1 for found in about.values()), run.stdout[-3000:]  # each broken server errors once
    assert all(any(f"evidence for {fqdn} (" in r["message"] for fqdn in broken) for r in errors)
    for fqdn, (result,) in about.items():
        assert f"{fqdn}.json): collection failed: {broken[fqdn]}" in result["message"]
    assert "Access is denied" in about["owas01.contoso.local"][0]["message"]
    assert "CLIXML" not in run.stdout
    healthy = [r for r in run.results if r["host"] in ("fe01.contoso.local", "fe04.contoso.local")]
    unhealthy = [(r["nodeid"], r["message"][:300]) for r in healthy if r["outcome"] not in ("passed", "skipped")]
    assert healthy and not unhealthy, unhealthy
    assert any(r["outcome"] == "passed" for r in healthy)
    assert PASSWORD not in run.stdout + run.stderr + (tmp_path / "reports" / "latest.json").read_text()


def test_a_section_the_collector_could_not_read_is_an_evidence_gap_with_its_message(tmp_path):
    from sfbcheck.errors import EvidenceGap
    from sfbcheck.evidence import Evidence

    document = {"SchemaVersion": 1, "Server": "fe01.contoso.local", "CollectedAt": "2026-01-01T00:00:00Z",
                "Sections": {"CsCertificate": {"Error": "The term 'Get-CsCertificate' is not recognized"},
                             "NetRoute": []}}
    evidence = Evidence("fe01.contoso.local", tmp_path / "fe01.json", document)
    assert not evidence.has("CsCertificate") and evidence.has("NetRoute")
    with pytest.raises(EvidenceGap, match="could not be collected on the server: The term 'Get-CsCertificate'"):
        evidence.records("CsCertificate")


def test_no_output_holds_the_password_even_with_locals_in_tracebacks(live_lab, tmp_path):
    """-vv -l --tb=long: a server whose password variable is missing fails its testinfra host with a traceback
    showing every local; neither the environment nor the password appears in any output or file."""
    lab = live_lab()
    data = yaml.safe_load(lab.inventory.read_text())
    member = next(m for p in data["pools"] for m in p["members"] if m["fqdn"] == "fe02.contoso.local")
    member["connection"]["password_env"] = "LAB_WINRM_PASS_NOT_SET"
    lab.inventory.write_text(yaml.safe_dump(data, sort_keys=False))
    snapshot, reports = tmp_path / "snap", tmp_path / "reports"
    # -vvv: the harness passes -q, so this is the user's -vv (locals shown in full, not truncated)
    run = run_suite(lab.inventory, reports, "--live", "--evidence", str(snapshot), "-vvv", "-l", "--tb=long",
                    str(EXAMPLE))
    assert "LAB_WINRM_PASS_NOT_SET is not set" in run.stdout, run.stdout[-3000:]  # the traceback was shown
    outputs = {"stdout": run.stdout, "stderr": run.stderr}
    for path in [*reports.rglob("*"), *snapshot.rglob("*")]:
        if path.is_file():
            raw = path.read_bytes()
            outputs[str(path)] = raw.decode("utf-8", "replace") + raw.decode("utf-16-le", "replace")
    leaked = [name for name, text in outputs.items() if PASSWORD in text]
    assert not leaked, leaked
    assert all("NTLM_USER_FILE=" not in text and "'NTLM_USER_FILE'" not in text for text in outputs.values())
