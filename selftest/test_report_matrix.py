"""The compliance matrix: cells and groups from the results, and a page that stays light at 500 servers."""

from __future__ import annotations

import json
import random
import time

from sfbcheck.catalog import catalog
from sfbcheck.report import browser, matrix
from sfbcheck.report.drift import drift_section


def _result(host: str, rid: str, outcome: str, pool: str, role: str, n: int = 0) -> dict:
    failing = outcome in ("failed", "error", "waived")
    return {"nodeid": f"tests/t.py::test_{rid}[{host}-{n}]", "requirement": rid, "host": host, "pool": pool,
            "role": role, "outcome": outcome, "impact": catalog()[rid].impact,
            "message": f"{rid} is wrong on {host}" if failing else "",
            "problems": [{"message": f"{rid} is wrong", "fix": "Set-Thing -Right", "evidence": "Thing=wrong"}]
            if failing else [], "waiver": None, "evidence_collected_at": "2026-01-01T00:00:00+00:00"}


def _data(page: str) -> dict:
    return json.loads(page.split('<script type="application/json" id="data">')[1].split("</script>")[0])


SERVERS = [{"host": "edge01.contoso.local", "pool": "edgepool.contoso.local", "role": "edge"},
           {"host": "fe01.contoso.local", "pool": "pool01.contoso.local", "role": "frontend"},
           {"host": "fe02.contoso.local", "pool": "pool01.contoso.local", "role": "frontend"}]


def test_cells_aggregate_results_and_missing_ones_are_not_applicable():
    results = [
        _result("edge01.contoso.local", "EDGE-ROUTE-01", "passed", "edgepool.contoso.local", "edge", 1),
        _result("edge01.contoso.local", "EDGE-ROUTE-01", "failed", "edgepool.contoso.local", "edge", 2),
        _result("edge01.contoso.local", "STORE-01", "waived", "edgepool.contoso.local", "edge"),
        _result("fe01.contoso.local", "STORE-01", "error", "pool01.contoso.local", "frontend"),
        _result("fe01.contoso.local", "STORE-02", "skipped", "pool01.contoso.local", "frontend"),
        _result("fe01.contoso.local", "STORE-03", "passed", "pool01.contoso.local", "frontend"),
    ]
    data = matrix.matrix_data({"deployment": "Lab"}, SERVERS, results, drift_section(None, None, results))
    assert [r[0] for r in data["reqs"]] == ["EDGE-ROUTE-01", "STORE-01", "STORE-02", "STORE-03"]
    # grouped: Front End pool first, then the Edge pool; fe02 has no result at all: every cell not applicable
    assert [h[0] for h in data["hosts"]] == ["fe01.contoso.local", "fe02.contoso.local", "edge01.contoso.local"]
    assert data["cells"] == ["-esp", "----", "fw--"]
    # details only for cells that are not a plain pass, with the evidence and the fix
    assert set(data["details"]) == {"0,1", "0,2", "2,0", "2,1"}
    assert data["details"]["2,0"][0]["p"][0]["fix"] == "Set-Thing -Right"


def test_embedded_data_cannot_close_its_script_element():
    text = matrix.script_json({"m": "</script><script>alert(1)</script> & <!--"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"m": "</script><script>alert(1)</script> & <!--"}


def _scale(hosts: int = 500) -> tuple[list[dict], list[dict]]:
    rng = random.Random(7)
    rids = list(catalog())
    servers, results = [], []
    for i in range(hosts):
        role = ("frontend", "edge", "owas", "director")[i % 4]
        server = {"host": f"srv{i:03d}.contoso.local", "pool": f"{role}pool{i // 12:02d}.contoso.local", "role": role}
        servers.append(server)
        for rid in rids:
            if rng.random() < 0.1:
                continue  # not applicable
            outcome = rng.choices(["passed", "failed", "error", "waived"], [90, 6, 2, 2])[0]
            results.append(_result(server["host"], rid, outcome, server["pool"], role))
    return servers, results


def test_matrix_of_500_servers_embeds_its_data_once():
    servers, results = _scale()
    page = matrix.render(matrix.matrix_data({"deployment": "Scale"}, servers, results,
                                            drift_section(None, None, results)))
    assert len(page) < 3_000_000
    assert page.count("<div") < 40 and page.count("<span") < 5  # no per-cell markup: the script draws the rows
    data = _data(page)
    assert len(data["hosts"]) == 500 and len(data["reqs"]) == len(catalog())


def test_matrix_of_500_servers_draws_only_what_is_on_screen(tmp_path):
    """In a real browser: the page opens, draws a screenful of rows, and jumps to the last server's cell."""
    servers, results = _scale()
    path = tmp_path / "matrix.html"
    matrix.write(path, matrix.matrix_data({"deployment": "Scale"}, servers, results,
                                          drift_section(None, None, results)))
    last = servers[-1]["host"]
    rid = next(r["requirement"] for r in reversed(results) if r["host"] == last)
    started = time.monotonic()
    dom = browser.dump_dom(f"{path.as_uri()}#{last}/{rid}")
    assert time.monotonic() - started < 60
    rows = dom.count('class="row"')
    assert 5 < rows < 150, rows  # 500 servers, a screenful drawn
    assert f">{last}</div>" in dom  # scrolled to the last server's row
    assert f"{rid} on {last}" in dom  # and its detail panel is open


def test_a_pool_named_like_its_server_has_its_own_row():
    """A Standard Edition server: its pool-level result (host pool:<fqdn>) and its server results are two rows."""
    servers = [{"host": "se01.contoso.local", "pool": "se01.contoso.local", "role": "frontend"}]
    results = [_result("se01.contoso.local", "STORE-01", "passed", "se01.contoso.local", "frontend"),
               _result("pool:se01.contoso.local", "DNS-01", "failed", "se01.contoso.local", "frontend")]
    data = matrix.matrix_data({"deployment": "Lab"}, servers, results, drift_section(None, None, results))
    rows = {h[0]: data["cells"][i] for i, h in enumerate(data["hosts"])}
    assert rows == {"se01.contoso.local": "p-", "pool:se01.contoso.local": "-f"}
