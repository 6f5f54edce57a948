"""Product, patch level and platform (VER-01…04).

Sources: Microsoft "Updates for Skype for Business Server 2019" (KB 4470124), "… 2015" (KB 3061064), "Updates for
Lync Server 2013" (KB 2809243) and the build table ``sfbcheck/data/builds.yml``; Microsoft's cumulative update
installation steps (every server of a pool, then ``Install-CsDatabase -Update``); Microsoft "Server requirements
for Skype for Business Server 2015/2019" and "Lync Server 2013 supported operating systems". OPD rules read for
the edge cases: RDCheckPatchVersion (Core Components), RDCheckServerVersion, RDCheckLocalDBVersionMismatch.
"""

from __future__ import annotations

from dataclasses import dataclass

from sfbcheck.builds import Build, ProductInfo, table
from sfbcheck.errors import EvidenceGap
from sfbcheck.facts.platform import CONFIGURED_DATABASES, LOCAL_DATABASES, DatabaseSchema, database_schemas
from sfbcheck.facts.system import InstalledProduct, Version, core_components, installed_products, operating_system
from sfbcheck.facts.system import show_version as shown
from sfbcheck.host import Host
from sfbcheck.inventory import Role
from sfbcheck.problems import Problem

INSTALLER = ("Skype for Business Server Update Installer (LyncServerUpdateInstaller.exe / "
             "SkypeServerUpdateInstaller.exe)")


def installed(server: Host) -> tuple[ProductInfo, InstalledProduct]:
    """The product (from the build table) and the Core Components entry that gives its version."""
    core = core_components(server.evidence)
    if core is None or core.version is None:
        raise EvidenceGap(server.fqdn, "InstalledProducts", "has no Lync Server 2013 / Skype for Business Server "
                                                           "Core Components entry with a version")
    product = table().product_of(core.version)
    if product is None:
        raise EvidenceGap(server.fqdn, "InstalledProducts", f"Core Components {core.raw_version} is no version of "
                                                           "Lync Server 2013 or Skype for Business Server 2015/2019")
    return product, core


def _month(server: Host) -> str | None:
    collected = server.evidence.collected_at
    return collected.strftime("%Y-%m") if collected else None


def policy_minimum(server: Host, product: ProductInfo) -> str | None:
    """The policy's ``min_update`` for the product: the one update (name or version) every server is held to, or
    in a deployment of several products (coexistence) the one given for this product (none given: the latest)."""
    wanted = server.inventory.policy.min_update
    return wanted.get(product.key) if isinstance(wanted, dict) else wanted


def minimum_build(server: Host, product: ProductInfo) -> tuple[Build, Build]:
    """(the minimum the policy sets, the latest known update) for the product, as of the evidence's month."""
    known, policy = table(), server.inventory.policy
    as_of = _month(server)
    latest = known.latest(product.key, as_of)
    if latest is None:
        raise EvidenceGap(server.fqdn, "InstalledProducts", f"cannot be judged: the build table has no update of "
                                                           f"{product.name} with a version released by {as_of}")
    base = latest
    wanted = policy_minimum(server, product)
    if wanted:
        found = known.find(product.key, wanted)
        if found is None or found.version is None:
            per_product = "" if isinstance(policy.min_update, dict) else (
                f"; with pools of several products give one per product, e.g. min_update: {{{product.key}: ...}}")
            raise EvidenceGap(server.fqdn, "InstalledProducts",
                              f"cannot be judged: policy.min_update {wanted!r} is no update of "
                              f"{product.name} with a version in sfbcheck/data/builds.yml{per_product}")
        base = found
    versioned = list(known.versioned(product.key))
    index = versioned.index(base)
    return versioned[max(0, index - policy.updates_behind)], latest


