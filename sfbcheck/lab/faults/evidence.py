"""Evidence faults (EVID-02): a section the collector could not read on one server."""

from sfbcheck.lab.faults import fault
from sfbcheck.lab.model import Lab

FE3 = "fe03.contoso.local"
# What the collector's catch block records when Get-Item on an HKLM key is refused (.NET SecurityException text)
REGISTRY_DENIED = "Requested registry access is not allowed."


@fault("fe03-registry-not-collected", "EVID-02", FE3,
       "the collector ran without administrative rights on fe03: reading the SCHANNEL and .NET keys failed, so the "
       "Registry section holds only the collector's error",
       errors=tuple((rid, FE3) for rid in ("SCHANNEL-01", "SCHANNEL-02", "SCHANNEL-03", "TLS-01", "TLS-03",
                                           "TLS-04")))
def registry_not_collected(lab: Lab) -> None:
    lab.sections(FE3)["Registry"] = {"Error": REGISTRY_DENIED}
