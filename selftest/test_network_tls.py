"""Port, TLS and HTTP probes against real listeners on 127.0.0.1: the Edge presenting its own internal
certificate, an SSL-inspecting interceptor, a forward proxy answering 407, a login page, a reverse proxy with
a chosen range of TLS versions; and the whole suite with ``--probe`` against BIND and a loopback reverse proxy."""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import pytest

from selftest.harness import run_suite
from selftest.loopback.bind import BindServer, zones_from_answers
from selftest.loopback.judge import judge
from selftest.loopback.tls import LOGIN_PAGE, PROXY_407, Listener, closed_port, server_context
from sfbcheck.evidence import RUNNER_FILE
from sfbcheck.inventory import Inventory
from sfbcheck.lab import pki
from sfbcheck.lab.model import Lab
from sfbcheck.probes import LOOPBACK_ONLY_ENV, Endpoint, designated, probe_http, probe_tls_versions
from sfbcheck.probes.__main__ import main as probes_main
from sfbcheck.probes.tcp import net_connection
from sfbcheck.probes.tls import presented_chain

CMS, EDGE1, EDGE2 = "fe01.contoso.local", "edge01.contoso.local", "edge02.contoso.local"
V = ssl.TLSVersion


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOOPBACK_ONLY_ENV, "1")


@pytest.fixture
def fast(lab: Lab) -> Lab:
    lab.inventory["policy"]["probe_timeout_seconds"] = 1.0
    return lab


def edge_listener(lab: Lab, tmp_path: Path, edge: str, reply: bytes | None = None) -> Listener:
    """The Edge itself: TLS with its assigned internal certificate (and the issuing CA), silent to HTTP."""
    issued = lab.pki.assigned[edge]["Internal"]
    return Listener(server_context(tmp_path / "keys", issued, [lab.pki.issuing_rsa]), reply)


def interceptor(lab: Lab, tmp_path: Path, reply: bytes | None = None) -> Listener:
    """An SSL-inspecting firewall: its own CA, a certificate forged for the Edge pool name."""
    ca = pki.make_root("Perimeter Firewall Inspection CA", org="Contoso Network Team", now=lab.now)
    forged = pki.make_leaf("edgepool.contoso.local", ca, sans=["edgepool.contoso.local", EDGE1], now=lab.now)
    return Listener(server_context(tmp_path / "keys", forged, [ca]), reply)


# -- EDGE-FW-01 and EDGE-FW-03: probes the collector makes on the CMS master, made here against listeners -----
def cms_probes_edge01(lab: Lab, port: int) -> None:
    """Replace fe01's TcpProbe (4443) and TlsProbe entries for edge01 with real probes of 127.0.0.1:port."""
    ip = lab.member(EDGE1)["ip"]
    endpoint = Endpoint(ip, ip, 4443)
    tcp = designated(net_connection(ip, "127.0.0.1", port, 1.0), endpoint, ("127.0.0.1", port))
    tls = designated(presented_chain(ip, "127.0.0.1", port, 1.0), endpoint, ("127.0.0.1", port))
    sections = lab.sections(CMS)
    sections["TcpProbe"] = [r for r in sections["TcpProbe"] if (r["RemoteAddress"], r["RemotePort"]) != (ip, 4443)]
    sections["TcpProbe"].append(tcp)
    sections["TlsProbe"] = [r for r in sections["TlsProbe"] if r["RemoteAddress"] != ip] + [tls]


def test_edge_presenting_its_own_certificate_passes(fast: Lab, tmp_path: Path) -> None:
    with edge_listener(fast, tmp_path, EDGE1) as edge:
        cms_probes_edge01(fast, edge.port)
    assert judge(fast.write(tmp_path / "lab"), ("EDGE-FW-01", "EDGE-FW-03")) == {}


