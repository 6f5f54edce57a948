"""Backup-pool facts from Front End evidence: Get-CsPoolBackupRelationship, Get-CsBackupServiceStatus,
Get-CsService -Registrar (failover/failback detection intervals), Test-CsDatabase -CentralManagementDatabase."""

from __future__ import annotations

from dataclasses import dataclass

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence
from sfbcheck.facts.fields import Reader, readers

RELATIONSHIPS = "CsPoolBackupRelationship"
BACKUP_STATUS = "CsBackupServiceStatus"
REGISTRARS = "CsServiceRegistrar"
CMS_DATABASE = "CsDatabaseCentralManagement"


def _pool(reader: Reader, name: str, required: bool = True) -> str:
    value = reader.text(name, required=required).rstrip(".").lower()
    return value.split(":", 1)[1] if value.startswith("registrar:") else value


def parse_relationships(evidence: Evidence) -> dict[str, str]:
    return {_pool(r, "PoolFqdn"): _pool(r, "BackupPoolFqdn", required=False)
            for r in readers(evidence, RELATIONSHIPS)}


def relationships(evidence: Evidence) -> dict[str, str]:
    """Get-CsPoolBackupRelationship for every Registrar pool: pool FQDN -> backup pool FQDN ("" if none)."""
    return evidence.parsed_alike("backup-relationships", RELATIONSHIPS, parse_relationships)


@dataclass(frozen=True)
class BackupModule:
    identity: str
    export_status: str
    import_status: str

    def __str__(self) -> str:
        return f"{self.identity}: ExportStatus {self.export_status}, ImportStatus {self.import_status}"


@dataclass(frozen=True)
class BackupStatus:
    pool: str
    overall_export: str
    overall_import: str
    modules: tuple[BackupModule, ...]

    def __str__(self) -> str:
        return "\n".join([f"PoolFqdn {self.pool}: OverallExportStatus {self.overall_export}, "
                          f"OverallImportStatus {self.overall_import}", *(str(m) for m in self.modules)])


def parse_backup_status(evidence: Evidence) -> BackupStatus:
    records = readers(evidence, BACKUP_STATUS)
    if len(records) != 1:
        raise EvidenceGap(evidence.server, BACKUP_STATUS, f"is malformed: expected one object, got {len(records)}")
    r = records[0]
    raw = r.record.get("BackupModules")
    raw = [raw] if isinstance(raw, dict) else raw
    if not isinstance(raw, list) or not all(isinstance(m, dict) for m in raw):
        raise r.gap("BackupModules is not a list of modules")
    modules = []
    for m in raw:
        mr = Reader(evidence, BACKUP_STATUS, m)
        modules.append(BackupModule(mr.text("Identity"), mr.text("ExportStatus"), mr.text("ImportStatus")))
    return BackupStatus(_pool(r, "PoolFqdn"), r.text("OverallExportStatus"), r.text("OverallImportStatus"),
                        tuple(modules))


def backup_status(evidence: Evidence) -> BackupStatus:
    """Get-CsBackupServiceStatus -PoolFqdn <this server's pool>, with its BackupModules expanded."""
    return evidence.parsed("backup-status", parse_backup_status)


@dataclass(frozen=True)
class RegistrarService:
    pool: str
    backup: str
    automatic_failover: bool
    failure_detection: float  # seconds
    failback_detection: float  # seconds


def parse_registrars(evidence: Evidence) -> dict[str, RegistrarService]:
    out = {}
    for r in readers(evidence, REGISTRARS):
        pool = _pool(r, "PoolFqdn")
        out[pool] = RegistrarService(pool, _pool(r, "BackupRegistrar", required=False),
                                     r.boolean("EnableAutomaticFailover"), r.seconds("FailureDetectionInterval"),
                                     r.seconds("FailbackDetectionInterval"))
    return out


def registrars(evidence: Evidence) -> dict[str, RegistrarService]:
    """Get-CsService -Registrar: each Registrar pool's backup and its failover/failback detection intervals (the
    whole topology's, on every Front End: parsed once for all that carry the same list)."""
    return evidence.parsed_alike("registrars", REGISTRARS, parse_registrars)


@dataclass(frozen=True)
class DatabaseTest:
    sql_server: str
    instance: str
    database: str
    expected_version: str
    installed_version: str
    succeed: bool

    def __str__(self) -> str:
        where = f"{self.sql_server}\\{self.instance}" if self.instance else self.sql_server
        return (f"{where} {self.database}: Succeed {self.succeed}, "
                f"InstalledVersion {self.installed_version or '(none)'}, "
                f"ExpectedVersion {self.expected_version or '(none)'}")


def parse_cms_database(evidence: Evidence) -> tuple[DatabaseTest, ...]:
    return tuple(DatabaseTest(r.text("SqlServerFqdn").lower(), r.text("SqlInstanceName", required=False),
                              r.text("DatabaseName").lower(), r.text("ExpectedVersion", required=False),
                              r.text("InstalledVersion", required=False), r.boolean("Succeed"))
                 for r in readers(evidence, CMS_DATABASE))


def cms_database(evidence: Evidence) -> tuple[DatabaseTest, ...]:
    """Test-CsDatabase -CentralManagementDatabase against this pool's own SQL back end (the standby CMS)."""
    return evidence.parsed("cms-database", parse_cms_database)
