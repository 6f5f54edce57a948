"""Names and serial numbers as Windows prints them (``Get-ChildItem Cert:``, certlm.msc), from the DER.

* Subject / Issuer: .NET's ``X500DistinguishedName.Name`` (``X509Certificate2.Subject``): the RDNs most specific
  first, separated by ``", "``, Windows' attribute labels (``S=`` for stateOrProvinceName, ``E=`` for
  emailAddress, ``OID.<dotted>=`` for others), a value with a special character in double quotes (a ``"`` in it
  doubled): ``CN=Thawte Timestamping CA, OU=Thawte Certification, O=Thawte, L=Durbanville, S=Western Cape, C=ZA``;
  ``OU=Class 3 Public Primary Certification Authority, O="VeriSign, Inc.", C=US``. Public sample: the Root store
  listing of a Windows Server in a public repository (thumbprint and Subject columns), see docs/evidence.md.
* SerialNumber: the DER INTEGER's octets in hex, upper case, as stored, so a serial whose first octet has its high
  bit set keeps the leading ``00`` (Microsoft Root Authority: ``00C1008B3C3C8811D13EF663ECDF40``).
"""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID

_LABELS = {
    NameOID.COMMON_NAME: "CN", NameOID.ORGANIZATIONAL_UNIT_NAME: "OU", NameOID.ORGANIZATION_NAME: "O",
    NameOID.LOCALITY_NAME: "L", NameOID.STATE_OR_PROVINCE_NAME: "S", NameOID.COUNTRY_NAME: "C",
    NameOID.EMAIL_ADDRESS: "E", NameOID.DOMAIN_COMPONENT: "DC", NameOID.STREET_ADDRESS: "STREET",
    NameOID.TITLE: "T", NameOID.GIVEN_NAME: "G", NameOID.INITIALS: "I", NameOID.SURNAME: "SN",
    NameOID.SERIAL_NUMBER: "SERIALNUMBER", NameOID.POSTAL_CODE: "PostalCode",
}
_SPECIAL = set(',=+<>#;"\n')


def _value(text: str) -> str:
    if text and (text[0] == " " or text[-1] == " " or _SPECIAL & set(text)):
        return '"' + text.replace('"', '""') + '"'
    return text


def windows_dn(name: x509.Name) -> str:
    """``name`` as ``X509Certificate2.Subject`` / ``.Issuer`` print it."""
    rdns = []
    for rdn in reversed(list(name.rdns)):
        parts = []
        for attribute in rdn:
            label = _LABELS.get(attribute.oid, f"OID.{attribute.oid.dotted_string}")
            value = attribute.value if isinstance(attribute.value, str) else attribute.value.hex()
            parts.append(f"{label}={_value(value)}")
        rdns.append(" + ".join(parts))
    return ", ".join(rdns)


def windows_serial(serial: int) -> str:
    """The serial number as ``X509Certificate2.SerialNumber`` prints it: the DER INTEGER's octets, leading 00 kept."""
    length = (serial.bit_length() + 8) // 8 if serial >= 0 else (serial.bit_length() + 7) // 8 + 1
    return serial.to_bytes(max(length, 1), "big", signed=True).hex().upper()