def test_interceptor_certificate_fails_edge_fw_03(fast: Lab, tmp_path: Path) -> None:
    with interceptor(fast, tmp_path) as fw:
        cms_probes_edge01(fast, fw.port)
    failing = judge(fast.write(tmp_path / "lab"), ("EDGE-FW-01", "EDGE-FW-03"))
    assert set(failing) == {("EDGE-FW-03", EDGE1)}
    assert "intercepts TLS" in failing[("EDGE-FW-03", EDGE1)]
    assert "Perimeter Firewall Inspection CA" in failing[("EDGE-FW-03", EDGE1)]


def test_closed_4443_fails_edge_fw_01(fast: Lab, tmp_path: Path) -> None:
    cms_probes_edge01(fast, closed_port())
    failing = judge(fast.write(tmp_path / "lab"), ("EDGE-FW-01", "EDGE-FW-03"))
    assert set(failing) == {("EDGE-FW-01", EDGE1), ("EDGE-FW-03", EDGE1)}
    assert "TCP 4443" in failing[("EDGE-FW-01", EDGE1)] and "does not connect" in failing[("EDGE-FW-01", EDGE1)]


# -- EDGE-FW-04: the runner's layer-7 probe of Edge internal 443 ---------------------------------------------
def probe_edges(lab: Lab, tmp_path: Path, edge1: Listener | int, edge2: Listener | int) -> dict:
    ports = [e if isinstance(e, int) else e.port for e in (edge1, edge2)]
    inventory = Inventory.model_validate(lab.inventory)
    redirect = {(lab.member(e)["ip"], 443): ("127.0.0.1", p) for e, p in zip((EDGE1, EDGE2), ports, strict=True)}
    lab.runner_sections()["HttpProbe"] = probe_http(inventory, redirect)
    return judge(lab.write(tmp_path / "lab"), ("EDGE-FW-04",))


def test_silent_tls_edge_is_not_interception(fast: Lab, tmp_path: Path) -> None:
    with edge_listener(fast, tmp_path, EDGE1) as e1, edge_listener(fast, tmp_path, EDGE2) as e2:
        assert probe_edges(fast, tmp_path, e1, e2) == {}
    probe = fast.runner_sections()["HttpProbe"][0]
    assert probe["TlsHandshake"].startswith("completed") and probe["ConnectedVia"].startswith("127.0.0.1:")


def test_proxy_answering_407_fails_edge_fw_04(fast: Lab, tmp_path: Path) -> None:
    with edge_listener(fast, tmp_path, EDGE1) as e1, Listener(None, PROXY_407) as proxy:
        failing = probe_edges(fast, tmp_path, e1, proxy)
    assert set(failing) == {("EDGE-FW-04", EDGE2)}
    assert "407 Proxy Authentication Required" in failing[("EDGE-FW-04", EDGE2)]


def test_tls_interceptor_login_page_fails_edge_fw_04(fast: Lab, tmp_path: Path) -> None:
    with interceptor(fast, tmp_path, LOGIN_PAGE) as fw, edge_listener(fast, tmp_path, EDGE2) as e2:
        failing = probe_edges(fast, tmp_path, fw, e2)
    assert set(failing) == {("EDGE-FW-04", EDGE1)}
    assert "Web filter: please sign in" in failing[("EDGE-FW-04", EDGE1)]


def test_unreachable_edge_443_is_a_clear_failure(fast: Lab, tmp_path: Path) -> None:
    with edge_listener(fast, tmp_path, EDGE2) as e2:
        failing = probe_edges(fast, tmp_path, closed_port(), e2)
    assert set(failing) == {("EDGE-FW-04", EDGE1)}
    assert "could not connect" in failing[("EDGE-FW-04", EDGE1)]


# -- TLS-02: the reverse proxy's TLS versions ------------------------------------------------------------------
def reverse_proxy(lab: Lab, tmp_path: Path, minimum: ssl.TLSVersion, maximum: ssl.TLSVersion) -> Listener:
    leaf = pki.make_leaf("webext.contoso.com", lab.pki.public_ca, now=lab.now)
    return Listener(server_context(tmp_path / "keys", leaf, [lab.pki.public_ca], minimum, maximum))


