"""Certificate serial numbers quoted in Lync Server event messages, and the certificates they name.

Lync/SfB events (12303, 14694, 14397, …) quote a certificate's serial number in the byte order Windows keeps
it in memory (little-endian), i.e. octet-reversed compared with what ``certlm.msc`` and ``Get-ChildItem Cert:``
show: the certificate with serial ``7841FC7ABF2025`` is quoted as ``2520BF7AFC4178`` (seed 002).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sfbcheck.facts.certificates import StoredCert

_SERIAL = re.compile(
    r"serial\s*(?:number|no\.?)\s*(?:is\s*)?[:=]?\s*(?:0x)?(?P<hex>(?:[0-9A-Fa-f]{2} ?){4,64})(?![0-9A-Za-z])",
    re.IGNORECASE)


def serials_in(text: str) -> list[str]:
    """Every serial number quoted in ``text`` ("Serial Number: 2520BF7AFC4178", spaced octets too), upper-case."""
    found: list[str] = []
    for match in _SERIAL.finditer(text):
        serial = match.group("hex").replace(" ", "").upper()
        if serial not in found:
            found.append(serial)
    return found


_HEX = re.compile(r"^(?:[0-9A-Fa-f]{2}){4,40}$")


def attached_serials(values: Iterable[str]) -> list[str]:
    """Serial-number candidates in an event's attached data: a value that is only hex octets (a byte[] the
    collector wrote as hex, 4 to 40 octets), or a "Serial Number: …" text inside a value, upper-case."""
    found: list[str] = []
    for value in values:
        text = value.strip().replace(" ", "").replace("-", "")
        for serial in ([text.upper()] if _HEX.match(text) else serials_in(value)):
            if serial not in found:
                found.append(serial)
    return found


def reverse_octets(serial: str) -> str:
    """``2520BF7AFC4178`` -> ``7841FC7ABF2025`` (an odd-length string is first padded with a leading 0)."""
    text = serial if len(serial) % 2 == 0 else "0" + serial
    return "".join(reversed([text[i:i + 2] for i in range(0, len(text), 2)]))


def serial_of(entry: StoredCert) -> int | None:
    """The certificate's serial number (from the DER when it parsed, else from the store's SerialNumber)."""
    if entry.cert is not None:
        return entry.serial_number
    raw = str(entry.record.get("SerialNumber") or "").replace(" ", "")
    try:
        return int(raw, 16) if raw else None
    except ValueError:
        return None


@dataclass(frozen=True)
class SerialMatch:
    quoted: str
    decoded: str  # the octet-reversed serial, as the certificate store shows it
    certificate: StoredCert
    byte_reversed: bool  # False when the event quoted it in the store's order

    def describe(self) -> str:
        how = (f"serial {self.quoted} quoted in the event is byte-reversed: it is {self.decoded}"
               if self.byte_reversed else f"serial {self.quoted} (quoted in the store's order)")
        cert = self.certificate
        return (f"{how}, the certificate {cert.subject} (thumbprint {cert.thumbprint}) in LocalMachine\\{cert.store}"
                + (f", FriendlyName '{cert.friendly_name}'" if cert.friendly_name else ""))


def match_serial(quoted: str, certificates: Iterable[StoredCert]) -> list[SerialMatch]:
    """The certificates ``quoted`` names: octet-reversed first (how the events quote it), then as quoted."""
    decoded = reverse_octets(quoted)
    reversed_value, as_is_value = int(decoded, 16), int(quoted, 16)
    entries = list(certificates)
    matches = [SerialMatch(quoted, decoded, c, True) for c in entries if serial_of(c) == reversed_value]
    if not matches:
        matches = [SerialMatch(quoted, quoted, c, False) for c in entries if serial_of(c) == as_is_value]
    if not matches:  # seed 002's author read it as reversed digit by digit (5202FBA7CF1487 for 7841FC7ABF2025)
        by_digit = quoted[::-1]
        matches = [SerialMatch(quoted, by_digit, c, True) for c in entries if serial_of(c) == int(by_digit, 16)]
    return matches
