"""Backup pool and resiliency (seed 004: associated backup pool, Backup Service, CMS failover).

Pool-level sections are collected on every Front End; a pool is judged from its first member's evidence.
"""

from __future__ import annotations

from sfbcheck.facts.backup import backup_status, cms_database, registrars, relationships
from sfbcheck.facts.services import services
from sfbcheck.host import Host
from sfbcheck.problems import Problem

GOOD_EXPORT = {"steadystate", "finalstate"}
GOOD_IMPORT = {"normalstate"}
USERDATA_MODULES = ("UserServices.PresenceFocus", "ConfServices.DataConf")
CMS_MODULE = "CentralMgmt.CMSMaster"


def backup_relationship(fe: Host) -> list[Problem]:
    """BACKUP-01: Get-CsPoolBackupRelationship gives the inventory's backup pool, mutual where the inventory
    says so (004)."""
    pool = fe.pool
    found = relationships(fe.evidence)
    actual = found.get(pool.fqdn, "")
    fix_pair = (f"Topology Builder: {pool.fqdn} > Edit Properties > Resiliency > Associated backup pool "
                f"{pool.backup}; publish; run Step 2 of the Deployment Wizard on both pools; then\n"
                f"Invoke-CsBackupServiceSync -PoolFqdn {pool.fqdn}")
    problems: list[Problem] = []
    if (actual or None) != pool.backup:
        shown = _relationships_shown(found)
        if pool.backup is None:
            problems.append(Problem(f"{pool.fqdn} is backed up by {actual}, but the inventory gives it no backup pool",
                                    fix=f"Set pools[{pool.fqdn}].backup: {actual} in the inventory, or remove the "
                                        "association in Topology Builder.", evidence=shown))
        else:
            problems.append(Problem(f"the backup pool of {pool.fqdn} is {actual or '(none)'}, the inventory says "
                                    f"{pool.backup}", fix=fix_pair, evidence=shown))
    elif pool.backup is not None and pool.backup_mutual and found.get(pool.backup, "") != pool.fqdn:
        shown = _relationships_shown(found)
        back = found.get(pool.backup, "") or "(none)"
        problems.append(Problem(f"the relationship is not mutual: {pool.backup} is backed up by {back}, not by "
                                f"{pool.fqdn}",
                                fix=(f"Topology Builder: {pool.backup} > Edit Properties > Resiliency > Associated "
                                     f"backup pool {pool.fqdn}; publish; run Step 2 of the Deployment Wizard on "
                                     f"both pools (or set backup_mutual: false for {pool.fqdn} in the inventory)."),
                                evidence=shown))
    return problems


def _relationships_shown(found: dict[str, str]) -> str:
    """Every relationship, sorted (the deployment's: shown only with a problem, not built for every Front End)."""
    return "\n".join(f"{p} -> {b or '(no backup pool)'}" for p, b in sorted(found.items())) or "(no relationship)"


def backup_service_running(fe: Host) -> list[Problem]:
    """BACKUP-03 (service): LYNCBACKUP runs on each Front End of a pool that has a backup pool (004)."""
    if fe.pool.backup is None:
        return []
    service = services(fe.evidence).get("LYNCBACKUP")
    if service is None:
        return [Problem(f"the Backup Service (LYNCBACKUP) is not installed on {fe.fqdn}, although {fe.pool.fqdn} is "
                        f"backed up by {fe.pool.backup}",
                        fix=f"Run Step 2 and Step 4 of the Deployment Wizard on {fe.fqdn} (installs and starts it).",
                        evidence="Win32_Service has no LYNCBACKUP")]
    if not service.running:
        return [Problem(f"the Backup Service (LYNCBACKUP) is {service.state} on {fe.fqdn}",
                        fix=f"Start-CsWindowsService -Name LYNCBACKUP -ComputerName {fe.fqdn}\n"
                            "Set-Service LYNCBACKUP -StartupType Automatic", evidence=str(service))]
    return []


