"""WinRM transport: one WS-Management shell per server, PowerShell sent whole over stdin, clean errors.

Why pywinrm (and not pypsrp): it is already pinned, testinfra's ``winrm`` backend is built on it (so the
``host`` fixture and the collector share one stack and one set of connection settings), and its WinRS
shell accepts stdin, which removes the command-line limit. No measured comparison was made; pypsrp would
add PSRP (runspace pools, typed output) that a one-shot collector does not need.

How a script runs (``WinRMSession.run_powershell``):

* the command line is only a short fixed bootstrap: ``powershell.exe -NoProfile -NonInteractive
  -ExecutionPolicy Bypass -EncodedCommand <bootstrap>`` (well under cmd.exe's 8,191 characters);
* the script itself and its parameters (JSON) travel as base64 over the command's **stdin** (WS-Man
  ``Send``) in 32 KiB pieces, whatever the script's length; the bootstrap reads ``$input``, decodes both
  and runs the script block with the parameters splatted;
* stdout comes back through ``Receive`` until the command is Done, under an overall deadline;
* stderr's CLIXML (``#< CLIXML`` with progress records) is reduced to the error text (:func:`clean_stderr`).

Failures raise :class:`TransportError` whose ``kind`` is one of ``unreachable``, ``login refused``,
``untrusted certificate``, ``timeout``, ``winrm`` or ``command failed``; messages never contain the password.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from sfbcheck import secrets
from sfbcheck.inventory import Connection

STDIN_PIECE = 32 * 1024
BOOTSTRAP = r"""
$ProgressPreference = 'SilentlyContinue'
$ErrorActionPreference = 'Stop'
try {
    $text = @($input) -join ''
    $parts = $text.Split('|')
    $utf8 = New-Object System.Text.UTF8Encoding $false
    $script = $utf8.GetString([Convert]::FromBase64String(($parts[0] -replace '\s', '')))
    $json = $utf8.GetString([Convert]::FromBase64String(($parts[1] -replace '\s', '')))
    $arguments = @{}
    foreach ($property in (ConvertFrom-Json -InputObject $json).PSObject.Properties) {
        $arguments[$property.Name] = $property.Value
    }
    & ([ScriptBlock]::Create($script)) @arguments
} catch {
    [Console]::Error.WriteLine('sfbcheck: ' + $_.Exception.Message)
    exit 2
}
""".strip()


class TransportError(Exception):
    """One server could not be collected; ``kind`` says why in a word an admin can act on."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind, self.message = kind, message
        super().__init__(f"{kind}: {message}")


@dataclass(frozen=True)
class Credentials:
    username: str | None
    password: str | None = field(default=None, repr=False)
    source: str = ""

    def __post_init__(self) -> None:
        secrets.register(self.password)  # masked in every report of the run

    def scrub(self, text: str) -> str:
        """``text`` with the password (if any) replaced, for any message that may reach a log."""
        return text.replace(self.password, secrets.MASK) if self.password else text


@dataclass(frozen=True)
class WinRMSettings:
    """Everything needed to reach one server; built from the inventory's ``connection`` (:func:`settings_for`)."""

    server: str
    host: str
    port: int = 5986
    scheme: str = "https"
    auth: str = "kerberos"  # ntlm, kerberos, credssp (basic only for the loopback self-tests)
    ca_file: str | None = None
    insecure: bool = False  # turn certificate validation off: explicit (--insecure-skip-tls-verify), and loud
    username_env: str = "SFBCHECK_USERNAME"
    password_env: str = "SFBCHECK_PASSWORD"  # noqa: S105 - the name of an environment variable
    operation_timeout: int = 20
    read_timeout: int = 30
    command_timeout: float = 900.0

    @property
    def endpoint(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}/wsman"


def settings_for(server: str, connection: Connection, *, insecure: bool = False, base_dir: str | None = None,
                 command_timeout: float = 900.0) -> WinRMSettings:
    """The WinRM settings of one inventory server (``connection.host`` defaults to the server's FQDN)."""
    ca_file = connection.ca_file
    if ca_file and base_dir and not os.path.isabs(ca_file):
        ca_file = os.path.join(base_dir, ca_file)
    return WinRMSettings(server=server, host=connection.host or server, port=connection.port,
                         scheme=connection.scheme, auth=connection.auth, ca_file=ca_file, insecure=insecure,
                         username_env=connection.username_env, password_env=connection.password_env,
                         command_timeout=command_timeout)


KERBEROS_MISSING = ("Kerberos (connection.auth: kerberos, the inventory's default) needs the kerberos extra on "
                    "this runner: pip install 'sfbcheck[kerberos]' (it builds pykerberos: apt-get install "
                    "libkrb5-dev first), then kinit <user>@<REALM>; or set connection.auth: ntlm and the "
                    "credentials' environment variables")


