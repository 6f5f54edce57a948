"""Edge hosts file and interfaces on evidence shaped like real Windows Server: malformed hosts lines (a bad
address, garbage, control and invisible characters) are named (EDGE-HOSTS-01); a line where the pool FQDN is only
an alias is no member line (EDGE-HOSTS-02); interface lists with IPv6 link-local, loopback, ISATAP/Teredo, a
disconnected adapter and a third NIC (EDGE-NIC-01); partner routes on the external NIC (EDGE-ROUTE-02)."""

from __future__ import annotations

from typing import Any

import pytest

from selftest.test_host_checks import host_of
from sfbcheck.checks import hosts_file, routing
from sfbcheck.facts.hosts import parse_hosts
from sfbcheck.lab.faults.host import _edit_hosts
from sfbcheck.lab.model import Lab
from sfbcheck.lab.sections.host import HOSTS_HEADER
from sfbcheck.lab.sections.network import address, in_both_stores

EDGE1, EDGE2 = "edge01.contoso.local", "edge02.contoso.local"


# -- EDGE-HOSTS-01 ---------------------------------------------------------------------------------------------
def test_windows_default_hosts_file_has_no_entries_and_nothing_malformed():
    hosts = parse_hosts(HOSTS_HEADER.replace("\n", "\r\n"))
    assert hosts.entries == () and hosts.malformed == ()


@pytest.mark.parametrize(("line", "reason"), [
    ("10.10.1.300\tpool01.contoso.local", "'10.10.1.300' is not an IP address"),
    ("pool01.contoso.local 10.10.1.11", "is not an IP address"),
    ("10.10.1.13", "an address without a name"),
    ("10.10.1.13\u00a0pool01.contoso.local", "U+00A0 NO-BREAK SPACE"),
    ("10.10.1.13\tpool01.contoso.local\x0b", "U+000B"),
    ("10.10.1.13\tpool01.contoso\u200b.local", "U+200B ZERO WIDTH SPACE"),
    ("\x1a", "U+001A"),
])
def test_malformed_lines_fail_edge_hosts_01_naming_each_line(lab, tmp_path, line, reason):
    edge = host_of(lab, tmp_path, EDGE2, lambda lab: _edit_hosts(lab, EDGE2, lambda lines: [*lines[:-1], line, ""]))
    problems = hosts_file.one_name_per_line(edge)
    [problem] = [p for p in problems if "malformed" in p.message]
    assert reason in problem.message and "line " in problem.message and "retype line" in problem.fix
    if "pool01" in line and "10.10.1.13" in line:
        assert "pool01.contoso.local resolves without that member" in problem.message


def test_two_malformed_lines_give_two_problems(lab, tmp_path):
    edge = host_of(lab, tmp_path, EDGE2, lambda lab: _edit_hosts(
        lab, EDGE2, lambda lines: [*lines[:-1], "garbage here", "10.10.1.999 fe09.contoso.local", ""]))
    messages = [p.message for p in hosts_file.one_name_per_line(edge)]
    assert len(messages) == 2 and all("malformed" in m for m in messages)


# -- EDGE-HOSTS-02 ---------------------------------------------------------------------------------------------
def test_pool_fqdn_only_as_alias_is_not_a_member_line(lab, tmp_path):
    def alias_only(lines: list[str]) -> list[str]:
        out = [x for x in lines if not x.endswith("\tpool01.contoso.local")]
        return [x + " pool01.contoso.local" if x.startswith("10.10.1.1") and "fe0" in x else x for x in out]

    edge = host_of(lab, tmp_path, EDGE1, lambda lab: _edit_hosts(lab, EDGE1, alias_only))
    [problem] = hosts_file.pool_member_lines(edge)
    assert "only as an alias" in problem.message and "10.10.1.11 (fe01.contoso.local)" in problem.message


# -- EDGE-NIC-01 / EDGE-ROUTE-02 -------------------------------------------------------------------------------
def real_interfaces(lab: Lab, fqdn: str) -> None:
    """A 2012 R2-style Edge: ISATAP and Teredo tunnels, a disconnected third NIC, a management NIC."""
    section: list[dict[str, Any]] = lab.sections(fqdn)["NetIPAddress"]
    section += [
        address("isatap.{5C1E7F0A-2B44-4E6C-9E0B-3F3C0D0F5A11}", 15, "fe80::5efe:172.16.10.11%15", 128,
                origin="WellKnown", state="Deprecated"),
        address("Teredo Tunneling Pseudo-Interface", 16, "2001:0:34f1:8072:1c3a:3fff:9ccb:9bf4", 64,
                origin="RouterAdvertisement", state="Preferred"),
        address("Teredo Tunneling Pseudo-Interface", 16, "fe80::1c3a:3fff:9ccb:9bf4%16", 64, origin="WellKnown"),
        address("Ethernet 3", 18, "169.254.80.12", 16, origin="WellKnown", state="Tentative"),
        address("Ethernet 3", 18, "fe80::b1d2:4f1:6a3e:500c%18", 64, origin="WellKnown", state="Deprecated"),
    ]


def test_real_interface_lists_keep_edge_nic_01_passing(lab, tmp_path):
    def edit(lab: Lab) -> None:
        real_interfaces(lab, EDGE1)
        for member in lab.pool_of(EDGE1)["members"]:
            member.pop("external_ip", None)  # the external side found as the one other usable adapter

    edge = host_of(lab, tmp_path, EDGE1, edit)
    assert routing.default_gateway(edge) == []
    internal, external = routing._sides(edge, routing.network(edge.evidence))
    assert (internal.alias, external.alias) == ("Internal", "External")


def test_third_nic_with_a_default_gateway_fails(lab, tmp_path):
    def edit(lab: Lab) -> None:
        lab.sections(EDGE1)["NetIPAddress"].append(address("Management", 20, "192.168.50.11", 24))
        lab.sections(EDGE1)["NetRoute"] += in_both_stores("0.0.0.0/0", "192.168.50.1", "Management", 20)

    [problem] = routing.default_gateway(host_of(lab, tmp_path, EDGE1, edit))
    assert "2 default routes" in problem.message


def test_partner_route_on_the_external_nic_is_not_judged_by_edge_route_02(lab, tmp_path):
    def edit(lab: Lab) -> None:
        lab.sections(EDGE1)["NetRoute"] += in_both_stores("203.0.113.0/24", "198.51.100.1", "External", 14)

    assert routing.persistent_next_hops(host_of(lab, tmp_path, EDGE1, edit)) == []


def test_internal_route_through_the_external_gateway_still_fails_edge_route_02(lab, tmp_path):
    def edit(lab: Lab) -> None:
        lab.sections(EDGE1)["NetRoute"] += in_both_stores("10.30.0.0/16", "198.51.100.1", "Internal", 12)

    [problem] = routing.persistent_next_hops(host_of(lab, tmp_path, EDGE1, edit))
    assert "10.30.0.0/16" in problem.message and "outside the internal subnet" in problem.message
