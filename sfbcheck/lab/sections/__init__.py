"""Evidence section builders of the sample lab, one module per area, run in this order."""

from sfbcheck.lab.sections import certificates, events, frontend, network, probes

SECTION_BUILDERS = [
    network.build,
    certificates.build,
    events.build,
    frontend.build,
    probes.build,  # after certificates: the Edge internal certificates presented on 4443
]