def kerberos_available() -> bool:
    """pywinrm's Kerberos login needs pykerberos (the ``kerberos`` extra of sfbcheck)."""
    from winrm import transport

    return bool(getattr(transport, "HAVE_KERBEROS", False))


def credentials_for(settings: WinRMSettings, environ: dict[str, str] | None = None) -> Credentials:
    """From the environment variables the inventory names, else the keyring, else (Kerberos) the ticket cache.

    No local variable of this function holds the environment or a password while anything can raise: a
    traceback shown with ``--showlocals`` reveals neither.
    """
    username = _variable(settings.username_env, environ) or None
    has_password = _variable(settings.password_env, environ) is not None
    if username and not has_password:
        found = Credentials(username, _keyring_password(settings, username), "keyring")
        if found.password is not None:
            return found
    if has_password:
        return Credentials(username, _variable(settings.password_env, environ), "environment")
    if settings.auth == "kerberos":
        return Credentials(username, None, "kerberos ticket cache")
    missing = settings.username_env if not username else settings.password_env
    raise TransportError("login refused", f"no credentials for {settings.auth}: set the environment variables "
                         f"{settings.username_env} and {settings.password_env} (the inventory's "
                         f"connection.username_env / password_env), or store the password in the keyring "
                         f"(service 'sfbcheck', user {username or '<user>'}); {missing} is not set")


def _variable(name: str, environ: dict[str, str] | None) -> str | None:
    return (os.environ if environ is None else environ).get(name)


def _keyring_password(settings: WinRMSettings, username: str) -> str | None:
    try:
        import keyring  # optional: pip install keyring
    except ImportError:
        return None
    try:
        return keyring.get_password("sfbcheck", username) or keyring.get_password(f"sfbcheck:{settings.server}",
                                                                                   username)
    except Exception:  # noqa: BLE001 - no usable keyring backend is the same as no keyring
        return None


