"""The WinRM transport at its seam: real WS-Management exchanges with a WinRS endpoint on 127.0.0.1.

Basic over HTTP for the protocol itself; NTLM (pyspnego's acceptor) and certificate validation against a lab
CA over HTTPS; the collector travels whole over stdin; CLIXML progress noise is removed; every failure is
one TransportError of a clear kind, with no password in it.
"""

from __future__ import annotations

import socket

import pytest

from selftest.wsman_loopback import (
    LoopbackWinRM,
    Reply,
    collector_reply,
    decode_powershell,
    error_clixml,
    loopback_tls,
    ntlm_user_file,
)
from sfbcheck.live.collect import collector_script, parse_output
from sfbcheck.live.transport import (
    BOOTSTRAP,
    TransportError,
    WinRMSession,
    WinRMSettings,
    clean_stderr,
    credentials_for,
    encode_command,
)

USER, PASSWORD = "CONTOSO\\svc-sfbcheck", "Loopback-Only-Secret-42"
ENV = {"SFBCHECK_USERNAME": USER, "SFBCHECK_PASSWORD": PASSWORD}


def echo_collector(invocation):
    """Answer like the bootstrap would: the parameters and the script's length, as an evidence document."""
    _, script, parameters = decode_powershell(invocation)
    return collector_reply({"SchemaVersion": 1, "Server": "fe01.contoso.local", "CollectedAt": "2026-01-01T00:00:00Z",
                            "Sections": {"Echo": {"ScriptLength": len(script), "Parameters": parameters}}})


@pytest.fixture
def server():
    started = []

    def start(responder=echo_collector, **kwargs) -> LoopbackWinRM:
        fake = LoopbackWinRM(responder, username=USER, password=kwargs.pop("password", PASSWORD), **kwargs).start()
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.stop()


def settings(port: int, **kwargs) -> WinRMSettings:
    base = {"server": "fe01.contoso.local", "host": "127.0.0.1", "port": port, "scheme": "http", "auth": "basic",
            "read_timeout": 10, "operation_timeout": 5}
    return WinRMSettings(**(base | kwargs))


def session(config: WinRMSettings, env: dict[str, str] = ENV) -> WinRMSession:
    return WinRMSession(config, credentials_for(config, env))


def test_collector_is_sent_whole_over_stdin_past_the_command_line_limit(server):
    fake = server()
    script = collector_script()
    assert len(script) > 8191
    with session(settings(fake.port)) as winrm:
        result = winrm.run_powershell(script, {"Roles": ["frontend", "cms"], "AsBase64": True})
        again = winrm.run_powershell("'second command, same shell'", {})
    assert result.exit_code == 0 and again.exit_code == 0
    invocation = fake.invocations[0]
    assert len(f"{invocation.command} {invocation.arguments}") < 8191
    assert invocation.stdin_pieces >= 2 and invocation.stdin_closed
    bootstrap, received, parameters = decode_powershell(invocation)
    assert received == script and bootstrap == BOOTSTRAP
    assert parameters == {"Roles": ["frontend", "cms"], "AsBase64": True}
    assert parse_output(result.stdout)["Sections"]["Echo"]["ScriptLength"] == len(script)
    assert fake.shells_opened == 1


def test_output_larger_than_one_receive_is_reassembled(server):
    big = {"SchemaVersion": 1, "Sections": {"Blob": "é" * 300_000}}
    fake = server(lambda invocation: collector_reply(big), receive_chunk=16 * 1024)
    with session(settings(fake.port)) as winrm:
        result = winrm.run_powershell("'x'", {})
    assert parse_output(result.stdout) == big
    assert fake.requests > 10


def test_progress_records_are_removed_from_errors(server):
    fake = server(lambda invocation: Reply(b"", error_clixml("Get-CsCertificate : Access is denied."), 1))
    with session(settings(fake.port)) as winrm:
        result = winrm.run_powershell("'x'", {})
    assert result.exit_code == 1
    assert result.stderr.startswith("Get-CsCertificate : Access is denied.")
    assert "CLIXML" not in result.stderr and "Preparing modules" not in result.stderr


