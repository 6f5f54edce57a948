"""Property-based tests of the host parsers: hosts file, registry dump, Resolve-DnsName results, event text
and serial numbers. However malformed the input, a parser returns facts or raises EvidenceGap, never anything
else; well-formed input generated with random formatting parses back to what was written."""

from __future__ import annotations

import contextlib
import ipaddress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence
from sfbcheck.facts import events, hosts, registry, resolution, system
from sfbcheck.facts.certificates import parse_entry
from sfbcheck.facts.serials import match_serial, reverse_octets, serials_in
from sfbcheck.lab import pki

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # 2 shared cores: no timing verdicts
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=20)


def evidence_with(**sections: Any) -> Evidence:
    return Evidence("srv.contoso.local", Path("srv.json"), {"SchemaVersion": 1, "Server": "srv.contoso.local",
                                                            "CollectedAt": NOW.isoformat(), "Sections": sections})


# -- hosts file -------------------------------------------------------------------------------------------------
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-.", min_size=1, max_size=24)
addresses = st.ip_addresses().map(str)
separators = st.text(alphabet=" \t", min_size=1, max_size=4)
comments = st.text(alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=20)


@st.composite
def hosts_files(draw: st.DrawFn) -> tuple[str | bytes, list[tuple[str, list[str]]]]:
    """A hosts file with random layout, and the (address, names) entries it holds."""
    entries, lines = [], []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["entry", "comment", "blank"]))
        if kind == "comment":
            lines.append(draw(st.sampled_from(["", " ", "\t"])) + "#" + draw(comments))
        elif kind == "blank":
            lines.append(draw(st.text(alphabet=" \t", max_size=3)))
        else:
            ip = draw(addresses)
            host_names = draw(st.lists(names, min_size=1, max_size=3))
            cased = [n.upper() if draw(st.booleans()) else n for n in host_names]
            line = draw(st.text(alphabet=" \t", max_size=2)) + ip
            for name in cased:
                line += draw(separators) + name
            if draw(st.booleans()):
                line += draw(st.sampled_from(["#", " #", "\t# "])) + draw(comments)
            lines.append(line + draw(st.text(alphabet=" \t", max_size=2)))
            entries.append((ip, cased))
    text = draw(st.sampled_from(["\r\n", "\n"])).join(lines)
    if draw(st.booleans()):
        text = "\ufeff" + text
    return (text.encode("utf-8") if draw(st.booleans()) else text), entries


@relaxed
@given(hosts_files())
def test_hosts_file_parses_back_what_was_written(generated):
    content, entries = generated
    parsed = hosts.parse_hosts(content)
    assert [(str(e.ip), list(e.names)) for e in parsed.entries] == [
        (str(ipaddress.ip_address(ip)), names) for ip, names in entries]
    for ip, written in entries:
        assert ipaddress.ip_address(ip) in [e.ip for e in parsed.with_name(written[0].lower())]


@relaxed
@given(st.text() | st.binary())
def test_hosts_parser_never_raises(content):
    parsed = hosts.parse_hosts(content)
    assert all(e.names and e.line >= 1 for e in parsed.entries)


@relaxed
@given(json_values)
def test_hosts_section_is_facts_or_evidence_gap(section):
    with contextlib.suppress(EvidenceGap):
        hosts.hosts_file(evidence_with(HostsFile=section))


def test_hosts_file_windows_rules():
    """Line numbers count comments and blanks; '#' ends a line; aliases; an unparsable first field is ignored."""
    text = ("\ufeff# header\r\n\r\n10.0.0.1\tpool.contoso.local # pool\r\n"
            "10.0.0.2 fe2  FE2.contoso.local\r\nbad 1.2.3.4\r\n")
    parsed = hosts.parse_hosts(text.encode())
    assert [(e.line, str(e.ip), e.names) for e in parsed.entries] == [
        (3, "10.0.0.1", ("pool.contoso.local",)), (4, "10.0.0.2", ("fe2", "FE2.contoso.local"))]
    assert parsed.entries[1].aliases == ("FE2.contoso.local",)
    assert parsed.with_name("fe2.CONTOSO.local") == [parsed.entries[1]]
    assert parsed.ignored[0].line == 5


# -- registry -----------------------------------------------------------------------------------------------------
kinds = st.sampled_from([*registry.KINDS, *(n for n, _ in registry.KINDS.values())])


@relaxed
@given(json_values)
def test_registry_parser_is_facts_or_evidence_gap(section):
    try:
        parsed = registry.parse_registry(section, "srv")
    except EvidenceGap:
        return
    assert all(isinstance(k, registry.RegistryKey) for k in parsed.keys.values())


@relaxed
@given(st.lists(st.fixed_dictionaries({"Path": st.text(max_size=30), "Exists": json_scalars,
                                       "LastWriteTime": json_scalars | st.just("/Date(abc)/"),
                                       "Values": st.lists(st.fixed_dictionaries(
                                           {"Name": json_scalars, "Kind": json_scalars | kinds,
                                            "Value": json_values}), max_size=3) | json_values}),
                max_size=3))