# -- CLIXML ---------------------------------------------------------------------------------------
_CLIXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def clean_stderr(raw: bytes | str) -> str:
    """PowerShell's stderr without its CLIXML wrapping and progress records: the error lines only."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if "#< CLIXML" not in text:
        return text.strip()
    plain, _, rest = text.partition("#< CLIXML")
    lines = [plain.strip()] if plain.strip() else []
    for chunk in re.findall(r"<Objs\b.*?</Objs>", rest, flags=re.S):
        try:
            root = ET.fromstring(chunk)  # noqa: S314 - expat of 3.11 loads no external entity; bounded input
        except ET.ParseError:
            continue
        for node in root.iter():
            if (node.tag.endswith("}S") or node.tag == "S") and node.get("S") in ("Error", "Warning") \
                    and node.text:
                lines.append(_CLIXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), node.text))
    return "".join(lines).strip() or "(no error text: only progress records on stderr)"


def encode_command(script: str) -> str:
    """``-EncodedCommand`` argument: base64 of the UTF-16LE script."""
    return base64.b64encode(script.encode("utf-16-le")).decode("ascii")


def stdin_payload(script: str, parameters: dict[str, Any]) -> bytes:
    """What the bootstrap reads from stdin: base64(script) | base64(JSON parameters), in 76-char lines."""
    def lines(data: bytes) -> bytes:
        text = base64.b64encode(data)
        return b"\r\n".join(text[i:i + 76] for i in range(0, len(text), 76))

    return lines(script.encode("utf-8")) + b"\r\n|\r\n" + lines(json.dumps(parameters).encode("utf-8")) + b"\r\n"


@dataclass
class CommandResult:
    stdout: bytes
    stderr: str
    exit_code: int


class WinRMSession:
    """One WinRS shell on one server for the whole run (``with WinRMSession(settings) as session: ...``)."""

    def __init__(self, settings: WinRMSettings, credentials: Credentials | None = None) -> None:
        self.settings = settings
        self.credentials = credentials or credentials_for(settings)
        self._protocol: Any = None
        self._shell: str | None = None

    def protocol_arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``winrm.protocol.Protocol`` (also used by the testinfra backend)."""
        s = self.settings
        arguments: dict[str, Any] = {
            "endpoint": s.endpoint, "transport": s.auth, "username": self.credentials.username,
            "password": self.credentials.password, "read_timeout_sec": s.read_timeout,
            "operation_timeout_sec": s.operation_timeout,
        }
        if s.scheme == "https" and s.insecure:
            arguments["server_cert_validation"] = "ignore"
        else:
            arguments["server_cert_validation"] = "validate"
            arguments["ca_trust_path"] = s.ca_file or _default_ca_bundle()
        return arguments

    def __enter__(self) -> WinRMSession:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        import winrm.protocol

        if self.settings.auth == "kerberos" and not kerberos_available():  # before any connection
            raise TransportError("login refused", f"{self.settings.server}: {KERBEROS_MISSING}")
        try:
            self._protocol = winrm.protocol.Protocol(**self.protocol_arguments())
            self._shell = self._call(self._protocol.open_shell, codepage=65001, noprofile=True)
        except TransportError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes one TransportError
            raise self._translate(exc) from None

    def close(self) -> None:
        if self._protocol is not None and self._shell is not None:
            with contextlib.suppress(Exception):  # closing is best effort; the server times the shell out
                self._protocol.close_shell(self._shell)
        self._shell = None

    def run_powershell(self, script: str, parameters: dict[str, Any]) -> CommandResult:
        """Run ``script`` with ``parameters`` in Windows PowerShell; the script travels over stdin, whole."""
        if self._shell is None:
            self.open()
        command = (f"powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass "
                   f"-EncodedCommand {encode_command(BOOTSTRAP)}")
        protocol, shell = self._protocol, self._shell
        try:
            command_id = protocol.run_command(shell, command)
            payload = stdin_payload(script, parameters)
            for start in range(0, len(payload), STDIN_PIECE):
                piece = payload[start:start + STDIN_PIECE]
                protocol.send_command_input(shell, command_id, piece, end=start + STDIN_PIECE >= len(payload))
            stdout, stderr, code = self._receive(command_id)
            with contextlib.suppress(Exception):  # the output is already complete
                protocol.cleanup_command(shell, command_id)
        except TransportError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise self._translate(exc) from None
        return CommandResult(stdout, clean_stderr(stderr), code)

    def _receive(self, command_id: str) -> tuple[bytes, bytes, int]:
        from winrm.exceptions import WinRMOperationTimeoutError

        deadline = time.monotonic() + self.settings.command_timeout
        out: list[bytes] = []
        err: list[bytes] = []
        while True:
            if time.monotonic() > deadline:
                with contextlib.suppress(Exception):
                    self._protocol.cleanup_command(self._shell, command_id)
                raise TransportError("timeout", f"the command did not finish within "
                                                f"{self.settings.command_timeout:.0f} s (stopped it)")
            try:
                stdout, stderr, code, done = self._protocol.get_command_output_raw(self._shell, command_id)
            except WinRMOperationTimeoutError:
                continue
            out.append(stdout)
            err.append(stderr)
            if done:
                return b"".join(out), b"".join(err), code

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    def _translate(self, exc: Exception) -> TransportError:
        import requests
        from winrm.exceptions import InvalidCredentialsError, WinRMError, WinRMTransportError

        s = self.settings
        where = f"{s.endpoint}"
        text = self.credentials.scrub(str(exc))
        if isinstance(exc, requests.exceptions.SSLError):
            trust = s.ca_file or "the system's CA bundle"
            return TransportError("untrusted certificate", f"{where}: the server's certificate is not trusted "
                                  f"by {trust} ({_ssl_reason(text)}); give the issuing CA in connection.ca_file")
        if isinstance(exc, requests.exceptions.Timeout):
            return TransportError("timeout", f"{where}: no answer within {s.read_timeout} s")
        if isinstance(exc, requests.exceptions.ConnectionError):
            return TransportError("unreachable", f"{where}: cannot connect ({_connect_reason(text)}); check "
                                  "the host, the port, the firewall and that WinRM listens (winrm enumerate "
                                  "winrm/config/listener)")
        if isinstance(exc, InvalidCredentialsError):
            user = self.credentials.username or "(Kerberos ticket)"
            return TransportError("login refused", f"{where}: the server refused the {s.auth} login of {user} "
                                  f"(credentials from {self.credentials.source or 'nowhere'})")
        if isinstance(exc, WinRMTransportError):
            return TransportError("winrm", f"{where}: HTTP {exc.code}: {_first_line(text)}")
        if isinstance(exc, WinRMError) and "kerberos" in text.lower():
            return TransportError("login refused", f"{where}: {KERBEROS_MISSING}")
        if isinstance(exc, WinRMError):
            return TransportError("winrm", f"{where}: {_first_line(text)}")
        return TransportError("winrm", f"{where}: {type(exc).__name__}: {_first_line(text)}")


def _default_ca_bundle() -> str:
    import certifi

    return certifi.where()


def _ssl_reason(text: str) -> str:
    match = re.search(r"certificate verify failed: ([^(\)]+)", text) or \
        re.search(r"(hostname .*? doesn't match[^'\"]*)", text)
    return match.group(1).strip() if match else _first_line(text)


def _connect_reason(text: str) -> str:
    for hint in ("Connection refused", "timed out", "Name or service not known", "No route to host",
                 "Network is unreachable", "nodename nor servname", "getaddrinfo failed"):
        if hint.lower() in text.lower():
            return hint.lower()
    return _first_line(text)


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:300]
