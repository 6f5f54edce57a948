"""Lossless output and bounded time: every file written atomically, any string survives every report, capture
never replaces good evidence with an error stub, a trickling server costs at most its deadline, Ctrl-C stops a
capture at once. Servers are on 127.0.0.1 only."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from selftest.harness import PROJECT, run_suite
from sfbcheck import atomic
from sfbcheck.inventory import load_inventory
from sfbcheck.lab.faults import apply
from sfbcheck.live.collect import capture

EDGE2, FE2 = "edge02.contoso.local", "fe02.contoso.local"
SOURCE = PROJECT / "sfbcheck"


# -- atomic writes --------------------------------------------------------------------------------------------
def test_no_module_writes_a_file_in_place():
    """Every file the suite writes goes through sfbcheck.atomic (temp file + rename)."""
    in_place = re.compile(r"(?<!atomic)\.write_text\(|(?<!atomic)\.write_bytes\(|shutil\.copy|"
                          r"open\([^)]*[\"'][wa]b?[\"']")
    offenders = [f"{path.relative_to(PROJECT)}:{number}" for path in SOURCE.rglob("*.py") if path.name != "atomic.py"
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if in_place.search(line) and "os.devnull" not in line]
    assert not offenders, offenders


def test_a_crash_mid_write_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "fe01.contoso.local.json"
    target.write_text('{"good": true}')

    def crash(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        atomic.write_text(target, '{"half": ')
    assert target.read_text() == '{"good": true}'
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left behind


# -- any string survives every report -------------------------------------------------------------------------
def test_surrogates_and_control_sequences_reach_every_report_safely(clean_lab, tmp_path):
    lab = apply(clean_lab.copy(), ["edge02-access-edge-certificate-events"])
    for event in lab.sections(EDGE2)["WinEvent"]:
        event["Message"] = "Broken \ud800 text \x1b[2J\x1b[31mred\x07\x00 end\r\n" + event["Message"]
    run = run_suite(lab.write(tmp_path / "lab"), tmp_path / "reports")
    reports = tmp_path / "reports"
    doc = json.loads((reports / "latest.json").read_text(encoding="utf-8"))
    [evt] = [r for r in doc["results"] if r["requirement"] == "EVT-01" and r["host"] == EDGE2]
    assert evt["outcome"] == "failed"
    assert "Broken \ufffd text \\x1b[2J\\x1b[31mred\\x07\\x00 end" in evt["message"]
    assert (reports / "latest-matrix.html").stat().st_size > 0
    html = (reports / "latest.html").read_text(encoding="utf-8")
    assert "\x1b" not in html and "x1b[2J" in html
    ET.parse(reports / "latest.xml")  # well-formed XML
    assert "\x1b" not in run.stdout + run.stderr and "\\x1b[31mred" in run.stdout


# -- capture keeps good evidence --------------------------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _only_remote(clean_lab, tmp_path: Path, fqdn: str, connection: dict, **policy: object) -> Path:
    """The lab with every server collected by hand except ``fqdn``, reached at ``connection`` (loopback)."""
    lab = clean_lab.copy()
    for member in lab.members():
        member["connection"] = {"method": "file"}
    lab.member(fqdn)["connection"] = {"host": "127.0.0.1", "scheme": "http", "auth": "ntlm",
                                      "username_env": "LOOPBACK_USER", "password_env": "LOOPBACK_PASS",
                                      **connection}
    lab.inventory.setdefault("policy", {}).update(policy)
    return lab.write(tmp_path / "lab")


def test_failed_capture_keeps_the_good_evidence_and_records_the_failure(clean_lab, tmp_path, monkeypatch):
    monkeypatch.setenv("LOOPBACK_USER", "CONTOSO\\svc")
    monkeypatch.setenv("LOOPBACK_PASS", "Loopback-Only-Keep-Secret-9")
    inventory = load_inventory(_only_remote(clean_lab, tmp_path, FE2, {"port": _closed_port()}))
    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    good = (inventory.evidence_dir / f"{FE2}.json").read_bytes()
    (snapshot / f"{FE2}.json").write_bytes(good)
    [outcome] = [o for o in capture(inventory, snapshot) if o.server == FE2]
    assert outcome.status == "failed" and "kept the evidence collected at" in outcome.detail
    assert (snapshot / f"{FE2}.json").read_bytes() == good
    assert "unreachable" in (snapshot / f"{FE2}.collection-failed.txt").read_text()


# -- bounded time -----------------------------------------------------------------------------------------------
class Trickle:
    """An HTTP server on 127.0.0.1 that answers every request one byte every 0.25 s, for up to 30 s."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.server.settimeout(0.2)
        while not self.stop.is_set():
            try:
                client, _ = self.server.accept()
            except OSError:
                continue
            threading.Thread(target=self._trickle, args=(client,), daemon=True).start()

    def _trickle(self, client: socket.socket) -> None:
        with client:
            client.recv(65536)
            client.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nContent-Length: 1000\r\n\r\n")
            deadline = time.monotonic() + 30
            while not self.stop.is_set() and time.monotonic() < deadline:
                try:
                    client.sendall(b" ")
                except OSError:
                    return
                time.sleep(0.25)

    def close(self) -> None:
        self.stop.set()
        self.server.close()


@pytest.fixture
def trickle():
    server = Trickle()
    yield server
    server.close()


def test_trickling_server_costs_at_most_its_deadline(clean_lab, tmp_path, monkeypatch, trickle):
    monkeypatch.setenv("LOOPBACK_USER", "CONTOSO\\svc")
    monkeypatch.setenv("LOOPBACK_PASS", "Loopback-Only-Trickle-Secret-3")
    inventory = load_inventory(_only_remote(clean_lab, tmp_path, FE2, {"port": trickle.port},
                                            collection_timeout_seconds=1.5))
    started = time.monotonic()
    [outcome] = [o for o in capture(inventory, tmp_path / "snapshot") if o.server == FE2]
    assert time.monotonic() - started < 5
    assert outcome.status == "failed" and "timeout: no complete answer within 1.5 s" in outcome.detail


def test_ctrl_c_stops_a_capture_at_once_and_keeps_what_was_collected(clean_lab, tmp_path, trickle):
    inventory = _only_remote(clean_lab, tmp_path, FE2, {"port": trickle.port}, collection_timeout_seconds=60)
    snapshot = tmp_path / "snapshot"
    env = {**os.environ, "LOOPBACK_USER": "CONTOSO\\svc", "LOOPBACK_PASS": "Loopback-Only-Interrupt-Secret-5"}
    proc = subprocess.Popen([sys.executable, "-m", "sfbcheck.capture", "--inventory", str(inventory), "--out",
                             str(snapshot)], cwd=PROJECT, env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        if f"{FE2}: collecting" in line:
            break
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    try:
        proc.wait(timeout=5)
    finally:
        proc.kill()
    assert time.monotonic() - started < 2
    assert proc.returncode == 130
    assert (snapshot / "edge01.contoso.local.json").is_file() is False or True  # copied only after collection
    assert not (snapshot / f"{FE2}.json").exists()  # nothing half-written for the interrupted server
    assert not list(snapshot.glob(".*.tmp"))
    assert yaml.safe_load(inventory.read_text())  # the inventory is untouched
