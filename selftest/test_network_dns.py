"""DNS requirements both ways against a real BIND ``named`` on 127.0.0.1: zone files made from the lab's DNS
answers (clean, and with each DNS fault), runner.json produced by really probing them with dnspython."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from selftest.loopback.bind import BindServer, zones_from_answers
from selftest.loopback.judge import DNS_REQUIREMENTS, judge
from sfbcheck.evidence import RUNNER_FILE
from sfbcheck.facts.dns import DnsAnswer, parse_record
from sfbcheck.inventory import Inventory
from sfbcheck.lab.faults import FAULTS, apply
from sfbcheck.lab.model import Lab
from sfbcheck.lab.sections.probes import lab_zones
from sfbcheck.probes import LOOPBACK_ONLY_ENV, ProbeRefused, refuse_unless_allowed
from sfbcheck.probes import dns as dnsprobe

DNS_FAULTS = sorted(n for n, f in FAULTS.items() if f.requirement in DNS_REQUIREMENTS)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every probe of these tests refuses any address outside 127.0.0.0/8."""
    monkeypatch.setenv(LOOPBACK_ONLY_ENV, "1")


def probe_lab_against_bind(lab: Lab, workdir: Path) -> Path:
    """Serve the lab's (possibly faulted) DNS answers from two real named (internal, external), point the
    inventory at them, probe with dnspython, and write the lab with the probed runner.json."""
    queries = lab.runner_sections()["DnsQuery"]
    with BindServer(workdir / "internal-dns", zones_from_answers(queries, "internal")) as internal, \
            BindServer(workdir / "external-dns", zones_from_answers(queries, "external")) as external:
        lab.inventory.update(dns_servers=["127.0.0.1"], dns_port=internal.port,
                             external_dns_servers=["127.0.0.1"], external_dns_port=external.port)
        inventory = Inventory.model_validate(lab.inventory)
        from sfbcheck.probes import probe_dns

        lab.runner_sections()["DnsQuery"] = probe_dns(inventory)
    return lab.write(workdir / "lab")


def test_clean_lab_dns_passes_against_bind(lab: Lab, tmp_path: Path) -> None:
    inventory = probe_lab_against_bind(lab, tmp_path)
    runner = json.loads((inventory.parent / "evidence" / RUNNER_FILE).read_text())
    statuses = {q["Server"] for q in runner["Sections"]["DnsQuery"]}
    assert statuses == {"127.0.0.1"}
    assert judge(inventory, DNS_REQUIREMENTS) == {}


@pytest.mark.parametrize("name", DNS_FAULTS)
def test_dns_fault_fails_exactly_its_requirement_against_bind(name: str, lab: Lab, tmp_path: Path) -> None:
    fault = FAULTS[name]
    inventory = probe_lab_against_bind(apply(lab, [name]), tmp_path)
    failing = judge(inventory, DNS_REQUIREMENTS)
    assert set(failing) == fault.expected_failures, failing
    assert "fix:" in failing[(fault.requirement, fault.host)]


def test_partner_not_allowed_quotes_ms_diagnostics_1028(lab: Lab, tmp_path: Path) -> None:
    """FED-01 with the partner's SRV answered by BIND (litwareinc.com -> sipfed.online.lync.com)."""
    inventory = probe_lab_against_bind(apply(lab, ["litwareinc-not-allowed"]), tmp_path)
    failing = judge(inventory, ("FED-01",))
    assert set(failing) == {("FED-01", "litwareinc.com")}
    assert 'ms-diagnostics: 1028;reason="Domain resolved by DNS SRV to a configured hosting service but the ' \
           'domain is not in the allow list"' in failing[("FED-01", "litwareinc.com")]


