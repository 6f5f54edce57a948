"""CERT-13: one OAuthTokenIssuer certificate for the whole deployment, present with its private key everywhere.

Source: Microsoft "Assign a server-to-server authentication certificate to Skype for Business Server" (Lync Server
2013: "Managing server-to-server authentication (OAuth) and partner applications"): the OAuthTokenIssuer certificate
is global: it is assigned once, the Central Management Store replicates the assignment to every Front End and
Director, and each of them must hold that same certificate with its private key. The reference thumbprint is the one
in effect on the CMS master (the assignment comes from the CMS); where the CMS master is not in scope, the one most
Front Ends and Directors hold.
"""

from __future__ import annotations

from collections import Counter

from sfbcheck.checks.certificates import _describe
from sfbcheck.facts.assignments import OAUTH_USE, assignment, in_personal_store, pending_assignments
from sfbcheck.host import Host
from sfbcheck.problems import Problem


def _thumbprint(host: Host) -> str | None:
    found = assignment(host.evidence, OAUTH_USE)
    return found.thumbprint if found is not None else None


def reference_thumbprint(server: Host, servers: tuple[Host, ...]) -> tuple[str | None, str]:
    """(the deployment's OAuth thumbprint, where it comes from)."""
    master = server.inventory.cms_master.fqdn
    for peer in servers:
        if peer.fqdn == master:
            thumbprint = _thumbprint(peer)
            if thumbprint:
                return thumbprint, f"the CMS master {master}"
    held = Counter(t for t in (_thumbprint(p) for p in servers) if t)
    if not held:
        return None, "no server"
    thumbprint, count = held.most_common(1)[0]
    return thumbprint, f"{count} of {len(servers)} Front Ends and Directors"


def one_oauth_certificate(server: Host, servers: tuple[Host, ...]) -> list[Problem]:
    """CERT-13: the OAuthTokenIssuer certificate in effect on ``server`` is the deployment's one, and it is in
    LocalMachine\\My with its private key and key file. No assignment at all is CERT-10's failure."""
    mine = assignment(server.evidence, OAUTH_USE)
    if mine is None:
        return []
    reference, source = reference_thumbprint(server, servers)
    problems = []
    fix = ("The OAuth certificate is global: export the deployment's certificate with its private key from "
           f"{source.removeprefix('the CMS master ')}, import it here (Import-PfxCertificate -CertStoreLocation "
           f"Cert:\\LocalMachine\\My), and assign it once for the deployment: Set-CsCertificate -Type {OAUTH_USE} "
           f"-Thumbprint {reference}")
    if reference and mine.thumbprint != reference:
        problems.append(Problem(f"this server's {OAUTH_USE} certificate is {mine.thumbprint}, not the deployment's "
                                f"{reference} (held by {source})", fix=fix, evidence=mine.describe()))
        return problems
    entry = in_personal_store(server.evidence, mine.thumbprint)
    if entry is None:
        return problems  # CERT-01 / CERT-10 report a certificate that is not in LocalMachine\My
    if entry.has_private_key and "PrivateKeyFile" in entry.record and not entry.record["PrivateKeyFile"]:
        problems.append(Problem(f"the deployment's {OAUTH_USE} certificate {mine.thumbprint} claims a private key, "
                                "but its key file is not on this server", fix=fix,
                                evidence=f"{_describe(entry)}\nPrivateKeyFile: (none found by the collector)"))
    rolled = {a.thumbprint for a in pending_assignments(server.evidence) if a.use.casefold() == OAUTH_USE.casefold()}
    for peer in servers:
        theirs = {a.thumbprint for a in pending_assignments(peer.evidence) if a.use.casefold() == OAUTH_USE.casefold()}
        if peer.fqdn == server.inventory.cms_master.fqdn and theirs != rolled:
            problems.append(Problem(f"the {OAUTH_USE} rollover pending here ({', '.join(sorted(rolled)) or 'none'}) "
                                    f"differs from the CMS master's ({', '.join(sorted(theirs)) or 'none'})",
                                    fix="Roll the certificate once for the deployment: Set-CsCertificate -Type "
                                        f"{OAUTH_USE} -Thumbprint <new> -Roll -EffectiveDate <date>",
                                    evidence=mine.describe()))
    return problems
