"""A WS-Management (WinRS) endpoint on 127.0.0.1 for the self-tests: the seam of the WinRM transport.

It answers the SOAP messages pywinrm sends (Create shell, Command, Send stdin, Receive, Signal, Delete) over
HTTP or HTTPS, with Basic or NTLM authentication (NTLM checked for real by pyspnego's acceptor). What a
command does is up to a ``responder(invocation) -> Reply``; :func:`decode_powershell` turns the transport's
``powershell.exe -EncodedCommand`` invocation back into (bootstrap, script, parameters) so a responder can
prove it received the collector whole and answer like the real bootstrap would.
"""

from __future__ import annotations

import base64
import json
import re
import ssl
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

NS = {"s": "http://www.w3.org/2003/05/soap-envelope", "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
      "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
      "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"}
SHELL_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"


@dataclass
class Invocation:
    command: str
    arguments: str
    stdin: bytes = b""
    stdin_pieces: int = 0
    stdin_closed: bool = False


@dataclass
class Reply:
    stdout: bytes = b""
    stderr: bytes = b""
    exit_code: int = 0
    hang: bool = False  # never finishes (the transport's deadline must stop it)


@dataclass
class _Command:
    invocation: Invocation
    reply: Reply | None = None
    sent_out: int = 0
    sent_err: bool = False


Responder = Callable[[Invocation], Reply]


