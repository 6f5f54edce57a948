"""A real BIND ``named`` on 127.0.0.1 (a free port, a temporary working directory, foreground, killed at
teardown) serving zone files made from the lab's DNS answers (clean, or with a fault applied)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import dns.message
import dns.query
import dns.rcode

from sfbcheck.lab.sections.probes import zone_text

ADDRESS = "127.0.0.1"


def free_port() -> int:
    """A port free for both TCP and UDP on 127.0.0.1."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind((ADDRESS, 0))
            port = tcp.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                    udp.bind((ADDRESS, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port on 127.0.0.1")


def zone_of(name: str) -> str:
    return ".".join(name.split(".")[-2:])


def _line(rec: dict[str, Any]) -> str:
    ttl, name = rec.get("TTL", 3600), rec["Name"]
    if rec["Type"] in ("A", "AAAA"):
        return f"{name}. {ttl} IN {rec['Type']} {rec['IPAddress']}"
    if rec["Type"] in ("CNAME", "PTR"):
        return f"{name}. {ttl} IN {rec['Type']} {rec['NameHost']}."
    if rec["Type"] == "SRV":
        return f"{name}. {ttl} IN SRV {rec['Priority']} {rec['Weight']} {rec['Port']} {rec['NameTarget']}."
    return f"{name}. {ttl} IN {rec['Type']} {rec['Data']}"


def zones_from_answers(queries: list[dict[str, Any]], view: str) -> dict[str, str]:
    """Zone files that make an authoritative server give exactly these answers (of one view).

    A record set comes from the answer to its own question when there is one (a fault changes that answer),
    else from the CNAME chain of another answer; NODATA leaves the name existing with no such record."""
    direct: dict[tuple[str, str], list[str]] = {}
    chained: dict[tuple[str, str], list[str]] = defaultdict(list)
    zones: dict[str, list[str]] = defaultdict(list)
    for q in queries:
        if q["View"] != view:
            continue
        zones[zone_of(q["Name"])]  # the zone exists even if the answer is NXDOMAIN
        if q["Status"] == "NODATA":
            direct[(q["Name"], "TXT")] = [f'{q["Name"]}. 3600 IN TXT "no {q["Type"]} record"']
        for rec in q["Answer"]:
            key = (rec["Name"], rec["Type"])
            target = direct.setdefault(key, []) if rec["Name"] == q["Name"] and rec["Type"] in (q["Type"], "CNAME") \
                else chained[key]
            if _line(rec) not in target:
                target.append(_line(rec))
        if q["Status"] == "NOERROR" and not q["Answer"]:
            direct.setdefault((q["Name"], q["Type"]), [])
    for key, lines in chained.items():
        direct.setdefault(key, lines)
    for (name, _), lines in direct.items():
        zones[zone_of(name)].extend(lines)
    return {zone: zone_text(zone, [*sorted(set(lines)), f"ns1.{zone}. 3600 IN A {ADDRESS}"])
            for zone, lines in zones.items()}


class BindServer:
    """``named -g`` on 127.0.0.1:<free port> serving ``zones`` ({zone: text}); ``broken`` zones fail to load."""

    def __init__(self, workdir: Path, zones: dict[str, str], broken: tuple[str, ...] = ()) -> None:
        self.workdir = workdir
        self.zones = zones
        self.broken = broken
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BindServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        named = shutil.which("named") or "/usr/sbin/named"
        if not Path(named).is_file():
            raise RuntimeError("BIND's named is not installed: run bash scripts/setup.sh --dev (Debian package bind9)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        stanzas = []
        for zone, text in {**self.zones, **dict.fromkeys(self.broken, "this is not a zone file\n")}.items():
            (self.workdir / f"{zone}.zone").write_text(text, encoding="utf-8")
            stanzas.append(f'zone "{zone}" {{ type primary; file "{zone}.zone"; }};')
        conf = self.workdir / "named.conf"
        conf.write_text(f"""options {{
    directory "{self.workdir}";
    listen-on port {self.port} {{ {ADDRESS}; }};
    listen-on-v6 {{ none; }};
    pid-file none;
    session-keyfile "{self.workdir}/session.key";
    managed-keys-directory "{self.workdir}";
    recursion no;
    dnssec-validation no;
    notify no;
    allow-query {{ any; }};
}};
controls {{ }};
{chr(10).join(stanzas)}
""", encoding="utf-8")
        self.log = (self.workdir / "named.log").open("wb")
        self.process = subprocess.Popen([named, "-g", "-4", "-n", "1", "-c", str(conf)], stdout=self.log,
                                        stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, seconds: float = 15.0) -> None:
        probe_zone = next(iter(self.zones), None) or "localhost"
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"named exited: {(self.workdir / 'named.log').read_text(errors='replace')[-2000:]}")
            try:
                response = dns.query.udp(dns.message.make_query(probe_zone, "SOA"), ADDRESS, timeout=0.3,
                                         port=self.port)
                if response.rcode() == dns.rcode.NOERROR:
                    return
            except (OSError, dns.exception.DNSException):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"named did not answer within {seconds:g} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if getattr(self, "log", None):
            self.log.close()