def backup_service_status(fe: Host) -> list[Problem]:
    """BACKUP-03 (status): Get-CsBackupServiceStatus of a pool with a backup shows steady state for the CMS and
    UserData modules: export SteadyState/FinalState, import NormalState (004; status meanings: Microsoft)."""
    pool = fe.pool
    if pool.backup is None:
        return []
    status = backup_status(fe.evidence)
    fix = (f"Invoke-CsBackupServiceSync -PoolFqdn {pool.fqdn}\n"
           f"then Get-CsBackupServiceStatus -PoolFqdn {pool.fqdn}; if it stays in error, check LYNCBACKUP on both "
           f"pools, the file stores and Debug-CsInterPoolReplication -PoolFqdn {pool.fqdn}")
    problems = []
    if status.pool and status.pool != pool.fqdn:
        return [Problem(f"the backup status in evidence is for {status.pool}, not {pool.fqdn}",
                        fix=f"Collect Get-CsBackupServiceStatus -PoolFqdn {pool.fqdn} on {fe.fqdn}.",
                        evidence=str(status))]
    if status.overall_export.casefold() not in GOOD_EXPORT or status.overall_import.casefold() not in GOOD_IMPORT:
        problems.append(Problem(f"the Backup Service of {pool.fqdn} is not in steady state (OverallExportStatus "
                                f"{status.overall_export}, OverallImportStatus {status.overall_import})",
                                fix=fix, evidence=str(status)))
    modules = {m.identity.casefold(): m for m in status.modules}
    is_cms_pool = pool.fqdn == fe.inventory.cms.pool
    for name in (*USERDATA_MODULES, CMS_MODULE):
        module = modules.get(name.casefold())
        if module is None:
            problems.append(Problem(f"backup module {name} is missing from the status of {pool.fqdn}",
                                    fix=fix, evidence=str(status)))
            continue
        export, imported = module.export_status.casefold(), module.import_status.casefold()
        idle_cms = name == CMS_MODULE and not is_cms_pool and export == "notinitialized"
        if (export not in GOOD_EXPORT and not idle_cms) or imported not in GOOD_IMPORT:
            what = "CMS" if name == CMS_MODULE else "UserData"
            problems.append(Problem(f"backup module {name} ({what}) of {pool.fqdn} is not in steady state: "
                                    f"ExportStatus {module.export_status}, ImportStatus {module.import_status}",
                                    fix=fix, evidence=str(status)))
    return problems


def standby_cms_database(fe: Host) -> list[Problem]:
    """BACKUP-04: the backup pool of the CMS pool holds a standby CMS database (xds, lis) at the expected version,
    so Invoke-CsManagementServerFailover can succeed (004)."""
    tests = cms_database(fe.evidence)
    shown = "\n".join(str(t) for t in tests) or "(Test-CsDatabase -CentralManagementDatabase returned nothing)"
    fix = (f"On {fe.fqdn}: Install-CsDatabase -CentralManagementDatabase -SqlServerFqdn <{fe.pool.fqdn} SQL back end> "
           f"-SqlInstanceName RTC (seed 004: needed when Step 2 fails with 'Can not update database XDS'), then run "
           f"Step 2 of the Deployment Wizard on {fe.pool.fqdn}.")
    problems = []
    for name in ("xds", "lis"):
        found = [t for t in tests if t.database == name]
        if not found:
            problems.append(Problem(f"no standby CMS database '{name}' on the backup pool {fe.pool.fqdn}: "
                                    "Invoke-CsManagementServerFailover would fail", fix=fix, evidence=shown))
        elif not any(t.succeed and t.installed_version == t.expected_version for t in found):
            problems.append(Problem(f"the standby CMS database '{name}' on {fe.pool.fqdn} is not usable "
                                    f"({found[0]})", fix=fix, evidence=shown))
    return problems


def detection_intervals(fe: Host) -> list[Problem]:
    """BACKUP-05: the failover and failback detection intervals of the pool's Registrar are within the inventory's
    policy (004: the 30 s there is a lab value)."""
    pool = fe.pool
    if pool.backup is None:
        return []
    registrar = registrars(fe.evidence).get(pool.fqdn)
    policy = fe.inventory.policy
    if registrar is None:
        return [Problem(f"Get-CsService -Registrar lists no Registrar for {pool.fqdn}",
                        fix=f"Collect Get-CsService -Registrar on {fe.fqdn}; check the pool in Topology Builder.",
                        evidence=", ".join(sorted(registrars(fe.evidence))) or "(no Registrar)")]
    shown = (f"Registrar:{pool.fqdn}: EnableAutomaticFailover {registrar.automatic_failover}, FailureDetectionInterval "
             f"{registrar.failure_detection:.0f} s, FailbackDetectionInterval {registrar.failback_detection:.0f} s")
    problems = []
    for label, value, bounds, parameter in (
            ("failover", registrar.failure_detection, policy.failover_detection_seconds, "FailureDetectionInterval"),
            ("failback", registrar.failback_detection, policy.failback_detection_seconds, "FailbackDetectionInterval")):
        if not bounds.min <= value <= bounds.max:
            target = min(max(value, bounds.min), bounds.max)
            problems.append(Problem(
                f"the {label} detection interval of {pool.fqdn} is {value:.0f} s, outside the policy's "
                f"{bounds.min}..{bounds.max} s",
                fix=(f"Topology Builder: {pool.fqdn} > Edit Properties > Resiliency > {label.capitalize()} detection "
                     f"interval {target:.0f} s, publish; or Set-CsRegistrar -Identity Registrar:{pool.fqdn} "
                     f"-{parameter} {_timespan(target)}"), evidence=shown))
    return problems


def _timespan(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
