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
from dataclasses import dataclass

from sfbcheck.checks.certificates import _describe
from sfbcheck.facts.assignments import OAUTH_USE, assignment, in_personal_store, pending_assignments
from sfbcheck.host import Host
from sfbcheck.problems import Problem


def _thumbprint(host: Host) -> str | None:
    found = assignment(host.evidence, OAUTH_USE)
    return found.thumbprint if found is not None else None


def _pending(host: Host) -> set[str]:
    return {a.thumbprint for a in pending_assignments(host.evidence) if a.use.casefold() == OAUTH_USE.casefold()}


@dataclass(frozen=True)
class DeploymentOAuth:
    thumbprint: str | None   # the deployment's OAuth certificate
    source: str              # where that comes from (the CMS master, or most servers)
    pending: set[str] | None  # the CMS master's pending rollover (None when the CMS master is not in scope)


_CACHE: dict[int, tuple[tuple[Host, ...], DeploymentOAuth]] = {}


def deployment_oauth(servers: tuple[Host, ...]) -> DeploymentOAuth:
    """The deployment's OAuth certificate, once per run (every case shares the same ``servers`` tuple)."""
    cached = _CACHE.get(id(servers))
    if cached is not None and cached[0] is servers:
        return cached[1]
    master_fqdn = servers[0].inventory.cms_master.fqdn if servers else ""
    master = next((s for s in servers if s.fqdn == master_fqdn), None)
    thumbprint = _thumbprint(master) if master is not None else None
    if thumbprint:
        found = DeploymentOAuth(thumbprint, f"the CMS master {master_fqdn}", _pending(master))
    else:
        held = Counter(t for t in (_thumbprint(p) for p in servers) if t)
        top = held.most_common(1)
        found = DeploymentOAuth(top[0][0] if top else None,
                                f"{top[0][1]} of {len(servers)} Front Ends and Directors" if top else "no server",
                                None)
    if len(_CACHE) > 8:
        _CACHE.clear()
    _CACHE[id(servers)] = (servers, found)
    return found


def one_oauth_certificate(server: Host, servers: tuple[Host, ...]) -> list[Problem]:
    """CERT-13: the OAuthTokenIssuer certificate in effect on ``server`` is the deployment's one, and it is in
    LocalMachine\\My with its private key and key file. No assignment at all is CERT-10's failure."""
    mine = assignment(server.evidence, OAUTH_USE)
    if mine is None:
        return []
    deployment = deployment_oauth(servers)
    reference, source = deployment.thumbprint, deployment.source
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
    rolled = _pending(server)
    if deployment.pending is not None and rolled != deployment.pending:
        problems.append(Problem(f"the {OAUTH_USE} rollover pending here ({', '.join(sorted(rolled)) or 'none'}) "
                                f"differs from the CMS master's ({', '.join(sorted(deployment.pending)) or 'none'})",
                                fix="Roll the certificate once for the deployment: Set-CsCertificate -Type "
                                    f"{OAUTH_USE} -Thumbprint <new> -Roll -EffectiveDate <date>",
                                evidence=mine.describe()))
    return problems
