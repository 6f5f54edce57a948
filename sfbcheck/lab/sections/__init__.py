"""Evidence section builders of the sample lab, one module per area, run in this order."""

from sfbcheck.lab.sections import (
    certificates,
    collection,
    events,
    frontend,
    host,
    hygiene,
    network,
    platform,
    probes,
    topology,
)

SECTION_BUILDERS = [
    network.build,
    certificates.build,
    events.build,
    host.build,
    frontend.build,  # after host: adds SystemDrive to Win32_OperatingSystem on OWAS servers
    hygiene.build,  # after host: memory and processors join Win32_ComputerSystem
    probes.build,  # after certificates: the Edge internal certificates presented on 4443
    topology.build,  # the CMS master's Get-CsTopology -AsXml, from the inventory
    platform.build,  # after host (adds the SQL Express and Fabric services) and probes (the Edge's own probes)
    collection.build,  # last: the source of every section written above
]
