"""A TCP connect test shaped like ``Test-NetConnection -ComputerName X -Port N`` (the ``TcpProbe`` section)."""

from __future__ import annotations

import socket
from typing import Any


def net_connection(computer_name: str, address: str, port: int, timeout: float) -> dict[str, Any]:
    """Connect and close: ComputerName, RemoteAddress, RemotePort, TcpTestSucceeded (and the error, if any)."""
    from sfbcheck.probes import refuse_unless_allowed

    record: dict[str, Any] = {"ComputerName": computer_name, "RemoteAddress": address, "RemotePort": port,
                              "TcpTestSucceeded": False, "Error": ""}
    try:
        refuse_unless_allowed(address)
        with socket.create_connection((address, port), timeout=timeout) as sock:
            record["SourceAddress"] = sock.getsockname()[0]
            record["TcpTestSucceeded"] = True
    except TimeoutError:
        record["Error"] = f"no answer within {timeout:g} s (filtered)"
    except OSError as exc:
        record["Error"] = exc.strerror or str(exc)
    return record