def update_level(server: Host) -> list[Problem]:
    """VER-01: the installed Core Components version is at least the policy's minimum update of the build table
    (default the latest update known when the evidence was collected; ``policy.updates_behind`` allows N less)."""
    product, core = installed(server)
    minimum, latest = minimum_build(server, product)
    version = core.version or ()
    if minimum.version is not None and version >= minimum.version:
        return []
    known = table()
    level = known.level(product.key, version)
    rows = known.builds[product.key]
    at = rows.index(level) if level is not None else -1
    behind = [b for b in known.published(product.key, _month(server)) if level is None or rows.index(b) > at]
    level_text = f"the level of {level.update}" if level else "below every update with a known version (RTM or early)"
    policy = server.inventory.policy
    wanted = policy_minimum(server, product)
    rule = (f"policy.min_update {wanted!r}" if wanted else "the latest known update") + (
        f" less {policy.updates_behind} update(s) (policy.updates_behind)" if policy.updates_behind else "")
    return [Problem(
        f"{server.fqdn} runs {product.name} {core.raw_version} ({level_text}), below the minimum "
        f"{shown(minimum.version or ())} ({minimum.update}, {minimum.kb}) that {rule} sets; the latest known is "
        f"{latest.update} {shown(latest.version or ())} ({latest.when}), "
        f"{len(behind)} update(s) after the installed level",
        fix=(f"Install {latest.update} ({latest.kb}; every update: {product.master_kb}) with the {INSTALLER} on "
             f"every server of {server.pool.fqdn}, one server at a time: Stop-CsWindowsService -Graceful, run the "
             "installer, restart the server; when the pool is done, apply the database step the KB names "
             "(Install-CsDatabase -Update -ConfiguredDatabases -SqlServerFqdn <back end>, and -LocalDatabases on "
             "each server); then collect the evidence again."),
        evidence=(f"InstalledProducts: {core.name} DisplayVersion {core.raw_version}\n"
                  f"build table (sfbcheck/data/builds.yml): minimum {minimum}; latest known {latest}"))]


# -- VER-02 ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PoolMembers:
    """A pool and its member servers (host = what pool-level results are about)."""

    host: str
    fqdn: str
    role: Role
    members: tuple[Host, ...]

    def __str__(self) -> str:
        return self.host


OWAS_NAMES = ("office online server", "office web apps server")


def member_version(member: Host) -> tuple[str, str]:
    """(what, version text) of a member: Core Components for Lync/SfB servers, the product for Office Web Apps."""
    if member.role is Role.owas:
        found = [p for p in installed_products(member.evidence) if any(n in p.name.casefold() for n in OWAS_NAMES)]
        if not found or found[0].version is None:
            raise EvidenceGap(member.fqdn, "InstalledProducts", "has no Office Online Server / Office Web Apps "
                                                               "Server entry with a version")
        return found[0].name, found[0].raw_version
    _, core = installed(member)
    return core.name, core.raw_version


def same_version_in_pool(pool: PoolMembers) -> list[Problem]:
    """VER-02: every member of one pool runs the same product version (a pool half-way through an update)."""
    versions = {m.fqdn: member_version(m) for m in pool.members}
    distinct = {v for _, v in versions.values()}
    if len(distinct) <= 1:
        return []
    listed = "\n".join(f"{fqdn}: {what} {version}" for fqdn, (what, version) in versions.items())
    newest = max(distinct, key=lambda v: tuple(int(p) for p in v.split(".") if p.isdigit()))
    behind = sorted(fqdn for fqdn, (_, v) in versions.items() if v != newest)
    return [Problem(
        f"the members of {pool.fqdn} run different versions ({', '.join(sorted(distinct))}): the pool is half-way "
        f"through an update; {', '.join(behind)} lag behind {newest}",
        fix=(f"Finish the update on {', '.join(behind)} (the same update as the others, with the {INSTALLER}; one "
             "server at a time, Stop-CsWindowsService -Graceful first), then run the update's database step."
             if pool.role is not Role.owas else
             f"Install the same Office Online Server update on {', '.join(behind)} as on the other farm members."),
        evidence=listed)]


# -- VER-03 ----------------------------------------------------------------------------------------------------
WINDOWS: dict[tuple[int, int, int], str] = {
    (6, 1, 7601): "Windows Server 2008 R2 SP1", (6, 2, 9200): "Windows Server 2012",
    (6, 3, 9600): "Windows Server 2012 R2", (10, 0, 14393): "Windows Server 2016",
    (10, 0, 17763): "Windows Server 2019", (10, 0, 20348): "Windows Server 2022",
}
SUPPORTED: dict[str, tuple[tuple[int, int, int], ...]] = {
    "lync2013": ((6, 1, 7601), (6, 2, 9200), (6, 3, 9600)),
    "sfb2015": ((6, 1, 7601), (6, 2, 9200), (6, 3, 9600), (10, 0, 14393)),
    "sfb2019": ((10, 0, 14393), (10, 0, 17763), (10, 0, 20348)),
}
# Windows Server 2022 only from the update that added it to SfB Server 2019. The sources read for this project do
# not name that update; the June 2023 cumulative update is assumed (docs/evidence.md, VER-03: unverified).
FROM_UPDATE: dict[tuple[str, tuple[int, int, int]], Version] = {("sfb2019", (10, 0, 20348)): (7, 0, 2046, 521)}


