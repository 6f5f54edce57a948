"""TLS probes: which protocol versions an endpoint accepts (TLS-02), and the certificate an endpoint
presents (the shape of the ``TlsProbe`` section the collector writes on the CMS Front End, EDGE-FW-03).

The probing client accepts any certificate and sets OpenSSL's ``@SECLEVEL=0`` so that TLS 1.0 and 1.1
are offered when asked for: the probe reports what the *server* accepts, not what the local OpenSSL allows.
"""

from __future__ import annotations

import base64
import socket
import ssl
import warnings
from typing import Any

VERSIONS: dict[str, ssl.TLSVersion] = {
    "TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}
SSLSTREAM_NAMES = {"TLSv1": "Tls", "TLSv1.1": "Tls11", "TLSv1.2": "Tls12", "TLSv1.3": "Tls13"}


def client_context(version: str | None = None) -> ssl.SSLContext:
    """A probing client context: no verification, every cipher and protocol version OpenSSL has."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers("ALL:@SECLEVEL=0")
    with warnings.catch_warnings():  # TLS 1.0/1.1 are deprecated: probing for them is the point
        warnings.simplefilter("ignore", DeprecationWarning)
        if version is None:
            context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        else:
            context.minimum_version = context.maximum_version = VERSIONS[version]
    return context


def _connect(address: str, port: int, timeout: float) -> socket.socket:
    from sfbcheck.probes import refuse_unless_allowed

    refuse_unless_allowed(address)
    return socket.create_connection((address, port), timeout=timeout)


def try_version(host: str, address: str, port: int, version: str, server_name: str | None,
                timeout: float) -> dict[str, Any]:
    """One handshake restricted to ``version``: a ``TlsVersionProbe`` record."""
    record: dict[str, Any] = {"ComputerName": host, "RemoteAddress": address, "RemotePort": port,
                              "Version": version, "Accepted": False, "NegotiatedVersion": "", "Cipher": "",
                              "Error": ""}
    try:
        with (_connect(address, port, timeout) as raw,
              client_context(version).wrap_socket(raw, server_hostname=server_name or None) as tls):
            record.update(Accepted=tls.version() == version, NegotiatedVersion=tls.version() or "",
                          Cipher=(tls.cipher() or ("",))[0])
    except ssl.SSLError as exc:
        record["Error"] = f"handshake refused: {exc.reason or exc}"
    except TimeoutError:
        record["Error"] = f"no answer within {timeout:g} s"
    except OSError as exc:
        record["Error"] = f"cannot connect: {exc.strerror or exc}"
    return record


def probe_versions(host: str, address: str, port: int, server_name: str | None, timeout: float) -> list[dict[str, Any]]:
    """Try each protocol version in turn (TLSv1, 1.1, 1.2, 1.3)."""
    return [try_version(host, address, port, v, server_name, timeout) for v in VERSIONS]


def presented_chain(computer_name: str, address: str, port: int, timeout: float,
                    server_name: str | None = None) -> dict[str, Any]:
    """The certificate(s) an endpoint presents: a ``TlsProbe`` record (leaf first, base64 DER).

    Python's ``ssl`` exposes the intermediates the server sent only from 3.13 on; before that the leaf alone
    is recorded and the chain is built from the probing server's own stores.
    """
    record: dict[str, Any] = {"ComputerName": computer_name, "RemoteAddress": address, "RemotePort": port,
                              "TcpTestSucceeded": False, "SslProtocol": "", "Certificates": [], "Error": ""}
    try:
        with _connect(address, port, timeout) as raw:
            record["TcpTestSucceeded"] = True
            with client_context().wrap_socket(raw, server_hostname=server_name or None) as tls:
                chain: list[bytes] = []
                unverified = getattr(tls, "get_unverified_chain", None)
                if unverified is not None:
                    chain = [c if isinstance(c, bytes) else c.public_bytes() for c in unverified() or []]
                leaf = tls.getpeercert(binary_form=True)
                if leaf and (not chain or chain[0] != leaf):
                    chain.insert(0, leaf)
                version = tls.version() or ""
                record.update(SslProtocol=SSLSTREAM_NAMES.get(version, version),
                              Certificates=[base64.b64encode(c).decode("ascii") for c in chain])
    except ssl.SSLError as exc:
        record["Error"] = f"TLS handshake failed: {exc.reason or exc}"
    except TimeoutError:
        record["Error"] = f"no answer within {timeout:g} s"
    except OSError as exc:
        record["Error"] = f"cannot connect: {exc.strerror or exc}"
    return record
