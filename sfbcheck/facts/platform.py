"""Local stores and pool state (VER-04, POOL-01, POOL-02, POOL-04): ``Test-CsDatabase`` results, the databases
of the local SQL Express instances (``sys.databases``), ``Get-CsPoolFabricState`` and the SIP listener
(``Get-NetTCPConnection -State Listen -LocalPort 5061``). Property names as the cmdlets and SQL Server emit them
(docs/evidence.md)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import Evidence
from sfbcheck.facts.fields import readers, single

LOCAL_DATABASES = "CsDatabaseLocal"            # Test-CsDatabase -LocalService
CONFIGURED_DATABASES = "CsDatabaseConfigured"  # Test-CsDatabase -ConfiguredDatabases -SqlServerFqdn <back end>
SQL_DATABASES = "SqlLocalDatabases"            # sys.databases of each local instance
FABRIC_STATE = "CsPoolFabricState"             # Get-CsPoolFabricState -PoolFqdn <pool>, as text
SIP_LISTENER = "NetTCPConnectionSip"           # Get-NetTCPConnection -State Listen -LocalPort 5061


@dataclass(frozen=True)
class DatabaseSchema:
    """One line of Test-CsDatabase."""

    section: str
    sql_server: str
    instance: str
    database: str
    expected: str
    installed: str
    succeed: bool | None

    @property
    def matches(self) -> bool:
        return self.expected == self.installed

    def __str__(self) -> str:
        where = f"{self.sql_server}\\{self.instance}" if self.instance else self.sql_server
        return (f"{self.database} on {where}: InstalledVersion {self.installed or '(none)'}, ExpectedVersion "
                f"{self.expected or '(none)'}" + (f", Succeed {self.succeed}" if self.succeed is not None else ""))


def _version_text(value: object) -> str:
    """Test-CsDatabase prints versions as "10.13.2"; ConvertTo-Json may write a [Version] as an object."""
    if isinstance(value, dict):
        parts = [value.get(k) for k in ("Major", "Minor", "Build")]
        return ".".join(str(p) for p in parts if isinstance(p, int) and p >= 0)
    return "" if value is None else str(value).strip()


def parse_schemas(evidence: Evidence, section: str) -> tuple[DatabaseSchema, ...]:
    out = []
    for r in readers(evidence, section):
        succeed = r.record.get("Succeed")
        out.append(DatabaseSchema(section, r.text("SqlServerFqdn", required=False), r.text("SqlInstanceName",
                                                                                            required=False),
                                  r.text("DatabaseName"), _version_text(r.record.get("ExpectedVersion")),
                                  _version_text(r.record.get("InstalledVersion")),
                                  r.boolean("Succeed") if succeed is not None else None))
    if not out:
        raise EvidenceGap(evidence.server, section, "is empty: Test-CsDatabase reported no database")
    return tuple(out)


def database_schemas(evidence: Evidence, section: str = LOCAL_DATABASES) -> tuple[DatabaseSchema, ...]:
    return evidence.parsed(f"schemas:{section}", lambda e: parse_schemas(e, section))


@dataclass(frozen=True)
class SqlDatabase:
    instance: str
    name: str
    state: str         # sys.databases.state_desc: ONLINE, RESTORING, RECOVERING, SUSPECT, OFFLINE, ...
    user_access: str   # sys.databases.user_access_desc: MULTI_USER, SINGLE_USER, RESTRICTED_USER

    def __str__(self) -> str:
        return f"{self.instance}\\{self.name}: state_desc {self.state}, user_access_desc {self.user_access}"


def parse_sql_databases(evidence: Evidence) -> tuple[SqlDatabase, ...]:
    return tuple(SqlDatabase(r.text("Instance").upper(), r.text("name"), r.text("state_desc").upper(),
                             r.text("user_access_desc").upper()) for r in readers(evidence, SQL_DATABASES))


def sql_databases(evidence: Evidence) -> tuple[SqlDatabase, ...]:
    return evidence.parsed("sql-databases", parse_sql_databases)


# Get-CsPoolFabricState writes a report (text); its exact wording is not published (docs/evidence.md: unverified).
# A line naming missing primaries/secondaries/replicas with a non-zero count is a finding.
_MISSING = re.compile(r"missing\s+(primar|secondar|replica)", re.IGNORECASE)
_COUNT = re.compile(r"\b([1-9]\d*)\b")


def fabric_findings(evidence: Evidence) -> tuple[str, ...]:
    """Lines of Get-CsPoolFabricState that report missing replicas (an empty tuple: none reported)."""
    text = single(evidence, FABRIC_STATE).text("Text", required=False)
    if not text.strip():
        raise EvidenceGap(evidence.server, FABRIC_STATE, "recorded no output of Get-CsPoolFabricState, so missing "
                                                         "replicas cannot be ruled out")
    return tuple(line.strip() for line in text.splitlines() if _MISSING.search(line) and _COUNT.search(line))


@dataclass(frozen=True)
class Listener:
    address: ipaddress.IPv4Address | ipaddress.IPv6Address
    port: int
    process: int

    @property
    def wildcard(self) -> bool:
        return self.address.is_unspecified

    def __str__(self) -> str:
        return f"{self.address}:{self.port} (OwningProcess {self.process})"


def parse_listeners(evidence: Evidence) -> tuple[Listener, ...]:
    out = []
    for r in readers(evidence, SIP_LISTENER):
        try:
            address = ipaddress.ip_address(r.text("LocalAddress"))
            port = int(r.record.get("LocalPort"))  # type: ignore[arg-type]
            process = int(r.record.get("OwningProcess") or 0)
        except (TypeError, ValueError):
            raise r.gap("LocalAddress, LocalPort or OwningProcess is not an address / number") from None
        out.append(Listener(address, port, process))
    return tuple(out)


def sip_listeners(evidence: Evidence) -> tuple[Listener, ...]:
    return evidence.parsed("sip-listeners", parse_listeners)