@dataclass
class LoopbackWinRM:
    """One fake Windows server. ``start()`` binds 127.0.0.1 on a free port; ``stop()`` shuts it down."""

    responder: Responder
    username: str = "CONTOSO\\svc-sfbcheck"
    password: str = "loopback-only-Pa55"
    auth: str = "basic"  # basic or ntlm
    tls: ssl.SSLContext | None = None
    receive_chunk: int = 48 * 1024
    invocations: list[Invocation] = field(default_factory=list)
    requests: int = 0
    shells_opened: int = 0
    logins_refused: int = 0
    _server: ThreadingHTTPServer | None = None
    _commands: dict[str, _Command] = field(default_factory=dict)

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    def start(self) -> LoopbackWinRM:
        owner = self

        class Handler(_Handler):
            server_owner = owner

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- WS-Man actions --------------------------------------------------------------------------
    def handle(self, body: bytes) -> bytes:
        self.requests += 1
        root = ET.fromstring(body)
        action = root.findtext("s:Header/a:Action", namespaces=NS) or ""
        message_id = root.findtext("s:Header/a:MessageID", namespaces=NS) or ""
        selector = root.find("s:Header/w:SelectorSet/w:Selector", NS)
        shell_id = selector.text if selector is not None else ""
        verb = action.rsplit("/", 1)[-1]
        if verb == "Create":
            self.shells_opened += 1
            shell_id = str(uuid.uuid4()).upper()
            return _envelope(action + "Response", message_id,
                             f'<x:ResourceCreated xmlns:x="{NS["a"]}"><a:ReferenceParameters><w:SelectorSet>'
                             f'<w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet>'
                             f'</a:ReferenceParameters></x:ResourceCreated>'
                             f'<rsp:Shell><rsp:ShellId>{shell_id}</rsp:ShellId></rsp:Shell>')
        if verb == "Command":
            line = root.find("s:Body/rsp:CommandLine", NS)
            command = line.findtext("rsp:Command", default="", namespaces=NS) if line is not None else ""
            arguments = line.findtext("rsp:Arguments", default="", namespaces=NS) if line is not None else ""
            command_id = str(uuid.uuid4()).upper()
            invocation = Invocation(command, arguments)
            self.invocations.append(invocation)
            self._commands[command_id] = _Command(invocation)
            return _envelope(action + "Response", message_id,
                             f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>")
        if verb == "Send":
            stream = root.find("s:Body/rsp:Send/rsp:Stream", NS)
            assert stream is not None
            cmd = self._commands[stream.get("CommandId", "")]
            cmd.invocation.stdin += base64.b64decode(stream.text or "")
            cmd.invocation.stdin_pieces += 1
            cmd.invocation.stdin_closed = stream.get("End") == "true"
            return _envelope(action + "Response", message_id, "<rsp:SendResponse/>")
        if verb == "Receive":
            stream = root.find("s:Body/rsp:Receive/rsp:DesiredStream", NS)
            assert stream is not None
            command_id = stream.get("CommandId", "")
            return _envelope(action + "Response", message_id, self._receive(command_id))
        if verb == "Signal":
            return _envelope(action + "Response", message_id, "<rsp:SignalResponse/>")
        if verb == "Delete":
            return _envelope(action + "Response", message_id, "")
        raise ValueError(f"unexpected WS-Man action {action}")

    def _receive(self, command_id: str) -> str:
        cmd = self._commands[command_id]
        if cmd.reply is None:
            cmd.reply = self.responder(cmd.invocation)
        reply = cmd.reply
        if reply.hang:
            import time

            time.sleep(0.05)
            return f'<rsp:ReceiveResponse><rsp:CommandState CommandId="{command_id}" ' \
                   f'State="{SHELL_URI}/CommandState/Running"/></rsp:ReceiveResponse>'
        streams = []
        chunk = reply.stdout[cmd.sent_out:cmd.sent_out + self.receive_chunk]
        cmd.sent_out += len(chunk)
        if chunk:
            streams.append(f'<rsp:Stream Name="stdout" CommandId="{command_id}">'
                           f"{base64.b64encode(chunk).decode()}</rsp:Stream>")
        if not cmd.sent_err and reply.stderr:
            cmd.sent_err = True
            streams.append(f'<rsp:Stream Name="stderr" CommandId="{command_id}">'
                           f"{base64.b64encode(reply.stderr).decode()}</rsp:Stream>")
        done = cmd.sent_out >= len(reply.stdout)
        state = (f'<rsp:CommandState CommandId="{command_id}" State="{SHELL_URI}/CommandState/Done">'
                 f"<rsp:ExitCode>{reply.exit_code}</rsp:ExitCode></rsp:CommandState>" if done else
                 f'<rsp:CommandState CommandId="{command_id}" State="{SHELL_URI}/CommandState/Running"/>')
        return f"<rsp:ReceiveResponse>{''.join(streams)}{state}</rsp:ReceiveResponse>"


def _envelope(action: str, relates_to: str, body: str) -> bytes:
    return (f'<s:Envelope xmlns:s="{NS["s"]}" xmlns:a="{NS["a"]}" xmlns:w="{NS["w"]}" xmlns:rsp="{NS["rsp"]}">'
            f"<s:Header><a:Action>{action}</a:Action><a:MessageID>uuid:{uuid.uuid4()}</a:MessageID>"
            f"<a:RelatesTo>{relates_to}</a:RelatesTo></s:Header><s:Body>{body}</s:Body></s:Envelope>").encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_owner: LoopbackWinRM

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/soap+xml;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        owner = self.server_owner
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        if not self._authenticated():
            return
        if self.path.rstrip("/") != "/wsman":
            self._send(404)
            return
        if not body:  # pywinrm's empty message that sets up encryption
            self._send(200)
            return
        self._send(200, owner.handle(body))

    def _authenticated(self) -> bool:
        owner = self.server_owner
        header = self.headers.get("Authorization", "")
        if owner.auth == "basic":
            expected = base64.b64encode(f"{owner.username}:{owner.password}".encode()).decode()
            if header == f"Basic {expected}":
                return True
            if header:
                owner.logins_refused += 1
            self._send(401, headers={"WWW-Authenticate": 'Basic realm="WSMAN"'})
            return False
        if getattr(self, "_ntlm_done", False):
            return True
        scheme, _, token = header.partition(" ")
        if scheme not in ("NTLM", "Negotiate") or not token:
            self._send(401, headers={"WWW-Authenticate": "NTLM"})
            return False
        import spnego

        if not hasattr(self, "_ntlm"):
            self._ntlm = spnego.server(protocol="ntlm")
        try:
            answer = self._ntlm.step(base64.b64decode(token))
        except Exception:  # noqa: BLE001 - a wrong password fails the NTLM acceptor
            owner.logins_refused += 1
            del self._ntlm
            self._send(401, headers={"WWW-Authenticate": "NTLM"})
            return False
        if not self._ntlm.complete:
            self._send(401, headers={"WWW-Authenticate": f"{scheme} {base64.b64encode(answer or b'').decode()}"})
            return False
        self._ntlm_done = True
        return True


def ntlm_user_file(directory: Path, username: str, password: str) -> Path:
    """An NTLM_USER_FILE for pyspnego's acceptor (``DOMAIN:USER:PASSWORD``)."""
    domain, _, user = username.rpartition("\\")
    path = directory / "ntlm-users.txt"
    path.write_text(f"{domain}:{user}:{password}\n", encoding="utf-8")
    return path


# -- what the transport sends -----------------------------------------------------------------------------
def decode_powershell(invocation: Invocation) -> tuple[str, str, dict[str, Any]]:
    """(bootstrap, script, parameters) of a ``powershell.exe -EncodedCommand`` invocation with stdin."""
    line = f"{invocation.command} {invocation.arguments}".strip()
    match = re.search(r"-EncodedCommand\s+([A-Za-z0-9+/=]+)", line)
    if match is None:
        raise ValueError(f"not an encoded PowerShell command: {line[:120]}")
    bootstrap = base64.b64decode(match.group(1)).decode("utf-16-le")
    text = re.sub(rb"\s", b"", invocation.stdin).decode("ascii")
    script_part, _, parameter_part = text.partition("|")
    script = base64.b64decode(script_part).decode("utf-8")
    parameters = json.loads(base64.b64decode(parameter_part).decode("utf-8"))
    return bootstrap, script, parameters


def collector_reply(document: dict[str, Any], *, progress_noise: bool = True) -> Reply:
    """What the bootstrap writes for ``-AsBase64``: base64 lines of the UTF-8 JSON (and progress on stderr)."""
    encoded = base64.encodebytes(json.dumps(document).encode("utf-8")).replace(b"\n", b"\r\n")
    stderr = PROGRESS_CLIXML.encode() if progress_noise else b""
    return Reply(encoded, stderr, 0)


PROGRESS_CLIXML = (
    '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
    '<Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T>'
    '<T>System.Object</T></TN><MS><I64 N="SourceId">1</I64><PR N="Record"><AV>Preparing modules for first use.'
    '</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj></Objs>')


def error_clixml(message: str) -> bytes:
    """stderr of a failing PowerShell command: progress records, then the error lines, CLIXML-escaped."""
    escaped = message.replace("\r\n", "_x000D__x000A_").replace("\n", "_x000A_")
    return (PROGRESS_CLIXML + '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
            f'<S S="Error">{escaped}_x000D__x000A_</S>'
            '<S S="Error">    + CategoryInfo          : NotSpecified: (:) [], RuntimeException_x000D__x000A_</S>'
            '</Objs>').encode()


def loopback_tls(directory: Path, ca_name: str = "Loopback Lab Root CA") -> tuple[ssl.SSLContext, Path]:
    """A server TLS context for 127.0.0.1 issued by a fresh lab CA, and the CA's PEM file for the client."""
    from datetime import UTC, datetime, timedelta
    from ipaddress import IPv4Address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID

    from sfbcheck.lab import pki

    now = datetime.now(UTC)
    root = pki.make_root(ca_name, now=now)
    key = pki.new_key("ec")
    assert root.key is not None
    cert = (x509.CertificateBuilder().subject_name(pki.name("127.0.0.1")).issuer_name(root.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(root.key, hashes.SHA256()))
    leaf = pki.Issued(cert, key)
    directory.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"\W+", "-", ca_name.lower())
    (directory / f"{stem}-server.pem").write_bytes(leaf.pem + leaf.key_pem)
    ca_file = directory / f"{stem}.pem"
    ca_file.write_bytes(root.pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / f"{stem}-server.pem")
    return context, ca_file
