"""Evidence section builders of the sample lab, one module per area, run in this order."""

from sfbcheck.lab.sections import certificates, events, frontend, network

SECTION_BUILDERS = [
    network.build,
    certificates.build,
    events.build,
    frontend.build,
]