def test_clean_stderr_keeps_plain_text_and_decodes_escapes():
    assert clean_stderr(b"plain failure\r\n") == "plain failure"
    assert clean_stderr(error_clixml("line one\nline two")).startswith("line one\nline two")
    progress_only = error_clixml("x")[:error_clixml("x").index(b"<S ")] + b"</Objs>"
    assert clean_stderr(progress_only) == "(no error text: only progress records on stderr)"


def test_https_validates_the_certificate_against_the_ca_file(server, tmp_path):
    context, ca_file = loopback_tls(tmp_path)
    fake = server(tls=context)
    with session(settings(fake.port, scheme="https", ca_file=str(ca_file))) as winrm:
        assert winrm.run_powershell("'x'", {}).exit_code == 0
    with pytest.raises(TransportError) as refused:
        session(settings(fake.port, scheme="https")).open()  # the system CAs do not know the lab CA
    assert refused.value.kind == "untrusted certificate"
    assert "connection.ca_file" in refused.value.message


def test_turning_validation_off_is_explicit(server, tmp_path):
    context, _ = loopback_tls(tmp_path)
    fake = server(tls=context)
    config = settings(fake.port, scheme="https", insecure=True)
    assert session(config).protocol_arguments()["server_cert_validation"] == "ignore"
    with session(config) as winrm:
        assert winrm.run_powershell("'x'", {}).exit_code == 0
    assert session(settings(fake.port, scheme="https")).protocol_arguments()["server_cert_validation"] == "validate"


def test_ntlm_login_over_https(server, tmp_path, monkeypatch):
    monkeypatch.setenv("NTLM_USER_FILE", str(ntlm_user_file(tmp_path, USER, PASSWORD)))
    context, ca_file = loopback_tls(tmp_path)
    fake = server(tls=context, auth="ntlm")
    with session(settings(fake.port, scheme="https", auth="ntlm", ca_file=str(ca_file))) as winrm:
        result = winrm.run_powershell(collector_script(), {"Roles": ["edge"]})
    assert parse_output(result.stdout)["Sections"]["Echo"]["Parameters"] == {"Roles": ["edge"]}


def test_refused_login_is_one_clear_error_without_the_password(server, tmp_path, monkeypatch):
    monkeypatch.setenv("NTLM_USER_FILE", str(ntlm_user_file(tmp_path, USER, "the-real-one")))
    context, ca_file = loopback_tls(tmp_path)
    fake = server(tls=context, auth="ntlm")
    with pytest.raises(TransportError) as refused:
        session(settings(fake.port, scheme="https", auth="ntlm", ca_file=str(ca_file))).open()
    assert refused.value.kind == "login refused"
    assert USER in str(refused.value) and PASSWORD not in str(refused.value)
    assert fake.logins_refused >= 1


def test_unreachable_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransportError) as unreachable:
        session(settings(port)).open()
    assert unreachable.value.kind == "unreachable"
    assert "connection refused" in unreachable.value.message


def test_a_command_that_never_ends_is_stopped(server):
    fake = server(lambda invocation: Reply(hang=True))
    with session(settings(fake.port, command_timeout=1.0)) as winrm, pytest.raises(TransportError) as late:
        winrm.run_powershell("'x'", {})
    assert late.value.kind == "timeout"


def test_credentials_come_from_the_named_environment_variables_only():
    config = settings(1, auth="ntlm", username_env="LAB_USER", password_env="LAB_PASS")
    found = credentials_for(config, {"LAB_USER": USER, "LAB_PASS": PASSWORD})
    assert (found.username, found.password, found.source) == (USER, PASSWORD, "environment")
    assert PASSWORD not in repr(found)
    with pytest.raises(TransportError) as missing:
        credentials_for(config, {"LAB_USER": USER})
    assert "LAB_PASS" in missing.value.message
    kerberos = credentials_for(settings(1, auth="kerberos"), {})
    assert kerberos.password is None and kerberos.source == "kerberos ticket cache"


def test_encoded_command_is_utf16_base64():
    assert encode_command("a") == "YQA="
