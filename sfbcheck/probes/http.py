"""Layer-7 interception probe (EDGE-FW-04, seed 003): does anything answer HTTP on Edge internal 443?

The Edge's internal 443 is a TLS/TURN endpoint that never answers an HTTP request. A firewall acting as a
forward proxy does: a 407 Proxy Authentication Required, a login page, a 400 for plain HTTP on an HTTPS
port. A plain TCP connect proves nothing (the seed's telnet and PortQry tests succeeded), so the probe
completes a TLS handshake, sends ``GET /`` and waits for an answer; if the handshake fails it also sends
``GET /`` in clear. Any reply starting with ``HTTP/`` means something other than the Edge answered.
"""

from __future__ import annotations

import base64
import re
import socket
import ssl
from typing import Any

from sfbcheck.probes.tls import client_context

KEPT_HEADERS = ("server", "proxy-authenticate", "via", "location", "content-type", "x-cache")


def _request(name: str) -> bytes:
    return (f"GET / HTTP/1.1\r\nHost: {name}\r\nUser-Agent: sfbcheck-probe\r\nAccept: */*\r\n"
            "Connection: close\r\n\r\n").encode("ascii")


def _read_reply(sock: socket.socket | ssl.SSLSocket, limit: int = 16384) -> bytes:
    data = b""
    try:
        while len(data) < limit:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
            if not data.startswith(b"HTTP/"[: len(data)]):
                break
    except (TimeoutError, ssl.SSLError, OSError):
        pass
    return data


def _describe(reply: bytes, record: dict[str, Any]) -> None:
    if not reply.startswith(b"HTTP/"):
        if reply:
            record["RawReply"] = reply[:64].hex()
        return
    head, _, body = reply.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = lines[0]
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() in KEPT_HEADERS:
            headers[key.strip()] = value.strip()
    title = re.search(rb"<title>(.*?)</title>", body, re.I | re.S)
    parts = status.split(" ", 2)
    record.update(HttpAnswered=True, StatusLine=status, Headers=headers,
                  StatusCode=int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None,
                  Title=title.group(1).decode("utf-8", "replace").strip()[:200] if title else "")


def probe_interception(computer_name: str, address: str, port: int, timeout: float,
                       server_name: str | None = None) -> dict[str, Any]:
    """An ``HttpProbe`` record: ComputerName, RemoteAddress, RemotePort, TcpTestSucceeded, TlsHandshake,
    PresentedCertificate (base64 DER), HttpAnswered, StatusLine, StatusCode, Headers, Title, Error."""
    from sfbcheck.probes import refuse_unless_allowed

    name = server_name or computer_name
    record: dict[str, Any] = {"ComputerName": computer_name, "RemoteAddress": address, "RemotePort": port,
                              "TcpTestSucceeded": False, "TlsHandshake": "not tried", "PresentedCertificate": "",
                              "HttpAnswered": False, "StatusLine": "", "StatusCode": None, "Headers": {},
                              "Title": "", "Error": ""}
    try:
        refuse_unless_allowed(address)
        with socket.create_connection((address, port), timeout=timeout) as raw:
            record["TcpTestSucceeded"] = True
            try:
                with client_context().wrap_socket(raw, server_hostname=server_name or None) as tls:
                    record["TlsHandshake"] = f"completed ({tls.version()})"
                    leaf = tls.getpeercert(binary_form=True)
                    record["PresentedCertificate"] = base64.b64encode(leaf).decode("ascii") if leaf else ""
                    tls.sendall(_request(name))
                    _describe(_read_reply(tls), record)
                    return record
            except ssl.SSLError as exc:
                record["TlsHandshake"] = f"failed: {exc.reason or exc}"
            except TimeoutError:
                record["TlsHandshake"] = f"no TLS answer within {timeout:g} s"
        with socket.create_connection((address, port), timeout=timeout) as plain:
            plain.sendall(_request(name))
            _describe(_read_reply(plain), record)
    except TimeoutError:
        record["Error"] = f"no answer within {timeout:g} s"
    except OSError as exc:
        record["Error"] = f"cannot connect: {exc.strerror or exc}"
    return record