def _windows(version: Version) -> tuple[int, int, int] | None:
    """The Windows Server release of a Win32_OperatingSystem Version (2008 R2 counts only with SP1, build 7601)."""
    major, minor = version[0], version[1] if len(version) > 1 else 0
    build = version[2] if len(version) > 2 else 0
    for release in WINDOWS:
        if release[:2] != (major, minor):
            continue
        if (major, minor) == (6, 1):
            return release if build >= 7601 else None
        if major == 6 or build == release[2]:
            return release
    return None


def supported_windows(server: Host) -> list[Problem]:
    """VER-03: the Windows Server version is supported for the product (Lync 2013: 2008 R2 SP1, 2012, 2012 R2;
    SfB 2015: those and 2016; SfB 2019: 2016, 2019, and 2022 from the update that added it)."""
    product, core = installed(server)
    system = operating_system(server.evidence)
    windows = _windows(system.version)
    allowed = SUPPORTED[product.key]
    names = ", ".join(WINDOWS[w] for w in allowed)
    evidence = f"Win32_OperatingSystem: {system}\nInstalledProducts: {core.name} {core.raw_version}"
    if not system.is_server:
        return [Problem(f"{server.fqdn} runs {system.caption}, a client Windows: {product.name} needs Windows Server "
                        f"({names})", fix=f"Rebuild the server on {WINDOWS[allowed[-1]]}.", evidence=evidence)]
    if windows is None or windows not in allowed:
        what = WINDOWS.get(windows, system.caption) if windows else f"{system.caption} ({shown(system.version)})"
        return [Problem(
            f"{server.fqdn} runs {product.name} on {what}, which it does not support (supported: {names})",
            fix=(f"Move the role to a server on a supported Windows Server ({names}): add a new server to the "
                 "topology, publish it, move the services and users, then remove this one (an in-place Windows "
                 "upgrade under Lync/Skype for Business Server is not supported)."),
            evidence=evidence)]
    needs = FROM_UPDATE.get((product.key, windows))
    if needs is not None and (core.version or ()) < needs:
        return [Problem(
            f"{server.fqdn} runs {product.name} {core.raw_version} on {WINDOWS[windows]}, supported only from "
            f"{shown(needs)}",
            fix=f"Install the latest cumulative update of {product.name} ({product.master_kb}) first.",
            evidence=evidence)]
    return []


# -- VER-04 ----------------------------------------------------------------------------------------------------
def _fix_for(schema: DatabaseSchema) -> str:
    if schema.section == CONFIGURED_DATABASES:
        return f"Install-CsDatabase -Update -ConfiguredDatabases -SqlServerFqdn {schema.sql_server}"
    return "Install-CsDatabase -Update -LocalDatabases"


def database_schemas_current(server: Host) -> list[Problem]:
    """VER-04: Test-CsDatabase -LocalService (and -ConfiguredDatabases on the CMS Front End) reports every database's
    InstalledVersion equal to its ExpectedVersion; else the update's Install-CsDatabase step was skipped."""
    sections = [LOCAL_DATABASES]
    if server.fqdn == server.inventory.cms_master.fqdn:
        sections.append(CONFIGURED_DATABASES)
    problems = []
    for section in sections:
        for schema in database_schemas(server.evidence, section):
            if schema.matches and schema.succeed is not False:
                continue
            where = schema.sql_server or server.fqdn
            where += f"\\{schema.instance}" if schema.instance else ""
            problems.append(Problem(
                f"{schema.database} on {where} has schema {schema.installed or '(none)'}, "
                f"the installed product expects {schema.expected or '(none)'}: the update's database step was "
                "skipped (services that use it fail or run degraded)",
                fix=f"On {server.fqdn}, in the management shell: {_fix_for(schema)}\nthen Test-CsDatabase again.",
                evidence=f"Test-CsDatabase ({section}): {schema}"))
    return problems
