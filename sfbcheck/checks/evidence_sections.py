"""EVID-02: every section the server's roles need is present and well-formed (catalog extension, "own").

A section the collector could not read holds the collector's ``{"Error": "..."}`` record; a section of the wrong
shape fails its typed parser (:mod:`sfbcheck.evidence_model`). Either is reported here, once per server,
naming the section, the collector's message (or what is malformed) and the requirements it leaves unjudged;
those requirements error ("cannot judge") on their own, never pass and never fail.
"""

from __future__ import annotations

from sfbcheck.catalog import catalog
from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import collector_error, safe_text
from sfbcheck.evidence_model import SECTIONS, Section
from sfbcheck.host import Host
from sfbcheck.inventory import Role
from sfbcheck.problems import Problem

COLLECT = ("Run the collector again on {fqdn} as a local administrator (Skype for Business Server Management "
           "Shell for the Cs sections): .\\Collect-SfbEvidence.ps1 -OutFile <fqdn>.json, or pytest --live; if the "
           "section fails again, fix what its message says (a cmdlet missing on this role, access denied).")


def roles_of(server: Host) -> set[str]:
    """The server's role, plus ``cms`` on the CMS master and ``next_hop`` on a Front End an Edge forwards to."""
    roles = {server.role.value}
    if server.fqdn == server.inventory.cms_master.fqdn:
        roles.add("cms")
    if server.role is Role.frontend and any(p.next_hop == server.pool.fqdn for p in server.inventory.pools):
        roles.add("next_hop")
    return roles


ROLE_MARKERS = {role.value for role in Role}


def _unjudged(section: Section, role: str) -> str:
    """The section's requirements that apply to this role (a requirement marked for other roles only is left out)."""
    known = catalog()
    fitting = [rid for rid in section.requirements if rid in known
               and (role in known[rid].markers or not ROLE_MARKERS & set(known[rid].markers))]
    return ", ".join(fitting) or "no requirement of this catalog"


def sections_well_formed(server: Host) -> list[Problem]:
    """EVID-02: each needed section is present, was collected (no ``Error`` record) and parses (own)."""
    evidence = server.evidence
    roles = roles_of(server)
    role = server.role.value
    fix = COLLECT.format(fqdn=server.fqdn)
    problems: list[Problem] = []
    reported: set[str] = set()
    for section in SECTIONS.values():
        raw = evidence.sections.get(section.name)
        if raw is None:
            if roles & set(section.needed_by):
                reported.add(section.name)
                problems.append(Problem(f"evidence section {section.name} is missing: {_unjudged(section, role)} "
                                        f"cannot be judged on this server (they show as errors)", fix=fix,
                                        evidence=f"{evidence.path.name}: Sections has no {section.name}"))
            continue
        error = collector_error(raw)
        if error is not None:
            reported.add(section.name)
            problems.append(Problem(f"the collector could not read {section.name}: {safe_text(error, 300)}; "
                                    f"{_unjudged(section, role)} cannot be judged on this server (they show as errors)",
                                    fix=fix, evidence=f'{evidence.path.name}: "{section.name}": '
                                                      f'{{"Error": {safe_text(error, 300)!r}}}'))
    for section in SECTIONS.values():
        if section.name in reported or section.name not in evidence.sections or section.validate is None:
            continue
        try:
            section.validate(evidence)
        except EvidenceGap as gap:
            if any(name in gap.section for name in reported) or gap.section in reported:
                continue
            reported.add(gap.section)
            problems.append(Problem(f"evidence section {gap.section} {safe_text(gap.reason, 300)}; "
                                    f"{_unjudged(section, role)} cannot be judged on this server (they show as errors)",
                                    fix=fix, evidence=safe_text(str(gap), 400)))
    return problems