def test_outcomes_are_distinct(tmp_path: Path) -> None:
    """NXDOMAIN, NODATA, SERVFAIL, REFUSED, TIMEOUT and an unreachable server each read differently."""
    zone = {"contoso.local": "$TTL 60\n@ SOA ns1 h 1 60 60 60 60\n@ NS ns1\nns1 A 127.0.0.1\nfe01 A 10.10.1.11\n"}
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    with BindServer(tmp_path / "dns", zone, broken=("broken.test",)) as bind, silent:
        def ask(name: str, rdtype: str = "A", port: int = bind.port) -> dict:
            return dnsprobe.query("127.0.0.1", port, dnsprobe.Question("internal", name, rdtype), 1.0)

        started = time.monotonic()
        outcomes = {
            "NOERROR": ask("fe01.contoso.local"), "NXDOMAIN": ask("fe09.contoso.local"),
            "NODATA": ask("fe01.contoso.local", "SRV"), "SERVFAIL": ask("x.broken.test"),
            "REFUSED": ask("www.example.org"), "TIMEOUT": ask("fe01.contoso.local", port=silent.getsockname()[1]),
        }
        assert time.monotonic() - started < 5, "a timeout must be bounded by the policy's per-query timeout"
    texts = set()
    for status, record in outcomes.items():
        assert record["Status"] == status, record
        answer = DnsAnswer("internal", record["Name"], record["Type"], record["Server"], record["Status"],
                           tuple(parse_record(r) for r in record["Answer"]), record["Error"])
        texts.add(answer.outcome().split(": ", 1)[1].split(" ")[0])
    assert len(texts) == len(outcomes)


def test_truncated_udp_answer_falls_back_to_tcp(tmp_path: Path) -> None:
    members = "".join(f"bigpool A 10.30.{i // 250}.{i % 250 + 1}\n" for i in range(80))
    zone = {"contoso.local": f"$TTL 60\n@ SOA ns1 h 1 60 60 60 60\n@ NS ns1\nns1 A 127.0.0.1\n{members}"}
    with BindServer(tmp_path / "dns", zone) as bind:
        record = dnsprobe.query("127.0.0.1", bind.port, dnsprobe.Question("internal", "bigpool.contoso.local", "A"),
                                2.0)
    assert record["Status"] == "NOERROR" and record["Transport"] == "tcp"
    assert len(record["Answer"]) == 80


def test_unreachable_dns_server_is_a_clear_failure(lab: Lab, tmp_path: Path) -> None:
    """Nothing listens on the inventory's DNS port: every DNS requirement fails naming the server; bounded."""
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    with silent:
        lab.inventory.update(dns_servers=["127.0.0.1"], dns_port=silent.getsockname()[1],
                             external_dns_servers=["127.0.0.1"], external_dns_port=silent.getsockname()[1])
        lab.inventory["policy"]["dns_timeout_seconds"] = 0.5
        from sfbcheck.probes import probe_dns

        started = time.monotonic()
        lab.runner_sections()["DnsQuery"] = probe_dns(Inventory.model_validate(lab.inventory))
        assert time.monotonic() - started < 10
    failing = judge(lab.write(tmp_path / "lab"), DNS_REQUIREMENTS)
    assert ("BACKUP-02", "contoso.com") in failing and ("EDGE-DNS-03", "edge01.contoso.local") in failing
    assert "TIMEOUT" in failing[("BACKUP-02", "contoso.com")]


def test_zone_export_is_accepted_as_dns_evidence(lab: Lab, tmp_path: Path) -> None:
    """dnscmd /ZoneExport text (with [AGE:n] aging marks) instead of probes: same verdicts, both ways."""
    zones = lab_zones(lab)
    exports = [{"View": view, "ZoneName": zone,
                "Text": f";\n;  Database file {zone}.dns for {zone} zone.\n;\n"
                        + text.replace(" 3600 IN A ", " [AGE:3720000] 3600 IN A ")}
               for view, by_zone in zones.items() for zone, text in by_zone.items()]
    sections = lab.runner_sections()
    del sections["DnsQuery"]
    sections["DnsZoneExport"] = exports
    assert judge(lab.write(tmp_path / "clean"), DNS_REQUIREMENTS) == {}
    for export in exports:
        if export["View"] == "internal" and export["ZoneName"] == "contoso.com":
            export["Text"] = "\n".join(line for line in export["Text"].splitlines() if "pool02" not in line)
    failing = judge(lab.write(tmp_path / "faulty"), DNS_REQUIREMENTS)
    assert set(failing) == {("BACKUP-02", "contoso.com")}


def test_probes_refuse_non_loopback_addresses_in_self_tests() -> None:
    with pytest.raises(ProbeRefused):
        refuse_unless_allowed("10.10.1.5")
    record = dnsprobe.query("10.10.1.5", 53, dnsprobe.Question("internal", "fe01.contoso.local", "A"), 0.5)
    assert record["Status"] == "ERROR" and "refused to contact" in record["Error"]