def probe_reverse_proxy(lab: Lab, tmp_path: Path, port: int) -> dict:
    inventory = Inventory.model_validate(lab.inventory)
    rp = inventory.reverse_proxy
    assert rp is not None
    lab.runner_sections()["TlsVersionProbe"] = probe_tls_versions(inventory, {(rp.host, rp.port): ("127.0.0.1", port)})
    return judge(lab.write(tmp_path / "lab"), ("TLS-02",))


@pytest.mark.parametrize(("minimum", "maximum", "verdict"), [
    (V.TLSv1, V.TLSv1_2, None),
    (V.TLSv1_1, V.TLSv1_2, "refuses TLS 1.0"),
    (V.TLSv1, V.TLSv1_3, "accepts TLS 1.3"),
], ids=["tls1.0-1.2-as-policy", "tls1.0-disabled", "tls1.3-enabled"])
def test_reverse_proxy_versions(fast: Lab, tmp_path: Path, minimum: ssl.TLSVersion, maximum: ssl.TLSVersion,
                                verdict: str | None) -> None:
    """The lab policy requires TLS 1.0-1.2 (seed 003); the probe sees what the listener really accepts."""
    with reverse_proxy(fast, tmp_path, minimum, maximum) as rp:
        failing = probe_reverse_proxy(fast, tmp_path, rp.port)
    if verdict is None:
        assert failing == {}
    else:
        assert set(failing) == {("TLS-02", "webext.contoso.com")}
        assert verdict in failing[("TLS-02", "webext.contoso.com")]


def test_unreachable_reverse_proxy_is_a_clear_failure(fast: Lab, tmp_path: Path) -> None:
    failing = probe_reverse_proxy(fast, tmp_path, closed_port())
    assert "could not reach the reverse proxy" in failing[("TLS-02", "webext.contoso.com")]


# -- the command and the pytest option ---------------------------------------------------------------------------
def test_probe_command_and_pytest_option_end_to_end(fast: Lab, tmp_path: Path) -> None:
    """`python -m sfbcheck.probes` and `pytest --probe` probe real BIND servers and a loopback reverse proxy; the
    Edge internal IPs are not loopback, so the guard refuses them and EDGE-FW-04 fails clearly, the run goes on."""
    queries = fast.runner_sections()["DnsQuery"]
    with BindServer(tmp_path / "internal-dns", zones_from_answers(queries, "internal")) as internal, \
            BindServer(tmp_path / "external-dns", zones_from_answers(queries, "external")) as external, \
            reverse_proxy(fast, tmp_path, V.TLSv1, V.TLSv1_2) as rp:
        fast.inventory.update(dns_servers=["127.0.0.1"], dns_port=internal.port, external_dns_servers=["127.0.0.1"],
                              external_dns_port=external.port, reverse_proxy={"host": "127.0.0.1", "port": rp.port})
        inventory = fast.write(tmp_path / "lab")
        runner_file = inventory.parent / "evidence" / RUNNER_FILE
        runner_file.unlink()
        assert probes_main(["--inventory", str(inventory), "--out", str(tmp_path / "cli")]) == 0
        assert json.loads((tmp_path / "cli" / RUNNER_FILE).read_text())["Sections"]["DnsQuery"]
        run = run_suite(inventory, tmp_path / "reports", "--probe")
    probed = json.loads(runner_file.read_text())["Sections"]
    assert {q["Server"] for q in probed["DnsQuery"]} == {"127.0.0.1"}
    assert run.failures == {("EDGE-FW-04", EDGE1), ("EDGE-FW-04", EDGE2)}, run.stdout[-3000:]
    assert not run.errors
    assert "refused to contact 172.16.10.11" in "\n".join(run.messages("EDGE-FW-04", EDGE1))
