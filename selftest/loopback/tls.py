"""TLS and HTTP listeners on 127.0.0.1 (threads): an Edge presenting its internal certificate and staying
silent, an SSL-inspecting interceptor with another certificate, a forward proxy answering 407, and a reverse
proxy that accepts a chosen range of TLS versions. Keys come from ``lab.pki`` (in memory) and are written
only into the test's temporary directory for ``ssl.load_cert_chain``."""

from __future__ import annotations

import socket
import socketserver
import ssl
import threading
import warnings
from pathlib import Path

from sfbcheck.lab.pki import Issued

PROXY_407 = (b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"Perimeter proxy\"\r\n"
             b"Via: 1.1 fw01 (proxy)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
LOGIN_PAGE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
              b"<html><head><title>Web filter: please sign in</title></head><body>Sign in</body></html>")


def server_context(workdir: Path, leaf: Issued, chain: list[Issued], minimum: ssl.TLSVersion = ssl.TLSVersion.TLSv1,
                   maximum: ssl.TLSVersion = ssl.TLSVersion.TLSv1_3) -> ssl.SSLContext:
    workdir.mkdir(parents=True, exist_ok=True)
    cert = workdir / f"{leaf.thumbprint}.pem"
    key = workdir / f"{leaf.thumbprint}.key"
    cert.write_bytes(leaf.pem + b"".join(c.pem for c in chain))
    key.write_bytes(leaf.key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.set_ciphers("ALL:@SECLEVEL=0")
    with warnings.catch_warnings():  # a reverse proxy that still accepts TLS 1.0 is what TLS-02 must see
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version, context.maximum_version = minimum, maximum
    context.load_cert_chain(cert, key)
    key.unlink()
    return context


class Listener:
    """A threaded TCP server on 127.0.0.1:<free port>: TLS (``context``) or plain; ``reply`` after the first
    request bytes, or silence (hold the connection until the client gives up)."""

    def __init__(self, context: ssl.SSLContext | None = None, reply: bytes | None = None) -> None:
        listener = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock: socket.socket = self.request
                sock.settimeout(10)
                try:
                    if listener.context is not None:
                        sock = listener.context.wrap_socket(sock, server_side=True)
                    data = sock.recv(4096)
                    if data and listener.reply is not None:
                        sock.sendall(listener.reply)
                    else:
                        while sock.recv(4096):
                            pass
                except (OSError, ssl.SSLError):
                    pass
                finally:
                    sock.close()

        self.context = context
        self.reply = reply
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