def test_registry_near_miss_dumps_are_facts_or_evidence_gap(section):
    with contextlib.suppress(EvidenceGap):
        registry.registry(evidence_with(Registry=section))


@relaxed
@given(st.sampled_from(["HKLM:\\", "HKEY_LOCAL_MACHINE\\", "Registry::HKEY_LOCAL_MACHINE\\", "hklm\\"]),
       kinds, st.integers(0, 2**32 - 1))
def test_registry_value_round_trip(prefix, kind, number):
    path = prefix + r"SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL"
    parsed = registry.parse_registry([{"Path": path, "Exists": True, "LastWriteTime": NOW.isoformat(),
                                       "Values": [{"Name": "ClientAuthTrustMode", "Kind": kind, "Value": number}]}])
    value = parsed.require(registry.SCHANNEL).value("clientauthtrustmode")
    assert value is not None and value.value == number
    assert (value.dword == number) == (registry.parse_kind(kind) == "DWord")


def test_string_two_is_not_dword_two():
    parsed = registry.parse_registry({"Path": "HKLM:\\" + registry.SCHANNEL[5:], "Values": [
        {"Name": "ClientAuthTrustMode", "Kind": "String", "Value": "2"}]})
    value = parsed.require(registry.SCHANNEL).value("ClientAuthTrustMode")
    assert value is not None and value.dword is None and value.reg_type == "REG_SZ"


# -- Resolve-DnsName, Win32_OperatingSystem, InstalledProducts ------------------------------------------------------
@relaxed
@given(json_values)
def test_resolution_parser_is_facts_or_evidence_gap(section):
    with contextlib.suppress(EvidenceGap):
        resolution.parse_resolutions(section, "srv")


@relaxed
@given(json_values, json_values, json_values)
def test_system_sections_are_facts_or_evidence_gap(os_section, products, computer):
    ev = evidence_with(Win32_OperatingSystem=os_section, InstalledProducts=products, Win32_ComputerSystem=computer)
    for parse in (system.operating_system, system.core_components, system.computer_system):
        with contextlib.suppress(EvidenceGap):
            parse(ev)


# -- event text and serial numbers -------------------------------------------------------------------------------
@relaxed
@given(json_values)
def test_event_section_is_facts_or_evidence_gap(section):
    with contextlib.suppress(EvidenceGap):
        events.events(evidence_with(WinEvent=section))


@relaxed
@given(st.lists(st.fixed_dictionaries({"ProviderName": json_scalars, "Id": json_scalars | st.integers(0, 70000),
                                       "TimeCreated": json_scalars | st.just("/Date(12x)/"), "Message": json_values}),
                max_size=4))
def test_near_miss_events_are_facts_or_evidence_gap(section):
    with contextlib.suppress(EvidenceGap):
        events.events(evidence_with(WinEvent=section))


@relaxed
@given(st.text())
def test_serial_extraction_never_raises_and_yields_hex(text):
    for serial in serials_in(text):
        int(serial, 16)


@relaxed
@given(st.binary(min_size=4, max_size=20), st.text(max_size=40), st.booleans())
def test_serial_quoted_in_event_text_is_found_and_reversed(octets, noise, spaced):
    quoted = octets.hex().upper()
    shown = " ".join(quoted[i:i + 2] for i in range(0, len(quoted), 2)) if spaced else quoted
    text = f"{noise.replace('#', '')}\r\nSerial Number: {shown}\r\nCause: The certificate may have been deleted."
    assert quoted in serials_in(text)
    assert reverse_octets(reverse_octets(quoted)) == quoted
    assert bytes.fromhex(reverse_octets(quoted)) == octets[::-1]


@pytest.fixture(scope="module")
def issuer() -> pki.Issued:
    return pki.make_root("Property Test Root", kind="ec", now=NOW)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(serial=st.integers(min_value=1, max_value=2**152))
def test_reversed_serial_names_the_certificate(issuer, serial):
    """Seed 002: the event quotes 7841FC7ABF2025 as 2520BF7AFC4178; decoding it finds the certificate."""
    leaf = pki.make_leaf("sip.contoso.com", issuer, kind="ec", now=NOW, serial=serial, key=issuer.key)
    entry = parse_entry("My", leaf.record())
    der = serial.to_bytes((serial.bit_length() + 7) // 8, "big")
    der = b"\x00" + der if der[0] & 0x80 else der
    quoted = der[::-1].hex().upper()
    [found] = match_serial(quoted, [entry])
    assert found.byte_reversed and found.certificate.thumbprint == leaf.thumbprint
    assert match_serial(quoted, []) == []


def test_seed_002_example():
    assert reverse_octets("2520BF7AFC4178") == "7841FC7ABF2025"
    assert serials_in("Serial Number: 2520BF7AFC4178\r\nThe serial number is attached for reference.") == [
        "2520BF7AFC4178"]
