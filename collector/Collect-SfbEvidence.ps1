<#
.SYNOPSIS
    sfbcheck evidence collector: reads what the sfbcheck compliance suite needs from the server it runs on
    and writes one evidence JSON document (schema version 1, collector 1.1.0).

.DESCRIPTION
    READ-ONLY. This script never changes the server: it only runs Get-* cmdlets, WMI/CIM queries, reads files,
    the registry and certificate stores, and opens TCP/TLS connections for the probes. The one thing it writes
    is the -OutFile you name (nothing at all when it runs remotely). It loads no compiled code (no Add-Type):
    the one native call, advapi32!RegQueryInfoKey (a registry key's last write time, read only), is declared in
    memory with System.Reflection.Emit; where that is not allowed the time is recorded as unknown.

    Runs on Windows Server 2008 R2 SP1, 2012, 2012 R2, 2016, 2019 and 2022 with Windows PowerShell 3.0, 4.0
    or 5.1. Where a Windows Server 2012 cmdlet is missing (Get-NetIPAddress, Get-NetRoute, Get-DnsClient*,
    Resolve-DnsName, Get-SmbShareAccess on 2008 R2) the section is read from WMI/CIM or .NET instead, and the
    document's Collection.Sections.<name>.Source says which one (docs/evidence.md lists both shapes).
    collector/compatibility.yml lists the first Windows and PowerShell version of every command it uses.

    Each section runs on its own, with a time limit (-SectionTimeoutSeconds) inside a total limit
    (-TotalTimeoutSeconds): a section that fails or hangs is written as {"Error": "<message>"} and the other
    sections are still collected (the suite reports that section as an evidence gap, with the message).

    The document carries the server's names separately (Server: the FQDN as the topology knows it, ShortName,
    PrimaryDnsSuffix) and ends with a SHA-256 seal of its text ("Sha256"), checked when the suite loads it: a
    file that was edited or cut off on the way is refused.

    Remote use: `python -m sfbcheck.capture` or `pytest --live` send this script over WinRM.
    By hand (an Edge server no one can reach over WinRM), in an elevated Windows PowerShell:

        .\Collect-SfbEvidence.ps1 -Roles edge -OutFile C:\Temp\edge01.contoso.local.json

    and copy the file unchanged into the suite's evidence directory as <server fqdn>.json.
    For a bug report, add -Redact (addresses and domain names replaced, certificates left out):

        .\Collect-SfbEvidence.ps1 -Roles edge -Redact -OutFile C:\Temp\redacted.json

.PARAMETER Roles
    The server's roles in the inventory: frontend, edge, director, owas, mediation; add cms on the Front End
    that runs the CMS master replicator (it then also collects the topology and the replication status).
.PARAMETER OutFile
    Write the JSON document to this file (UTF-8) instead of the output stream.
.PARAMETER LookbackHours
    How far back to read the Lync Server event log (the inventory's policy.event_lookback_hours).
.PARAMETER ProbeTargets
    host:port pairs to probe from this server (TCP connect). A target written tls:host:port also records the
    certificate the listener presents (e.g. each Edge's internal side, tls:edge01.contoso.local:4443).
.PARAMETER ResolveNames
    FQDNs this server must resolve (pools, Edge internal FQDNs, ...), recorded as DNS answers (DNS only: the
    hosts file and DNS, never LLMNR or NetBIOS where Resolve-DnsName exists).
.PARAMETER FederationLookups
    Lookups an Edge runs for federation, each as <type>:<name> (A:sipfed.online.lync.com,
    SRV:_sipfederationtls._tcp.<partner>), recorded as Resolve-DnsName -Type <type> answers.
.PARAMETER Sections
    Collect only these sections (default: every section for the roles).
.PARAMETER ProbeTimeoutSeconds
    Timeout of each TCP/TLS probe.
.PARAMETER ProbeConcurrency
    How many TCP probes run at once (1 to 64, default 16): that many connects are started together and each
    one waits until one deadline, ProbeTimeoutSeconds after the last of them started; then the next batch. So
    the TcpProbe section takes at most about ceil(TCP targets / ProbeConcurrency) x ProbeTimeoutSeconds (within
    -SectionTimeoutSeconds). The TLS probes (tls:host:port targets, TlsProbe) run one after the other.
.PARAMETER PoolFqdn
    The pool of this server in the topology (backup status and the pool's SQL back end on Front Ends).
.PARAMETER SectionTimeoutSeconds
    Longest time one section may take; a section still running then is stopped and recorded as timed out.
.PARAMETER TotalTimeoutSeconds
    Longest time the whole collection may take; sections not started by then are recorded as not collected.
.PARAMETER InProcess
    Run the sections one after the other in this session, without time limits (for debugging and Pester).
.PARAMETER Redact
    Replace IP addresses and domain names by placeholders and leave certificates out (for a bug report).
.PARAMETER AsBase64
    Write the document as base64 of its UTF-8 bytes (used by the WinRM transport; keeps non-ASCII intact).
.PARAMETER LibraryOnly
    Define the collector's functions and return without collecting (collector/tests/*.Tests.ps1 use it).
#>
[CmdletBinding()]
param(
    [string[]]$Roles = @(),
    [string]$OutFile = '',
    [int]$LookbackHours = 168,
    [string[]]$ProbeTargets = @(),
    [string[]]$ResolveNames = @(),
    [string[]]$FederationLookups = @(),
    [string[]]$Sections = @(),
    [int]$ProbeTimeoutSeconds = 5,
    [ValidateRange(1, 64)]
    [int]$ProbeConcurrency = 16,
    [string]$PoolFqdn = '',
    [int]$SectionTimeoutSeconds = 120,
    [int]$TotalTimeoutSeconds = 600,
    [switch]$InProcess,
    [switch]$Redact,
    [switch]$AsBase64,
    [switch]$LibraryOnly
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$CollectorVersion = '1.1.0'
$SchemaVersion = 1
$Roles = @($Roles | ForEach-Object { "$_".ToLowerInvariant() })
$SfbServices = @('RTCSRV', 'RTCCLSAGT', 'RTCCAA', 'RTCCAS', 'RTCDATAPROXY', 'RTCMEDIARELAY', 'RTCMRAUTH',
    'RTCATS', 'RTCCCS', 'RTCIMMCU', 'RTCASMCU', 'RTCAVMCU', 'RTCMEDSRV', 'RTCRGS', 'RTCPDPAUTH', 'RTCXMPPTGW',
    'REPLICA', 'FTA', 'MASTER', 'RTCHA', 'W3SVC', 'WAS', 'WACSM', 'MSSQL$RTCLOCAL', 'MSSQL$LYNCLOCAL',
    'MSSQL$RTC', 'SQLAgent$RTC', 'WinRM', 'Dnscache', 'W32Time', 'FabricHostSvc')
# Information-level events kept besides every Critical (1), Error (2) and Warning (3) event (Level numbers are
# the same in every Windows language; LevelDisplayName is localised).
$SfbInformationEventIds = @(12289, 32000)
$RegistryKeys = @(
    'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL',
    'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\SSL 2.0\Client',
    'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\SSL 2.0\Server',
    'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\SSL 3.0\Client',
    'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\SSL 3.0\Server',
    'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.0\Client',
    'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.0\Server',
    'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.1\Client',
    'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.1\Server',
    'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client',
    'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Server',
    'HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters',
    'HKLM:\SOFTWARE\Microsoft\.NETFramework\v4.0.30319',
    'HKLM:\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v4.0.30319',
    'HKLM:\SOFTWARE\Microsoft\.NETFramework\v2.0.50727',
    'HKLM:\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v2.0.50727',
    'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp',
    'HKLM:\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp',
    'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full',
    'HKLM:\SOFTWARE\Microsoft\Real-Time Communications\{A593FD00-64F1-4288-A6F4-E699ED9DCA35}'
)
# Where each section records the source it used (Get-NetIPAddress or Win32_NetworkAdapterConfiguration, ...).
$SfbRun = @{ Source = '' }

# -- pure parts: conversion to plain JSON values, record shaping, section error handling, output -------------
function ConvertTo-SfbValue {
    param($Value, [int]$Depth = 0)
    if ($null -eq $Value) {
        return $null
    }
    if ($Depth -gt 10) {
        return "$Value"
    }
    if ($Value -is [datetime]) {
        return $Value.ToUniversalTime().ToString('o')
    }
    if ($Value -is [enum]) {
        return $Value.ToString()
    }
    if ($Value -is [byte[]]) {
        return [Convert]::ToBase64String($Value)
    }
    if ($Value -is [string] -or $Value -is [bool] -or $Value -is [char]) {
        return $Value
    }
    if ($Value -is [int] -or $Value -is [long] -or $Value -is [uint32] -or $Value -is [uint64] -or
        $Value -is [int16] -or $Value -is [uint16] -or $Value -is [byte] -or $Value -is [double] -or
        $Value -is [single] -or $Value -is [decimal]) {
        return $Value
    }
    if ($Value -is [timespan]) {
        return $Value.ToString()
    }
    if ($Value -is [System.Collections.IDictionary]) {
        $table = [ordered]@{}
        foreach ($key in $Value.Keys) {
            $table["$key"] = ConvertTo-SfbValue -Value $Value[$key] -Depth ($Depth + 1)
        }
        return $table
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $items = New-Object System.Collections.ArrayList
        foreach ($item in $Value) {
            $null = $items.Add((ConvertTo-SfbValue -Value $item -Depth ($Depth + 1)))
        }
        return , $items.ToArray()
    }
    return $Value.ToString()
}

function ConvertTo-SfbRecord {
    param($InputObject, [string[]]$Property)
    $record = [ordered]@{}
    foreach ($name in $Property) {
        $value = $null
        if ($null -ne $InputObject -and $null -ne $InputObject.PSObject.Properties[$name]) {
            $value = $InputObject.$name
        }
        $record[$name] = ConvertTo-SfbValue -Value $value
    }
    return $record
}

function ConvertTo-SfbRecordList {
    param($InputObject, [string[]]$Property)
    $list = New-Object System.Collections.ArrayList
    foreach ($item in @($InputObject)) {
        if ($null -ne $item) {
            $null = $list.Add((ConvertTo-SfbRecord -InputObject $item -Property $Property))
        }
    }
    return , $list.ToArray()
}

function ConvertTo-SfbHex {
    # Uppercase hex, no separators (event data byte[] values, as the event contract says).
    param([byte[]]$Bytes)
    if ($null -eq $Bytes) {
        return ''
    }
    return [BitConverter]::ToString($Bytes).Replace('-', '')
}

function ConvertTo-SfbText {
    # One event data value as a string: bytes as hex, dates as ISO 8601 UTC, numbers in the invariant culture.
    param($Value)
    if ($null -eq $Value) {
        return ''
    }
    if ($Value -is [byte[]]) {
        return ConvertTo-SfbHex -Bytes $Value
    }
    if ($Value -is [datetime]) {
        return $Value.ToUniversalTime().ToString('o')
    }
    return [string]::Format([System.Globalization.CultureInfo]::InvariantCulture, '{0}', $Value)
}

function ConvertTo-SfbEventRecord {
    # The event contract: Id, ProviderName, TimeCreated, Level (1-5), LevelDisplayName, Message, MachineName,
    # Properties (the EventData values in order, each a string).
    param($Event)
    $record = ConvertTo-SfbRecord -InputObject $Event -Property @('ProviderName', 'Id', 'Level',
        'LevelDisplayName', 'TimeCreated', 'MachineName', 'Message')
    $values = New-Object System.Collections.ArrayList
    foreach ($property in @($Event.Properties)) {
        if ($null -ne $property) {
            $null = $values.Add((ConvertTo-SfbText -Value $property.Value))
        }
    }
    $record['Properties'] = $values.ToArray()
    return $record
}

function Get-SfbErrorText {
    param($ErrorRecord)
    $text = "$($ErrorRecord.Exception.Message)"
    if (-not $text) {
        $text = "$ErrorRecord"
    }
    return $text.Trim()
}

function New-SfbSectionError {
    param([string]$Message)
    $failure = [ordered]@{}
    $failure['Error'] = $Message
    return $failure
}

function Invoke-SfbGuarded {
    # Runs one section function; a failure becomes {"Error": "..."}: one section, never the whole server.
    param([string]$Function)
    $SfbRun['Source'] = ''
    $result = [ordered]@{}
    try {
        $result['Value'] = & (Get-Command -Name $Function -CommandType Function)
        $result['Failed'] = $false
    } catch {
        $result['Value'] = New-SfbSectionError -Message (Get-SfbErrorText -ErrorRecord $_)
        $result['Failed'] = $true
    }
    $result['Source'] = $SfbRun['Source']
    return $result
}

function Test-SfbCommand {
    # True if this Windows has the command (the 2012+ cmdlets are missing on 2008 R2).
    param([string]$Name)
    return ($null -ne (Get-Command -Name $Name -ErrorAction SilentlyContinue))
}

function Get-SfbSha256Hex {
    param([string]$Text)
    $bytes = (New-Object System.Text.UTF8Encoding $false).GetBytes($Text)
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try {
        return (ConvertTo-SfbHex -Bytes $sha.ComputeHash($bytes)).ToLowerInvariant()
    } finally {
        $sha.Dispose()
    }
}

function ConvertTo-SfbSealedJson {
    # The document as compact JSON whose last member is "Sha256": the SHA-256 of the text before it
    # (checked by sfbcheck/integrity.py when the suite loads the file).
    param($Document)
    $json = ConvertTo-Json -InputObject $Document -Depth 14 -Compress
    $body = $json.Substring(0, $json.LastIndexOf('}'))
    return $body + ',"Sha256":"' + (Get-SfbSha256Hex -Text $body) + '"}'
}

function ConvertTo-SfbBase64Text {
    param([string]$Text)
    $bytes = (New-Object System.Text.UTF8Encoding $false).GetBytes($Text)
    return [Convert]::ToBase64String($bytes, [System.Base64FormattingOptions]::InsertLineBreaks)
}

function ConvertTo-SfbRedacted {
    # A copy of a plain value (what ConvertTo-SfbValue makes) with each known name replaced and every IPv4
    # address mapped to 192.0.2.x / 198.51.100.x placeholders (the same address -> the same placeholder);
    # certificate bytes (RawData, Certificates, RawContent) are left out.
    param($Value, $Names, $Addresses)
    if ($null -eq $Value) {
        return $null
    }
    if ($Value -is [string]) {
        $text = $Value
        foreach ($name in @($Names.Keys | Sort-Object -Property Length -Descending)) {
            $text = $text -ireplace [regex]::Escape($name), $Names[$name]
        }
        $evaluator = {
            param($match)
            $found = $match.Value
            if (-not $Addresses.Contains($found)) {
                $count = $Addresses.Count + 1
                $Addresses[$found] = '192.0.' + [string](2 + [Math]::Floor($count / 250)) + '.' + [string]($count % 250)
            }
            return $Addresses[$found]
        }
        return [regex]::Replace($text, '\b(?:\d{1,3}\.){3}\d{1,3}\b', [System.Text.RegularExpressions.MatchEvaluator]$evaluator)
    }
    if ($Value -is [System.Collections.IDictionary]) {
        $table = [ordered]@{}
        foreach ($key in $Value.Keys) {
            if (@('RawData', 'Certificates', 'RawContent', 'PresentedCertificate') -contains "$key") {
                $table["$key"] = '(redacted)'
            } else {
                $table["$key"] = ConvertTo-SfbRedacted -Value $Value[$key] -Names $Names -Addresses $Addresses
            }
        }
        return $table
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $items = New-Object System.Collections.ArrayList
        foreach ($item in $Value) {
            $null = $items.Add((ConvertTo-SfbRedacted -Value $item -Names $Names -Addresses $Addresses))
        }
        return , $items.ToArray()
    }
    return $Value
}

function Get-SfbRedactionNames {
    # The domain names to hide: the primary DNS suffix, the AD domain and every SIP domain collected.
    param($Document)
    $names = [ordered]@{}
    $candidates = New-Object System.Collections.ArrayList
    $null = $candidates.Add("$($Document['PrimaryDnsSuffix'])")
    $sections = $Document['Sections']
    if ($null -ne $sections -and $sections.Contains('Win32_ComputerSystem')) {
        $null = $candidates.Add("$($sections['Win32_ComputerSystem']['Domain'])")
    }
    if ($null -ne $sections -and $sections.Contains('CsSipDomain')) {
        foreach ($domain in @($sections['CsSipDomain'])) {
            $null = $candidates.Add("$($domain['Name'])")
        }
    }
    foreach ($candidate in $candidates) {
        $clean = $candidate.Trim().TrimEnd('.').ToLowerInvariant()
        if ($clean -and $clean.Contains('.') -and -not $names.Contains($clean)) {
            $names[$clean] = 'domain' + [string]($names.Count + 1) + '.example'
        }
    }
    return $names
}

function Test-SfbWanted {
    param([string]$Name, [string]$ForRoles)
    if ($Sections.Count -gt 0) {
        return ($Sections -contains $Name)
    }
    if ($ForRoles -eq '*') {
        return $true
    }
    foreach ($role in $ForRoles.Split(',')) {
        if ($Roles -contains $role) {
            return $true
        }
    }
    return $false
}

# -- identity: the names of this server, kept apart (an Edge without a primary DNS suffix has only its short name)
function Get-SfbTopologyFqdn {
    # The FQDN the topology gives this computer (Get-CsComputer reads the local replica), or '' if unknown.
    param([string]$ShortName)
    if (-not (Get-Command -Name Get-CsComputer -ErrorAction SilentlyContinue)) {
        foreach ($name in @('SkypeForBusiness', 'Lync')) {
            if (Get-Module -ListAvailable -Name $name) {
                Import-Module -Name $name -ErrorAction Stop
                break
            }
        }
    }
    if (-not (Get-Command -Name Get-CsComputer -ErrorAction SilentlyContinue)) {
        return ''
    }
    $computers = @()
    try {
        $computers = @(Get-CsComputer -Local -ErrorAction Stop)
    } catch {
        $computers = @(Get-CsComputer -ErrorAction Stop)
    }
    $mine = @($computers | Where-Object { "$($_.Fqdn)".Split('.')[0] -eq $ShortName })
    if ($mine.Count -eq 1) {
        return "$($mine[0].Fqdn)".ToLowerInvariant()
    }
    return ''
}

function Get-SfbDnsIdentity {
    # The names Windows itself gives this computer: NV Hostname and the primary DNS suffix (NV Domain).
    $tcpip = Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters'
    $short = "$($tcpip.'NV Hostname')"
    if (-not $short) {
        $short = "$env:COMPUTERNAME"
    }
    $suffix = "$($tcpip.'NV Domain')".Trim().TrimEnd('.')
    $record = [ordered]@{}
    $record['ShortName'] = $short.ToLowerInvariant()
    $record['PrimaryDnsSuffix'] = $suffix.ToLowerInvariant()
    $record['DnsFqdn'] = $record['ShortName']
    if ($suffix) {
        $record['DnsFqdn'] = ($short + '.' + $suffix).ToLowerInvariant()
    }
    $record['TopologyFqdn'] = ''
    return $record
}

function Get-SfbIdentity {
    $record = Get-SfbDnsIdentity
    try {
        $record['TopologyFqdn'] = Get-SfbTopologyFqdn -ShortName $record['ShortName']
    } catch {
        $record['TopologyError'] = Get-SfbErrorText -ErrorRecord $_
    }
    $SfbRun['Source'] = 'Tcpip\Parameters NV Hostname, NV Domain; Get-CsComputer'
    return $record
}

# -- host facts: each with the Windows Server 2012 cmdlet where present, WMI/CIM on 2008 R2 -----------------
function Get-SfbAdapterNames {
    # InterfaceIndex -> the connection name (NetConnectionID: "Local Area Connection", the InterfaceAlias of 2012+).
    $names = @{}
    foreach ($adapter in @(Get-CimInstance -ClassName Win32_NetworkAdapter -Filter 'NetConnectionID IS NOT NULL')) {
        $names["$($adapter.InterfaceIndex)"] = "$($adapter.NetConnectionID)"
    }
    return $names
}

function Get-SfbAdapterConfiguration {
    # Win32_NetworkAdapterConfiguration of the adapters with IP, each with its NetConnectionID.
    $names = Get-SfbAdapterNames
    $list = New-Object System.Collections.ArrayList
    foreach ($config in @(Get-CimInstance -ClassName Win32_NetworkAdapterConfiguration -Filter 'IPEnabled = TRUE')) {
        $record = ConvertTo-SfbRecord -InputObject $config -Property @('Index', 'InterfaceIndex', 'Description',
            'IPAddress', 'IPSubnet', 'DefaultIPGateway', 'DNSServerSearchOrder', 'DNSDomain',
            'DNSDomainSuffixSearchOrder', 'FullDNSRegistrationEnabled', 'DomainDNSRegistrationEnabled',
            'DHCPEnabled')
        $record['NetConnectionID'] = $names["$($config.InterfaceIndex)"]
        $null = $list.Add($record)
    }
    return , $list.ToArray()
}

function Get-SfbNetIPAddress {
    if (Test-SfbCommand -Name 'Get-NetIPAddress') {
        $SfbRun['Source'] = 'Get-NetIPAddress'
        $addresses = Get-NetIPAddress -AddressFamily @('IPv4', 'IPv6')
        return ConvertTo-SfbRecordList -InputObject $addresses -Property @('InterfaceAlias', 'InterfaceIndex',
            'IPAddress', 'PrefixLength', 'AddressFamily', 'PrefixOrigin', 'AddressState')
    }
    $SfbRun['Source'] = 'Win32_NetworkAdapterConfiguration'
    return Get-SfbAdapterConfiguration
}

function Get-SfbNetRoute {
    if (Test-SfbCommand -Name 'Get-NetRoute') {
        $SfbRun['Source'] = 'Get-NetRoute'
        $routes = New-Object System.Collections.ArrayList
        foreach ($store in @('ActiveStore', 'PersistentStore')) {
            foreach ($route in @(Get-NetRoute -PolicyStore $store -ErrorAction SilentlyContinue)) {
                $record = ConvertTo-SfbRecord -InputObject $route -Property @('DestinationPrefix', 'NextHop',
                    'InterfaceAlias', 'InterfaceIndex', 'RouteMetric', 'AddressFamily')
                $record['Store'] = $store
                $null = $routes.Add($record)
            }
        }
        return , $routes.ToArray()
    }
    # 2008 R2: the IPv4 routing table, and the persistent routes (route -p, the PersistentRoutes key). The
    # gateway configured on an adapter is not a persistent route there: it is DefaultIPGateway in NetIPAddress.
    $SfbRun['Source'] = 'Win32_IP4RouteTable, Win32_IP4PersistedRouteTable'
    $routes = New-Object System.Collections.ArrayList
    foreach ($route in @(Get-CimInstance -ClassName Win32_IP4RouteTable)) {
        $record = ConvertTo-SfbRecord -InputObject $route -Property @('Destination', 'Mask', 'NextHop',
            'InterfaceIndex', 'Metric1', 'Type', 'Protocol')
        $record['Store'] = 'ActiveStore'
        $null = $routes.Add($record)
    }
    foreach ($route in @(Get-CimInstance -ClassName Win32_IP4PersistedRouteTable)) {
        $record = ConvertTo-SfbRecord -InputObject $route -Property @('Destination', 'Mask', 'NextHop', 'Metric1')
        $record['Store'] = 'PersistentStore'
        $null = $routes.Add($record)
    }
    return , $routes.ToArray()
}

function Get-SfbComputerSystem {
    $system = Get-CimInstance -ClassName Win32_ComputerSystem
    return ConvertTo-SfbRecord -InputObject $system -Property @('Name', 'DNSHostName', 'Domain', 'PartOfDomain',
        'Workgroup', 'DomainRole', 'TotalPhysicalMemory', 'NumberOfProcessors', 'NumberOfLogicalProcessors')
}

function Get-SfbOperatingSystem {
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    return ConvertTo-SfbRecord -InputObject $os -Property @('Caption', 'Version', 'BuildNumber', 'ProductType',
        'SystemDrive', 'LastBootUpTime', 'OSArchitecture', 'OSLanguage', 'TotalVisibleMemorySize')
}

function Get-SfbDnsClientGlobalSetting {
    if (Test-SfbCommand -Name 'Get-DnsClientGlobalSetting') {
        $SfbRun['Source'] = 'Get-DnsClientGlobalSetting'
        $setting = Get-DnsClientGlobalSetting
        return ConvertTo-SfbRecord -InputObject $setting -Property @('SuffixSearchList', 'UseDevolution',
            'DevolutionLevel')
    }
    $SfbRun['Source'] = 'Tcpip\Parameters'
    $values = Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters'
    return ConvertTo-SfbRecord -InputObject $values -Property @('SearchList', 'UseDomainNameDevolution',
        'DomainNameDevolutionLevel')
}

function Get-SfbTcpipParameters {
    $path = 'HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters'
    $values = Get-ItemProperty -Path $path
    return ConvertTo-SfbRecord -InputObject $values -Property @('Hostname', 'Domain', 'NV Hostname', 'NV Domain',
        'SearchList')
}

function Get-SfbDnsClient {
    if (Test-SfbCommand -Name 'Get-DnsClient') {
        $SfbRun['Source'] = 'Get-DnsClient'
        $clients = Get-DnsClient
        return ConvertTo-SfbRecordList -InputObject $clients -Property @('InterfaceAlias', 'InterfaceIndex',
            'ConnectionSpecificSuffix', 'RegisterThisConnectionsAddress', 'UseSuffixWhenRegistering')
    }
    $SfbRun['Source'] = 'Win32_NetworkAdapterConfiguration'
    return Get-SfbAdapterConfiguration
}

function Get-SfbDnsClientServerAddress {
    if (Test-SfbCommand -Name 'Get-DnsClientServerAddress') {
        $SfbRun['Source'] = 'Get-DnsClientServerAddress'
        $servers = Get-DnsClientServerAddress
        return ConvertTo-SfbRecordList -InputObject $servers -Property @('InterfaceAlias', 'InterfaceIndex',
            'AddressFamily', 'ServerAddresses')
    }
    $SfbRun['Source'] = 'Win32_NetworkAdapterConfiguration'
    return Get-SfbAdapterConfiguration
}

function Get-SfbHostsFile {
    $path = Join-Path -Path $env:SystemRoot -ChildPath 'System32\drivers\etc\hosts'
    $item = Get-Item -LiteralPath $path
    $bytes = [System.IO.File]::ReadAllBytes($item.FullName)
    $record = [ordered]@{}
    $record['FullName'] = $item.FullName
    $record['Length'] = $item.Length
    $record['LastWriteTime'] = ConvertTo-SfbValue -Value $item.LastWriteTime
    $record['Content'] = (New-Object System.Text.UTF8Encoding $false).GetString($bytes)
    $record['RawContent'] = [Convert]::ToBase64String($bytes)
    return $record
}

# -- registry ------------------------------------------------------------------------------------------------
# A key's last write time (SCHANNEL-03: a change since the last boot is a reboot pending). Neither PowerShell
# nor .NET exposes it, so the collector declares advapi32!RegQueryInfoKey (which only reads the key) in memory
# with System.Reflection.Emit: no compiler, no file. Where that is refused (e.g. constrained language mode)
# LastWriteTime is null and LastWriteTimeError says why; the suite then cannot judge SCHANNEL-03.
function Get-SfbRegistryNative {
    if ($null -ne $SfbRun['Native']) {
        return $SfbRun['Native']
    }
    $name = New-Object System.Reflection.AssemblyName 'SfbCheckRegistryRead'
    $assembly = [AppDomain]::CurrentDomain.DefineDynamicAssembly($name,
        [System.Reflection.Emit.AssemblyBuilderAccess]::Run)
    $module = $assembly.DefineDynamicModule('SfbCheckRegistryRead', $false)
    $builder = $module.DefineType('SfbCheckRegistryRead.Native', 'Public, Class')
    $parameters = [Type[]]@([Microsoft.Win32.SafeHandles.SafeRegistryHandle], [IntPtr], [IntPtr], [IntPtr],
        [IntPtr], [IntPtr], [IntPtr], [IntPtr], [IntPtr], [IntPtr], [IntPtr], [long].MakeByRefType())
    $method = $builder.DefinePInvokeMethod('RegQueryInfoKey', 'advapi32.dll',
        [System.Reflection.MethodAttributes]'Public, Static, PinvokeImpl',
        [System.Reflection.CallingConventions]::Standard, [int], $parameters,
        [System.Runtime.InteropServices.CallingConvention]::Winapi,
        [System.Runtime.InteropServices.CharSet]::Unicode)
    $method.SetImplementationFlags([System.Reflection.MethodImplAttributes]::PreserveSig)
    $SfbRun['Native'] = $builder.CreateType()
    return $SfbRun['Native']
}

function Get-SfbRegistryKeyLastWriteTime {
    param($Key)
    $native = Get-SfbRegistryNative
    $fileTime = [long]0
    $zero = [IntPtr]::Zero
    $status = $native::RegQueryInfoKey($Key.Handle, $zero, $zero, $zero, $zero, $zero, $zero, $zero, $zero,
        $zero, $zero, [ref]$fileTime)
    if ($status -ne 0) {
        throw "RegQueryInfoKey returned $status"
    }
    return [DateTime]::FromFileTimeUtc($fileTime)
}

function Get-SfbRegistryKey {
    param([string]$Path)
    $record = [ordered]@{}
    $record['Path'] = $Path
    $record['Exists'] = $false
    $record['LastWriteTime'] = $null
    $record['Values'] = @()
    if (-not (Test-Path -LiteralPath $Path)) {
        return $record
    }
    $key = Get-Item -LiteralPath $Path
    $record['Exists'] = $true
    try {
        $record['LastWriteTime'] = ConvertTo-SfbValue -Value (Get-SfbRegistryKeyLastWriteTime -Key $key)
    } catch {
        $record['LastWriteTimeError'] = Get-SfbErrorText -ErrorRecord $_
    }
    $values = New-Object System.Collections.ArrayList
    foreach ($name in @($key.GetValueNames())) {
        $entry = [ordered]@{}
        $entry['Name'] = $name
        $entry['Kind'] = $key.GetValueKind($name).ToString()
        $entry['Value'] = ConvertTo-SfbValue -Value $key.GetValue($name, $null, 'DoNotExpandEnvironmentNames')
        $null = $values.Add($entry)
    }
    $record['Values'] = $values.ToArray()
    return $record
}

function Get-SfbRegistry {
    $keys = New-Object System.Collections.ArrayList
    foreach ($path in $RegistryKeys) {
        $null = $keys.Add((Get-SfbRegistryKey -Path $path))
        if ($path -like '*\SCHANNEL' -and (Test-Path -LiteralPath $path)) {
            foreach ($child in @(Get-ChildItem -LiteralPath $path -Recurse)) {
                $childPath = 'HKLM:\' + ($child.Name -replace '^HKEY_LOCAL_MACHINE\\', '')
                if ($RegistryKeys -notcontains $childPath) {
                    $null = $keys.Add((Get-SfbRegistryKey -Path $childPath))
                }
            }
        }
    }
    return , $keys.ToArray()
}

function Get-SfbInstalledProducts {
    $roots = @('HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall',
        'HKLM:\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall')
    $products = New-Object System.Collections.ArrayList
    foreach ($root in $roots) {
        if (-not (Test-Path -LiteralPath $root)) {
            continue
        }
        foreach ($key in @(Get-ChildItem -LiteralPath $root)) {
            $entry = Get-ItemProperty -LiteralPath $key.PSPath
            $name = "$($entry.DisplayName)"
            if ($name -match 'Lync Server|Skype for Business Server|Office Web Apps|Office Online Server') {
                $null = $products.Add((ConvertTo-SfbRecord -InputObject $entry -Property @('DisplayName',
                    'DisplayVersion', 'Publisher', 'InstallDate', 'InstallLocation')))
            }
        }
    }
    return , $products.ToArray()
}

# -- certificates ----------------------------------------------------------------------------------------
function Get-SfbPrivateKeyName {
    # CERT-03/09: the key container's unique (file) name of a CAPI key or a CNG key (RSA or ECDSA, .NET 4.6.1+);
    # $null when it cannot be read (then the key file is not judged: no false "missing key").
    param($Certificate)
    if (-not $Certificate.HasPrivateKey) {
        return $null
    }
    $name = $null
    try {
        $rsa = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($Certificate)
        if ($null -ne $rsa -and $null -ne $rsa.PSObject.Properties['Key']) {
            $name = $rsa.Key.UniqueName
        }
    } catch {
        $name = $null
    }
    if (-not $name) {
        try {
            $ecdsa = [System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions]::GetECDsaPrivateKey($Certificate)
            if ($null -ne $ecdsa -and $null -ne $ecdsa.PSObject.Properties['Key']) {
                $name = $ecdsa.Key.UniqueName
            }
        } catch {
            $name = $null
        }
    }
    if (-not $name) {
        try {
            $name = $Certificate.PrivateKey.CspKeyContainerInfo.UniqueKeyContainerName
        } catch {
            $name = $null
        }
    }
    if (-not $name) {
        $name = Get-SfbKeyNameFromCertutil -Thumbprint $Certificate.Thumbprint
    }
    return $name
}

function Get-SfbKeyNameFromCertutil {
    # A CNG key where .NET cannot name it (.NET 4.5 / 4.5.1 on 2012 and 2012 R2 has no GetRSAPrivateKey):
    # certutil -store (which only lists) prints the container's unique name, <32 hex>_<machine GUID>; the
    # label before it is localised, the name is not.
    param([string]$Thumbprint)
    try {
        $listing = @(certutil.exe -store -silent My $Thumbprint)
    } catch {
        return $null
    }
    $found = [regex]::Match(($listing -join "`n"),
        '\b[0-9a-fA-F]{32}_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b')
    if ($found.Success) {
        return $found.Value
    }
    return $null
}

function Get-SfbPrivateKeyFile {
    # The key file of that name: CAPI machine keys in Crypto\RSA\MachineKeys, CNG keys in Crypto\Keys (or
    # Crypto\SystemKeys); $null when no such file exists.
    param([string]$Name)
    $crypto = Join-Path -Path $env:ProgramData -ChildPath 'Microsoft\Crypto'
    foreach ($folder in @('RSA\MachineKeys', 'Keys', 'SystemKeys')) {
        $candidate = Join-Path -Path (Join-Path -Path $crypto -ChildPath $folder) -ChildPath $Name
        if (Test-Path -LiteralPath $candidate) {
            return $candidate
        }
    }
    return $null
}

function Get-SfbPrivateKeyAcl {
    param([string]$File)
    $file = $File
    if (-not $file) {
        return $null
    }
    $acl = Get-Acl -LiteralPath $file
    $rules = New-Object System.Collections.ArrayList
    foreach ($rule in @($acl.Access)) {
        $entry = [ordered]@{}
        $entry['IdentityReference'] = "$($rule.IdentityReference)"
        try {
            $entry['Sid'] = $rule.IdentityReference.Translate([System.Security.Principal.SecurityIdentifier]).Value
        } catch {
            $entry['Sid'] = $null
        }
        $entry['FileSystemRights'] = $rule.FileSystemRights.ToString()
        $entry['AccessControlType'] = $rule.AccessControlType.ToString()
        $null = $rules.Add($entry)
    }
    return , $rules.ToArray()
}

function ConvertTo-SfbCertificate {
    param($Certificate)
    $record = ConvertTo-SfbRecord -InputObject $Certificate -Property @('Thumbprint', 'Subject', 'Issuer',
        'FriendlyName', 'SerialNumber', 'NotBefore', 'NotAfter', 'HasPrivateKey', 'Archived')
    $record['RawData'] = [Convert]::ToBase64String($Certificate.RawData)
    if ($Certificate.HasPrivateKey) {
        $keyName = Get-SfbPrivateKeyName -Certificate $Certificate
        if ($keyName) {
            $record['PrivateKeyFile'] = Get-SfbPrivateKeyFile -Name $keyName
        }
        try {
            $record['PrivateKeyAccess'] = Get-SfbPrivateKeyAcl -File $record['PrivateKeyFile']
        } catch {
            $record['PrivateKeyAccessError'] = Get-SfbErrorText -ErrorRecord $_
        }
    }
    return $record
}

function Get-SfbCertificateStores {
    $stores = [ordered]@{}
    foreach ($store in @('My', 'Root', 'CA')) {
        $list = New-Object System.Collections.ArrayList
        foreach ($certificate in @(Get-ChildItem -Path "Cert:\LocalMachine\$store")) {
            $null = $list.Add((ConvertTo-SfbCertificate -Certificate $certificate))
        }
        $stores[$store] = $list.ToArray()
    }
    return $stores
}

function Get-SfbLocalGroup {
    # CERT-09: the machine-local groups Lync / Skype for Business setup creates (RTC Server Local Group, RTC
    # Component Local Group, ...) with their SIDs, which differ on every machine.
    $groups = @(Get-CimInstance -ClassName Win32_Group -Filter "LocalAccount = TRUE AND Name LIKE 'RTC%'")
    return ConvertTo-SfbRecordList -InputObject $groups -Property @('Name', 'Domain', 'SID')
}

function Get-SfbCsCertificate {
    $assigned = Get-CsCertificate
    return ConvertTo-SfbRecordList -InputObject $assigned -Property @('Use', 'Thumbprint', 'Subject', 'Issuer',
        'SerialNumber', 'NotBefore', 'NotAfter', 'AlternativeNames', 'EffectiveDate', 'PreviousThumbprint',
        'UpdateTime')
}

# -- services and events ---------------------------------------------------------------------------------
function Get-SfbService {
    $services = Get-CimInstance -ClassName Win32_Service | Where-Object {
        $SfbServices -contains $_.Name -or $_.DisplayName -match 'Lync Server|Skype for Business Server'
    }
    return ConvertTo-SfbRecordList -InputObject $services -Property @('Name', 'DisplayName', 'State',
        'StartMode', 'StartName', 'DelayedAutoStart', 'PathName')
}

function Test-SfbEventWanted {
    # Critical (1), Error (2), Warning (3) and the named Information events; Level numbers, not the localised names.
    param($Event)
    $level = [int]$Event.Level
    return (($level -ge 1 -and $level -le 3) -or $SfbInformationEventIds -contains [int]$Event.Id)
}

function Get-SfbWinEvent {
    $since = (Get-Date).AddHours(-$LookbackHours)
    $filter = @{ LogName = 'Lync Server'; StartTime = $since }
    $events = @(Get-WinEvent -FilterHashtable $filter -ErrorAction SilentlyContinue |
        Where-Object { Test-SfbEventWanted -Event $_ })
    $list = New-Object System.Collections.ArrayList
    foreach ($event in $events) {
        $null = $list.Add((ConvertTo-SfbEventRecord -Event $event))
    }
    return , $list.ToArray()
}

# -- server platform hygiene (HOST-01...04) ----------------------------------------------------------------
function Get-SfbPowerPlan {
    # HOST-01: the power plans, IsActive marks the one in effect (root\cimv2\power exists from 2008 R2 on).
    $SfbRun['Source'] = 'Win32_PowerPlan'
    $plans = Get-CimInstance -Namespace 'root\cimv2\power' -ClassName Win32_PowerPlan
    return ConvertTo-SfbRecordList -InputObject $plans -Property @('InstanceID', 'ElementName', 'IsActive')
}

function Get-SfbProcessor {
    # HOST-02: one object per socket.
    $processors = Get-CimInstance -ClassName Win32_Processor
    return ConvertTo-SfbRecordList -InputObject $processors -Property @('DeviceID', 'Name', 'NumberOfCores',
        'NumberOfLogicalProcessors', 'MaxClockSpeed')
}

function Get-SfbLogicalDisk {
    # HOST-03: local fixed disks (DriveType 3).
    $disks = Get-CimInstance -ClassName Win32_LogicalDisk -Filter 'DriveType = 3'
    return ConvertTo-SfbRecordList -InputObject $disks -Property @('DeviceID', 'DriveType', 'FileSystem', 'Size',
        'FreeSpace', 'VolumeName')
}

function Get-SfbDataLocations {
    # HOST-03: where the local databases (SQL Express instances) and this server's file share live.
    $record = [ordered]@{}
    $instances = New-Object System.Collections.ArrayList
    $root = 'HKLM:\SOFTWARE\Microsoft\Microsoft SQL Server'
    $names = 'HKLM:\SOFTWARE\Microsoft\Microsoft SQL Server\Instance Names\SQL'
    if (Test-Path -LiteralPath $names) {
        $map = Get-Item -LiteralPath $names
        foreach ($instance in @($map.GetValueNames())) {
            $id = "$($map.GetValue($instance))"
            $setup = Join-Path -Path $root -ChildPath "$id\Setup"
            $entry = [ordered]@{}
            $entry['Instance'] = $instance
            $entry['SQLDataRoot'] = $null
            if (Test-Path -LiteralPath $setup) {
                $entry['SQLDataRoot'] = "$((Get-ItemProperty -LiteralPath $setup).SQLDataRoot)"
            }
            $null = $instances.Add($entry)
        }
    }
    $record['SqlInstances'] = $instances.ToArray()
    $shares = New-Object System.Collections.ArrayList
    foreach ($share in @(Get-CimInstance -ClassName Win32_Share -Filter 'Type = 0')) {
        $null = $shares.Add((ConvertTo-SfbRecord -InputObject $share -Property @('Name', 'Path')))
    }
    $record['Shares'] = $shares.ToArray()
    return $record
}

function Get-SfbPendingReboot {
    # HOST-04: the keys Windows leaves while a reboot is pending (servicing stack, Windows Update, file renames).
    $record = [ordered]@{}
    $record['ComponentBasedServicingRebootPending'] = Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
    $record['WindowsUpdateRebootRequired'] = Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
    $manager = Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager'
    $renames = @()
    if ($null -ne $manager.PSObject.Properties['PendingFileRenameOperations']) {
        $renames = @($manager.PendingFileRenameOperations | Where-Object { "$_" })
    }
    $record['PendingFileRenameOperations'] = $renames.Count
    return $record
}

# -- Lync / Skype for Business cmdlets (Front End, Director, Edge) ---------------------------------------
function Import-SfbModule {
    if (Get-Command -Name Get-CsCertificate -ErrorAction SilentlyContinue) {
        return
    }
    foreach ($name in @('SkypeForBusiness', 'Lync')) {
        if (Get-Module -ListAvailable -Name $name) {
            Import-Module -Name $name -ErrorAction Stop
            return
        }
    }
    throw 'neither the SkypeForBusiness nor the Lync PowerShell module is installed on this server'
}

function Get-SfbCsObject {
    param([string]$Command, [string[]]$Property)
    Import-SfbModule
    $output = & (Get-Command -Name $Command -CommandType @('Cmdlet', 'Function'))
    return ConvertTo-SfbRecordList -InputObject $output -Property $Property
}

function Get-SfbAccessEdgeConfiguration {
    Import-SfbModule
    $config = Get-CsAccessEdgeConfiguration
    $record = ConvertTo-SfbRecord -InputObject $config -Property @('Identity', 'AllowAnonymousUsers',
        'AllowFederatedUsers', 'AllowOutsideUsers', 'BeClearingHouse', 'EnablePartnerDiscovery', 'RoutingMethod',
        'DiscoveredPartnerVerificationLevel', 'EnableArchivingDisclaimer', 'KeepCrlsUpToDateForPeers',
        'MarkSourceVerifiableOnOutgoingMessages', 'OutgoingTlsCountForFederatedPartners')
    $record['UseDnsSrvRouting'] = ("$($config.RoutingMethod)" -eq 'UseDnsSrvRouting')
    return $record
}

function Get-SfbTopology {
    Import-SfbModule
    $xml = Get-CsTopology -AsXml
    $record = [ordered]@{}
    $record['Xml'] = "$xml"
    return $record
}

function Get-SfbReplicationStatus {
    Import-SfbModule
    $status = Get-CsManagementStoreReplicationStatus
    return ConvertTo-SfbRecordList -InputObject $status -Property @('UpToDate', 'ReplicaFqdn',
        'LastStatusReport', 'LastUpdateCreation', 'ProductVersion')
}

# -- probes run from this server -------------------------------------------------------------------------
function Split-SfbTarget {
    param([string]$Target)
    $tls = $false
    $text = $Target.Trim()
    if ($text -like 'tls:*') {
        $tls = $true
        $text = $text.Substring(4)
    }
    $cut = $text.LastIndexOf(':')
    if ($cut -lt 1) {
        throw "probe target '$Target' is not host:port"
    }
    $result = [ordered]@{}
    $result['Host'] = $text.Substring(0, $cut).Trim('[', ']')
    $result['Port'] = [int]$text.Substring($cut + 1)
    $result['Tls'] = $tls
    return $result
}

function Get-SfbInterfaceAlias {
    param([string]$Address)
    if (Test-SfbCommand -Name 'Get-NetIPAddress') {
        $match = @(Get-NetIPAddress -IPAddress $Address -ErrorAction SilentlyContinue)
        if ($match.Count -gt 0) {
            return "$($match[0].InterfaceAlias)"
        }
        return $null
    }
    foreach ($config in @(Get-SfbAdapterConfiguration)) {
        if (@($config['IPAddress']) -contains $Address) {
            return $config['NetConnectionID']
        }
    }
    return $null
}

function New-SfbTcpRecord {
    # A TCP probe's record, with the names Test-NetConnection uses, before the connect.
    param([string]$ComputerName, [int]$Port)
    $record = [ordered]@{}
    $record['ComputerName'] = $ComputerName
    $record['RemoteAddress'] = $null
    $record['RemotePort'] = $Port
    $record['InterfaceAlias'] = $null
    $record['SourceAddress'] = $null
    $record['TcpTestSucceeded'] = $false
    $record['Error'] = ''
    return $record
}

function Get-SfbInnerErrorText {
    # The message of the .NET exception itself, without PowerShell's 'Exception calling "X" with ...' wrapper.
    param($ErrorRecord)
    $reason = $ErrorRecord.Exception
    while ($null -ne $reason.InnerException) {
        $reason = $reason.InnerException
    }
    $text = "$($reason.Message)".Trim()
    if (-not $text) {
        $text = Get-SfbErrorText -ErrorRecord $ErrorRecord
    }
    return $text
}

function Get-SfbMillisecondsLeft {
    # Milliseconds from now to $Deadline (UTC), 0 once it has passed (WaitOne takes no negative time but -1).
    param([datetime]$Deadline)
    $left = [Math]::Floor(($Deadline - (Get-Date).ToUniversalTime()).TotalMilliseconds)
    if ($left -le 0) {
        return 0
    }
    return [int]$left
}

function Invoke-SfbTcpConnectStart {
    # Starts one connect (TcpClient.BeginConnect: every Windows and .NET; the client is kept in $Attempt at once,
    # so that whoever started it closes it). No callback: a script block called on a thread-pool thread has no
    # runspace; the caller waits on AsyncWaitHandle instead. A connect that cannot even start records why.
    param($Attempt)
    $record = $Attempt['Record']
    try {
        $Attempt['Client'] = New-Object System.Net.Sockets.TcpClient
        $client = $Attempt['Client']
        $Attempt['Pending'] = $client.BeginConnect($record['ComputerName'], $record['RemotePort'], $null, $null)
    } catch {
        $record['Error'] = "TCP connect failed: $(Get-SfbInnerErrorText -ErrorRecord $_)"
    }
}

function Invoke-SfbTcpConnectEnd {
    # Waits for one started connect until $Deadline and fills its record: connected (addresses and interface), or
    # the failure (refused, no such host: EndConnect's reason; no answer by the deadline: filtered).
    param($Attempt, [datetime]$Deadline, $Aliases)
    $record = $Attempt['Record']
    $pending = $Attempt['Pending']
    if ($null -eq $pending) {
        return
    }
    if (-not $pending.AsyncWaitHandle.WaitOne((Get-SfbMillisecondsLeft -Deadline $Deadline), $false)) {
        $record['Error'] = "TCP connect failed: no answer within $ProbeTimeoutSeconds s"
        return
    }
    $client = $Attempt['Client']
    try {
        $client.EndConnect($pending)
    } catch {
        $record['Error'] = "TCP connect failed: $(Get-SfbInnerErrorText -ErrorRecord $_)"
        return
    }
    try {
        $record['TcpTestSucceeded'] = $true
        $record['RemoteAddress'] = $client.Client.RemoteEndPoint.Address.ToString()
        $source = $client.Client.LocalEndPoint.Address.ToString()
        $record['SourceAddress'] = $source
        if (-not $Aliases.ContainsKey($source)) {
            $Aliases[$source] = Get-SfbInterfaceAlias -Address $source
        }
        $record['InterfaceAlias'] = $Aliases[$source]
    } catch {
        $record['Error'] = Get-SfbErrorText -ErrorRecord $_
    }
}

function Invoke-SfbTcpBatch {
    # At most -ProbeConcurrency connects at once: every one started, then each completed against one deadline
    # (ProbeTimeoutSeconds after the last one started, so each had at least that long); a batch takes at most
    # ProbeTimeoutSeconds however many of its targets are filtered. The records join $Results in the order of
    # $Targets; every client is closed, also when the section is stopped meanwhile (its time limit).
    param($Targets, $Results, $Aliases)
    $attempts = New-Object System.Collections.ArrayList
    try {
        foreach ($target in $Targets) {
            $attempt = [ordered]@{}
            $attempt['Record'] = New-SfbTcpRecord -ComputerName $target['Host'] -Port $target['Port']
            $attempt['Client'] = $null
            $attempt['Pending'] = $null
            $null = $attempts.Add($attempt)
            Invoke-SfbTcpConnectStart -Attempt $attempt
        }
        $deadline = (Get-Date).ToUniversalTime().AddSeconds($ProbeTimeoutSeconds)
        foreach ($attempt in $attempts) {
            Invoke-SfbTcpConnectEnd -Attempt $attempt -Deadline $deadline -Aliases $Aliases
            $null = $Results.Add($attempt['Record'])
        }
    } finally {
        foreach ($attempt in $attempts) {
            if ($null -ne $attempt['Client']) {
                $attempt['Client'].Close()
            }
        }
    }
}

function Get-SfbTlsProtocols {
    # TLS 1.2, 1.1 and 1.0 named explicitly (SslProtocols Tls12 3072 + Tls11 768 + Tls 192): without it .NET 4.5
    # on 2012 R2 offers only its legacy defaults unless SchUseStrongCrypto is set. .NET 4.0 knows only Tls.
    try {
        return [System.Security.Authentication.SslProtocols]3264
    } catch {
        return [System.Security.Authentication.SslProtocols]192
    }
}

function Get-SfbPresentedChain {
    param([string]$ComputerName, [int]$Port)
    $record = [ordered]@{}
    $record['ComputerName'] = $ComputerName
    $record['RemoteAddress'] = $null
    $record['RemotePort'] = $Port
    $record['TcpTestSucceeded'] = $false
    $record['RequestedProtocols'] = $null
    $record['SslProtocol'] = $null
    $record['Certificates'] = @()
    $record['Error'] = ''
    $script:SfbPresented = @()
    $client = New-Object System.Net.Sockets.TcpClient
    try {
        $pending = $client.BeginConnect($ComputerName, $Port, $null, $null)
        if (-not $pending.AsyncWaitHandle.WaitOne($ProbeTimeoutSeconds * 1000, $false)) {
            throw "TCP connect failed: no answer within $ProbeTimeoutSeconds s"
        }
        $client.EndConnect($pending)
        $record['TcpTestSucceeded'] = $true
        $record['RemoteAddress'] = $client.Client.RemoteEndPoint.Address.ToString()
        $client.ReceiveTimeout = $ProbeTimeoutSeconds * 1000
        $client.SendTimeout = $ProbeTimeoutSeconds * 1000
        $accept = [System.Net.Security.RemoteCertificateValidationCallback] {
            param($source, $certificate, $chain, $policyErrors)
            $presented = New-Object System.Collections.ArrayList
            $null = $presented.Add([Convert]::ToBase64String($certificate.GetRawCertData()))
            if ($null -ne $chain) {
                foreach ($element in @($chain.ChainElements | Select-Object -Skip 1)) {
                    $null = $presented.Add([Convert]::ToBase64String($element.Certificate.RawData))
                }
            }
            $script:SfbPresented = $presented.ToArray()
            return $true
        }
        $protocols = Get-SfbTlsProtocols
        $record['RequestedProtocols'] = $protocols.ToString()
        $ssl = New-Object System.Net.Security.SslStream -ArgumentList @($client.GetStream(), $false, $accept)
        try {
            $ssl.AuthenticateAsClient($ComputerName, $null, $protocols, $false)
            $record['SslProtocol'] = $ssl.SslProtocol.ToString()
        } finally {
            $ssl.Dispose()
        }
        $record['Certificates'] = $script:SfbPresented
    } catch {
        $record['Error'] = Get-SfbErrorText -ErrorRecord $_
        $record['Certificates'] = $script:SfbPresented
    } finally {
        $client.Close()
    }
    return $record
}

function Get-SfbTcpProbes {
    # The TCP targets of -ProbeTargets, -ProbeConcurrency at a time (Invoke-SfbTcpBatch), recorded in their order.
    $results = New-Object System.Collections.ArrayList
    $aliases = @{}
    $batch = New-Object System.Collections.ArrayList
    foreach ($target in $ProbeTargets) {
        $parts = Split-SfbTarget -Target $target
        if ($parts['Tls']) {
            continue
        }
        $null = $batch.Add($parts)
        if ($batch.Count -ge $ProbeConcurrency) {
            Invoke-SfbTcpBatch -Targets $batch.ToArray() -Results $results -Aliases $aliases
            $batch.Clear()
        }
    }
    if ($batch.Count -gt 0) {
        Invoke-SfbTcpBatch -Targets $batch.ToArray() -Results $results -Aliases $aliases
    }
    return , $results.ToArray()
}

function Get-SfbTlsProbes {
    # One after the other (a handshake each; the CMS master has one tls: target per Edge).
    $results = New-Object System.Collections.ArrayList
    foreach ($target in $ProbeTargets) {
        $parts = Split-SfbTarget -Target $target
        if ($parts['Tls']) {
            $null = $results.Add((Get-SfbPresentedChain -ComputerName $parts['Host'] -Port $parts['Port']))
        }
    }
    return , $results.ToArray()
}

function ConvertTo-SfbHostEntryRecords {
    # [System.Net.Dns]::GetHostEntry's answer in Resolve-DnsName's record shape: the CNAME to the canonical
    # HostName when it differs from the name asked, then one A/AAAA record per address.
    param([string]$Name, $HostEntry)
    $records = New-Object System.Collections.ArrayList
    $canonical = "$($HostEntry.HostName)"
    if ($canonical -and $canonical.TrimEnd('.') -ne $Name.TrimEnd('.')) {
        $cname = [ordered]@{}
        $cname['Name'] = $Name
        $cname['Type'] = 'CNAME'
        $cname['Section'] = 'Answer'
        $cname['NameHost'] = $canonical
        $null = $records.Add($cname)
    } else {
        $canonical = $Name
    }
    foreach ($address in @($HostEntry.AddressList)) {
        $answer = [ordered]@{}
        $answer['Name'] = $canonical
        $answer['Type'] = 'A'
        if ("$($address.AddressFamily)" -eq 'InterNetworkV6') {
            $answer['Type'] = 'AAAA'
        }
        $answer['Section'] = 'Answer'
        $answer['IPAddress'] = $address.ToString()
        $null = $records.Add($answer)
    }
    return , $records.ToArray()
}

function Resolve-SfbName {
    # One name: Resolve-DnsName -DnsOnly (hosts file and DNS; LLMNR and NetBIOS are not asked) where it exists,
    # else [System.Net.Dns]::GetHostEntry (the Windows resolver, which cannot be kept from LLMNR/NetBIOS).
    param([string]$Name)
    if (Test-SfbCommand -Name 'Resolve-DnsName') {
        $SfbRun['Source'] = 'Resolve-DnsName -DnsOnly'
        $answers = Resolve-DnsName -Name $Name -DnsOnly -ErrorAction Stop
        return ConvertTo-SfbRecordList -InputObject $answers -Property @('Name', 'Type', 'TTL', 'Section',
            'IPAddress', 'NameHost')
    }
    $SfbRun['Source'] = 'System.Net.Dns'
    return ConvertTo-SfbHostEntryRecords -Name $Name -HostEntry ([System.Net.Dns]::GetHostEntry($Name))
}

function Get-SfbResolveDnsName {
    $results = New-Object System.Collections.ArrayList
    foreach ($name in $ResolveNames) {
        $entry = [ordered]@{}
        $entry['QueryName'] = $name
        $entry['Error'] = $null
        $entry['Records'] = @()
        try {
            $entry['Records'] = Resolve-SfbName -Name $name
        } catch {
            $entry['Error'] = Get-SfbErrorText -ErrorRecord $_
        }
        $null = $results.Add($entry)
    }
    return , $results.ToArray()
}

# -- more Front End / CMS / Office Web Apps sections -----------------------------------------------------
function Get-SfbPushNotificationConfiguration {
    Import-SfbModule
    return ConvertTo-SfbRecord -InputObject (Get-CsPushNotificationConfiguration) -Property @('Identity',
        'EnableApplePushNotificationService', 'EnableMicrosoftPushNotificationService')
}

function Get-SfbOAuthConfiguration {
    Import-SfbModule
    return ConvertTo-SfbRecord -InputObject (Get-CsOAuthConfiguration) -Property @('Identity',
        'ExchangeAutodiscoverUrl', 'ExchangeAutodiscoverAllowedDomains', 'ServiceName', 'Realm',
        'ClientAuthorizationOAuthServerIdentity', 'AlternateAudienceUrl')
}

function Get-SfbAutodiscoverResolution {
    Import-SfbModule
    $url = "$((Get-CsOAuthConfiguration).ExchangeAutodiscoverUrl)"
    if (-not $url) {
        return , @()
    }
    $name = (New-Object System.Uri $url).Host
    return Resolve-SfbName -Name $name
}

function ConvertTo-SfbShareRight {
    # Win32_ACE AccessMask -> the AccessRight names of Get-SmbShareAccess (Full, Change, Read, Custom).
    param([long]$AccessMask)
    if ($AccessMask -eq 2032127) {
        return 'Full'
    }
    if ($AccessMask -eq 1245631) {
        return 'Change'
    }
    if ($AccessMask -eq 1179817) {
        return 'Read'
    }
    return 'Custom'
}

function Get-SfbReplicaShareAccessWmi {
    # 2008 R2: the share's security descriptor from Win32_LogicalShareSecuritySetting (GetSecurityDescriptor
    # only reads it), one record per ACE with the trustee's SID and the Get-SmbShareAccess names beside.
    $setting = Get-CimInstance -ClassName Win32_LogicalShareSecuritySetting -Filter "Name = 'xds-replica'"
    if ($null -eq $setting) {
        throw 'the xds-replica share does not exist on this server'
    }
    $answer = Invoke-CimMethod -InputObject $setting -MethodName GetSecurityDescriptor
    $entries = New-Object System.Collections.ArrayList
    foreach ($ace in @($answer.Descriptor.DACL)) {
        $entry = [ordered]@{}
        $entry['Name'] = 'xds-replica'
        $entry['TrusteeDomain'] = "$($ace.Trustee.Domain)"
        $entry['TrusteeName'] = "$($ace.Trustee.Name)"
        $entry['SIDString'] = "$($ace.Trustee.SIDString)"
        $entry['AccessMask'] = [long]$ace.AccessMask
        $entry['AceType'] = [int]$ace.AceType
        $entry['AccountName'] = $entry['TrusteeName']
        if ($entry['TrusteeDomain']) {
            $entry['AccountName'] = $entry['TrusteeDomain'] + '\' + $entry['TrusteeName']
        }
        $entry['AccessControlType'] = 'Allow'
        if ($entry['AceType'] -eq 1) {
            $entry['AccessControlType'] = 'Deny'
        }
        $entry['AccessRight'] = ConvertTo-SfbShareRight -AccessMask $entry['AccessMask']
        $null = $entries.Add($entry)
    }
    return , $entries.ToArray()
}

function Get-SfbReplicaShareAccess {
    if (Test-SfbCommand -Name 'Get-SmbShareAccess') {
        $SfbRun['Source'] = 'Get-SmbShareAccess'
        $access = Get-SmbShareAccess -Name 'xds-replica'
        return ConvertTo-SfbRecordList -InputObject $access -Property @('Name', 'ScopeName', 'AccountName',
            'AccessControlType', 'AccessRight')
    }
    $SfbRun['Source'] = 'Win32_LogicalShareSecuritySetting'
    return Get-SfbReplicaShareAccessWmi
}

function Get-SfbRegistrarService {
    Import-SfbModule
    return ConvertTo-SfbRecordList -InputObject (Get-CsService -Registrar) -Property @('Identity', 'PoolFqdn',
        'BackupRegistrar', 'EnableAutomaticFailover', 'FailureDetectionInterval', 'FailbackDetectionInterval')
}

function Get-SfbPoolBackupRelationship {
    Import-SfbModule
    $relationships = New-Object System.Collections.ArrayList
    foreach ($registrar in @(Get-CsService -Registrar)) {
        $found = Get-CsPoolBackupRelationship -PoolFqdn $registrar.PoolFqdn -ErrorAction SilentlyContinue
        $entry = [ordered]@{}
        $entry['PoolFqdn'] = "$($registrar.PoolFqdn)"
        $entry['BackupPoolFqdn'] = "$($found.BackupPoolFqdn)"
        $null = $relationships.Add($entry)
    }
    return , $relationships.ToArray()
}

function Get-SfbBackupServiceStatus {
    Import-SfbModule
    $status = Get-CsBackupServiceStatus -PoolFqdn $PoolFqdn
    $record = ConvertTo-SfbRecord -InputObject $status -Property @('PoolFqdn', 'OverallExportStatus',
        'OverallImportStatus')
    $record['BackupModules'] = ConvertTo-SfbRecordList -InputObject $status.BackupModules -Property @('Identity',
        'ExportStatus', 'ImportStatus')
    return $record
}

function Get-SfbCentralManagementDatabase {
    Import-SfbModule
    $userServer = Get-CsService -UserServer -PoolFqdn $PoolFqdn
    $database = Get-CsService -Identity "$($userServer.UserDatabase)"
    $results = Test-CsDatabase -CentralManagementDatabase -SqlServerFqdn $database.PoolFqdn -SqlInstanceName $database.SqlInstanceName
    $list = ConvertTo-SfbRecordList -InputObject $results -Property @('SqlServerFqdn', 'SqlInstanceName', 'DatabaseName',
        'DataSource', 'ExpectedVersion', 'InstalledVersion', 'Succeed')
    return , $list
}

function Get-SfbCentralManagementStoreStatus {
    Import-SfbModule
    $status = Get-CsManagementStoreReplicationStatus -CentralManagementStoreStatus
    return ConvertTo-SfbRecord -InputObject $status -Property @('ActiveMasterFqdn', 'ActiveFileTransferAgents',
        'ActiveReplicas', 'DeletedReplicas', 'DeletedFileTransferAgents')
}

function Get-SfbComputerGroups {
    Import-Module -Name ActiveDirectory -ErrorAction Stop
    $groups = Get-ADPrincipalGroupMembership -Identity (Get-ADComputer -Identity $env:COMPUTERNAME)
    return ConvertTo-SfbRecordList -InputObject $groups -Property @('Name', 'SamAccountName', 'SID', 'GroupCategory',
        'GroupScope', 'DistinguishedName')
}

function Get-SfbOfficeWebAppsFarm {
    Import-Module -Name OfficeWebApps -ErrorAction Stop
    $farm = Get-OfficeWebAppsFarm
    $record = ConvertTo-SfbRecord -InputObject $farm -Property @('InternalURL', 'ExternalURL', 'CertificateName',
        'AllowHTTP', 'SSLOffloaded', 'EditingEnabled', 'FarmOU')
    $record['Machines'] = @($farm.Machines | ForEach-Object { "$($_.MachineName)" })
    return $record
}

function Get-SfbOfficeWebAppsProduct {
    # The shape of Win32_Product, read from the Uninstall keys: querying Win32_Product itself makes Windows
    # Installer check (and possibly repair) every installed product, which a read-only collector must not do.
    $products = New-Object System.Collections.ArrayList
    foreach ($root in @('HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall',
            'HKLM:\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall')) {
        if (-not (Test-Path -LiteralPath $root)) {
            continue
        }
        foreach ($key in @(Get-ChildItem -LiteralPath $root)) {
            $entry = Get-ItemProperty -LiteralPath $key.PSPath
            if ("$($entry.DisplayName)" -match 'Office Web Apps|Office Online Server') {
                $product = [ordered]@{}
                $product['Name'] = "$($entry.DisplayName)"
                $product['Version'] = "$($entry.DisplayVersion)"
                $product['Vendor'] = "$($entry.Publisher)"
                $product['InstallLocation'] = "$($entry.InstallLocation)"
                $null = $products.Add($product)
            }
        }
    }
    return , $products.ToArray()
}

# -- which sections, for which roles -----------------------------------------------------------------------
# Name, the roles that collect it ('*' = every server), the function that reads it. Every function must run on
# every supported Windows and PowerShell: a command newer than 2008 R2 / PowerShell 3.0 only inside
# `if (Test-SfbCommand -Name '<command>') { ... }` with a fallback after it (selftest/test_collector_static.py
# checks this against collector/compatibility.yml).
$Catalog = @(
    @('Identity', '*', 'Get-SfbIdentity'),
    @('NetIPAddress', '*', 'Get-SfbNetIPAddress'),
    @('NetRoute', '*', 'Get-SfbNetRoute'),
    @('Win32_ComputerSystem', '*', 'Get-SfbComputerSystem'),
    @('Win32_OperatingSystem', '*', 'Get-SfbOperatingSystem'),
    @('Win32_Processor', '*', 'Get-SfbProcessor'),
    @('Win32_LogicalDisk', '*', 'Get-SfbLogicalDisk'),
    @('Win32_PowerPlan', '*', 'Get-SfbPowerPlan'),
    @('DataLocations', '*', 'Get-SfbDataLocations'),
    @('PendingReboot', '*', 'Get-SfbPendingReboot'),
    @('DnsClientGlobalSetting', '*', 'Get-SfbDnsClientGlobalSetting'),
    @('DnsClient', '*', 'Get-SfbDnsClient'),
    @('DnsClientServerAddress', '*', 'Get-SfbDnsClientServerAddress'),
    @('TcpipParameters', '*', 'Get-SfbTcpipParameters'),
    @('HostsFile', '*', 'Get-SfbHostsFile'),
    @('Registry', '*', 'Get-SfbRegistry'),
    @('InstalledProducts', '*', 'Get-SfbInstalledProducts'),
    @('CertificateStores', '*', 'Get-SfbCertificateStores'),
    @('LocalGroup', 'frontend,edge,director,mediation', 'Get-SfbLocalGroup'),
    @('CsCertificate', 'frontend,edge,director,mediation', 'Get-SfbCsCertificate'),
    @('Win32_Service', '*', 'Get-SfbService'),
    @('WinEvent', 'frontend,edge,director,mediation', 'Get-SfbWinEvent'),
    @('CsSipDomain', 'frontend', 'Get-SfbCsSipDomain'),
    @('CsHostingProvider', 'frontend', 'Get-SfbCsHostingProvider'),
    @('CsAllowedDomain', 'frontend', 'Get-SfbCsAllowedDomain'),
    @('CsAccessEdgeConfiguration', 'frontend', 'Get-SfbAccessEdgeConfiguration'),
    @('CsManagementStoreReplicationStatus', 'cms', 'Get-SfbReplicationStatus'),
    @('CsTopology', 'cms', 'Get-SfbTopology'),
    @('TcpProbe', 'frontend,director,edge', 'Get-SfbTcpProbes'),
    @('TlsProbe', 'cms', 'Get-SfbTlsProbes'),
    @('CsPushNotificationConfiguration', 'frontend', 'Get-SfbPushNotificationConfiguration'),
    @('CsOAuthConfiguration', 'frontend', 'Get-SfbOAuthConfiguration'),
    @('ResolveDnsNameAutodiscover', 'frontend', 'Get-SfbAutodiscoverResolution'),
    @('SmbShareAccess', 'frontend,director,mediation', 'Get-SfbReplicaShareAccess'),
    @('CsPoolBackupRelationship', 'frontend', 'Get-SfbPoolBackupRelationship'),
    @('CsServiceRegistrar', 'frontend', 'Get-SfbRegistrarService'),
    @('CsDatabaseCentralManagement', 'frontend', 'Get-SfbCentralManagementDatabase'),
    @('CsBackupServiceStatus', 'frontend', 'Get-SfbBackupServiceStatus'),
    @('CsCentralManagementStoreStatus', 'cms', 'Get-SfbCentralManagementStoreStatus'),
    @('ADPrincipalGroupMembership', 'cms', 'Get-SfbComputerGroups'),
    @('OfficeWebAppsFarm', 'owas', 'Get-SfbOfficeWebAppsFarm'),
    @('Win32_Product', 'owas', 'Get-SfbOfficeWebAppsProduct'),
    @('ResolveDnsName', 'frontend,director,edge', 'Get-SfbResolveDnsName'),
    @('CsDatabaseLocal', 'frontend,edge,director,mediation', 'Get-SfbLocalDatabaseSchema'),
    @('CsDatabaseConfigured', 'cms', 'Get-SfbConfiguredDatabaseSchema'),
    @('SqlLocalDatabases', 'frontend,edge,director,mediation', 'Get-SfbSqlLocalDatabases'),
    @('CsPoolFabricState', 'frontend', 'Get-SfbPoolFabricState'),
    @('NetTCPConnectionSip', 'frontend,director', 'Get-SfbSipListener'),
    @('ResolveDnsNameFederation', 'edge', 'Get-SfbFederationLookups'),
    @('CsServiceEdgeServer', 'frontend', 'Get-SfbEdgeServerService'),
    @('CsBlockedDomain', 'frontend', 'Get-SfbCsBlockedDomain')
)

function Get-SfbCsSipDomain {
    return Get-SfbCsObject -Command 'Get-CsSipDomain' -Property @('Identity', 'Name', 'IsDefault')
}

function Get-SfbCsHostingProvider {
    return Get-SfbCsObject -Command 'Get-CsHostingProvider' -Property @('Identity', 'Name', 'ProxyFqdn',
        'Enabled', 'VerificationLevel', 'EnabledSharedAddressSpace', 'HostsOCSUsers', 'IsLocal', 'AutodiscoverUrl')
}

function Get-SfbCsAllowedDomain {
    return Get-SfbCsObject -Command 'Get-CsAllowedDomain' -Property @('Identity', 'Domain', 'ProxyFqdn', 'Comment',
        'MarkForMonitoring')
}

# -- product level, local stores, pool state, Edge external side, federation (VER-04, POOL-*, EDGE-DNS-05, FED-*) --
function Get-SfbLocalDatabaseSchema {
    Import-SfbModule
    $results = Test-CsDatabase -LocalService
    return , (ConvertTo-SfbRecordList -InputObject $results -Property @('SqlServerFqdn', 'SqlInstanceName',
        'DatabaseName', 'DataSource', 'ExpectedVersion', 'InstalledVersion', 'Succeed'))
}

function Get-SfbConfiguredDatabaseSchema {
    Import-SfbModule
    $userServer = Get-CsService -UserServer -PoolFqdn $PoolFqdn
    $database = Get-CsService -Identity "$($userServer.UserDatabase)"
    $results = Test-CsDatabase -ConfiguredDatabases -SqlServerFqdn $database.PoolFqdn
    return , (ConvertTo-SfbRecordList -InputObject $results -Property @('SqlServerFqdn', 'SqlInstanceName',
        'DatabaseName', 'DataSource', 'ExpectedVersion', 'InstalledVersion', 'Succeed'))
}

function Get-SfbSqlLocalDatabases {
    # sys.databases of each local SQL Express instance that exists (one read-only SELECT, Windows authentication).
    $rows = New-Object System.Collections.ArrayList
    foreach ($instance in @('RTCLOCAL', 'LYNCLOCAL', 'RTC')) {
        if (-not (Get-CimInstance -ClassName Win32_Service -Filter "Name = 'MSSQL`$$instance'")) {
            continue
        }
        $connection = New-Object System.Data.SqlClient.SqlConnection (
            "Server=.\$instance;Database=master;Integrated Security=True;Connect Timeout=10")
        try {
            $connection.Open()
            $command = $connection.CreateCommand()
            $command.CommandText = 'SELECT name, state_desc, user_access_desc FROM sys.databases'
            $reader = $command.ExecuteReader()
            while ($reader.Read()) {
                $row = [ordered]@{}
                $row['Instance'] = $instance
                $row['name'] = "$($reader['name'])"
                $row['state_desc'] = "$($reader['state_desc'])"
                $row['user_access_desc'] = "$($reader['user_access_desc'])"
                $null = $rows.Add($row)
            }
            $reader.Close()
        } finally {
            $connection.Close()
        }
    }
    return , $rows.ToArray()
}

function Get-SfbPoolFabricState {
    # The cmdlet writes a report: its lines are kept as text (docs/evidence.md).
    Import-SfbModule
    $lines = @(Get-CsPoolFabricState -PoolFqdn $PoolFqdn -ErrorAction Stop | ForEach-Object { "$_" })
    $record = [ordered]@{}
    $record['PoolFqdn'] = $PoolFqdn
    $record['Text'] = $lines -join "`r`n"
    return $record
}

function Get-SfbSipListener {
    if (Test-SfbCommand -Name 'Get-NetTCPConnection') {
        $SfbRun['Source'] = 'Get-NetTCPConnection'
        $listeners = @(Get-NetTCPConnection -State Listen -LocalPort 5061 -ErrorAction SilentlyContinue)
        return , (ConvertTo-SfbRecordList -InputObject $listeners -Property @('LocalAddress', 'LocalPort',
            'RemoteAddress', 'RemotePort', 'State', 'OwningProcess'))
    }
    $SfbRun['Source'] = 'IPGlobalProperties.GetActiveTcpListeners'
    $rows = New-Object System.Collections.ArrayList
    $endpoints = [System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties().GetActiveTcpListeners()
    foreach ($endpoint in @($endpoints | Where-Object { $_.Port -eq 5061 })) {
        $row = [ordered]@{}
        $row['LocalAddress'] = "$($endpoint.Address)"
        $row['LocalPort'] = $endpoint.Port
        $row['State'] = 'Listen'
        $row['OwningProcess'] = 0
        $null = $rows.Add($row)
    }
    return , $rows.ToArray()
}

function Get-SfbFederationLookups {
    $results = New-Object System.Collections.ArrayList
    foreach ($lookup in $FederationLookups) {
        $type, $name = "$lookup".Split(':', 2)
        $entry = [ordered]@{}
        $entry['QueryName'] = $name
        $entry['QueryType'] = $type
        $entry['Error'] = $null
        $entry['Records'] = @()
        if (Test-SfbCommand -Name 'Resolve-DnsName') {
            try {
                $answers = Resolve-DnsName -Name $name -Type $type -DnsOnly -ErrorAction Stop
                $entry['Records'] = ConvertTo-SfbRecordList -InputObject $answers -Property @('Name', 'Type', 'TTL',
                    'Section', 'IPAddress', 'NameHost', 'NameTarget', 'Priority', 'Weight', 'Port')
            } catch {
                $entry['Error'] = Get-SfbErrorText -ErrorRecord $_
            }
        } else {
            $entry['Error'] = 'Resolve-DnsName does not exist on this Windows: these lookups are not collected'
        }
        $null = $results.Add($entry)
    }
    return , $results.ToArray()
}

function Get-SfbEdgeServerService {
    Import-SfbModule
    return , (ConvertTo-SfbRecordList -InputObject (Get-CsService -EdgeServer) -Property @('Identity', 'PoolFqdn',
        'AccessEdgeInternalSipPort', 'AccessEdgeClientSipPort', 'AccessEdgeExternalSipPort'))
}

function Get-SfbCsBlockedDomain {
    return Get-SfbCsObject -Command 'Get-CsBlockedDomain' -Property @('Identity', 'Domain', 'Comment')
}

# -- running the sections: each in a worker runspace with a time limit, within a total limit ----------------
$SfbSharedVariables = @('Roles', 'LookbackHours', 'ProbeTargets', 'ResolveNames', 'FederationLookups', 'ProbeTimeoutSeconds',
    'ProbeConcurrency', 'PoolFqdn', 'SfbServices', 'SfbInformationEventIds', 'RegistryKeys', 'ErrorActionPreference',
    'ProgressPreference', 'Sections')

function Get-SfbLibraryText {
    # The collector's own functions as one script, to define them in a worker runspace.
    $parts = New-Object System.Collections.ArrayList
    foreach ($command in @(Get-Command -CommandType Function -Name '*-Sfb*')) {
        $null = $parts.Add("function $($command.Name) {`n$($command.Definition)`n}")
    }
    return ($parts.ToArray() -join "`n")
}

function New-SfbWorker {
    # A runspace of this process holding the collector's functions and parameters (the Lync module, once
    # imported there, serves every following section).
    $runspace = [System.Management.Automation.Runspaces.RunspaceFactory]::CreateRunspace()
    $runspace.Open()
    foreach ($name in $SfbSharedVariables) {
        $runspace.SessionStateProxy.SetVariable($name, (Get-Variable -Name $name -ValueOnly))
    }
    $runspace.SessionStateProxy.SetVariable('SfbRun', @{ Source = '' })
    $shell = [System.Management.Automation.PowerShell]::Create()
    $shell.Runspace = $runspace
    $null = $shell.AddScript((Get-SfbLibraryText))
    $null = $shell.Invoke()
    $shell.Dispose()
    return $runspace
}

function Invoke-SfbInWorker {
    # One section in the worker; after TimeoutSeconds it is stopped (without waiting) and reported as timed out.
    param($Worker, [string]$Function, [int]$TimeoutSeconds)
    $shell = [System.Management.Automation.PowerShell]::Create()
    $shell.Runspace = $Worker
    $null = $shell.AddScript('param($Function) Invoke-SfbGuarded -Function $Function').AddArgument($Function)
    $handle = $shell.BeginInvoke()
    if (-not $handle.AsyncWaitHandle.WaitOne($TimeoutSeconds * 1000, $false)) {
        $null = $shell.BeginStop($null, $null)
        $result = [ordered]@{}
        $result['Value'] = New-SfbSectionError -Message "timed out: still running after $TimeoutSeconds s (stopped)"
        $result['Failed'] = $true
        $result['TimedOut'] = $true
        $result['Source'] = ''
        return $result
    }
    try {
        $output = @($shell.EndInvoke($handle))
    } catch {
        $output = @()
        $result = [ordered]@{}
        $result['Value'] = New-SfbSectionError -Message (Get-SfbErrorText -ErrorRecord $_)
        $result['Failed'] = $true
        $result['Source'] = ''
        $output = @($result)
    } finally {
        $shell.Dispose()
    }
    if ($output.Count -ne 1) {
        return Invoke-SfbGuarded -Function 'Get-SfbNoOutput'
    }
    $result = $output[0].PSObject.BaseObject  # the dictionary itself, not the pipeline's PSObject wrapper
    $result['TimedOut'] = $false
    return $result
}

function Get-SfbNoOutput {
    throw 'the section returned no result'
}

function Invoke-SfbCollection {
    # Every wanted section: its value (or {"Error"}) and, in $Info, its source, seconds and outcome.
    param($Catalog, $Info)
    $collected = [ordered]@{}
    $started = Get-Date
    $deadline = $started.AddSeconds($TotalTimeoutSeconds)
    $worker = $null
    foreach ($entry in $Catalog) {
        $name = $entry[0]
        if (-not (Test-SfbWanted -Name $name -ForRoles $entry[1])) {
            continue
        }
        $begin = Get-Date
        $left = [int][Math]::Floor(($deadline - $begin).TotalSeconds)
        $about = [ordered]@{}
        if ($left -le 0) {
            $collected[$name] = New-SfbSectionError -Message "not collected: the total time limit of $TotalTimeoutSeconds s was reached"
            $about['Outcome'] = 'skipped'
            $about['Seconds'] = 0
            $Info[$name] = $about
            continue
        }
        if ($InProcess) {
            $result = Invoke-SfbGuarded -Function $entry[2]
            $result['TimedOut'] = $false
        } else {
            if ($null -eq $worker) {
                $worker = New-SfbWorker
            }
            $result = Invoke-SfbInWorker -Worker $worker -Function $entry[2] -TimeoutSeconds ([Math]::Min($SectionTimeoutSeconds, $left))
            if ($result['TimedOut']) {
                $worker = $null  # still busy: the next section gets a new one
            }
        }
        $collected[$name] = $result['Value']
        $about['Source'] = $result['Source']
        $about['Seconds'] = [Math]::Round(((Get-Date) - $begin).TotalSeconds, 2)
        $about['Outcome'] = 'collected'
        if ($result['TimedOut']) {
            $about['Outcome'] = 'timed out'
        } elseif ($result['Failed']) {
            $about['Outcome'] = 'failed'
        }
        $Info[$name] = $about
    }
    return $collected
}

function New-SfbDocument {
    param($Collected, $Info, [datetime]$Started)
    $identity = $Collected['Identity']
    if (-not ($identity -is [System.Collections.IDictionary] -and $identity.Contains('ShortName'))) {
        $identity = Get-SfbDnsIdentity  # the section failed or timed out (e.g. Get-CsComputer hung): the registry
    }
    $short = "$($identity['ShortName'])"
    $suffix = "$($identity['PrimaryDnsSuffix'])"
    $topology = "$($identity['TopologyFqdn'])"
    $dnsFqdn = "$($identity['DnsFqdn'])"
    $server = $dnsFqdn
    if ($topology) {
        $server = $topology
    }
    $collection = [ordered]@{}
    $collection['SectionTimeoutSeconds'] = $SectionTimeoutSeconds
    $collection['TotalTimeoutSeconds'] = $TotalTimeoutSeconds
    $collection['InProcess'] = [bool]$InProcess
    $collection['Seconds'] = [Math]::Round(((Get-Date) - $Started).TotalSeconds, 2)
    $collection['TotalTimedOut'] = (@($Info.Values | Where-Object { $_['Outcome'] -eq 'skipped' }).Count -gt 0)
    $collection['Redacted'] = [bool]$Redact
    $collection['Sections'] = $Info
    $document = [ordered]@{}
    $document['Integrity'] = 'SHA-256'
    $document['SchemaVersion'] = $SchemaVersion
    $document['Server'] = $server.ToLowerInvariant()
    $document['ShortName'] = $short
    $document['PrimaryDnsSuffix'] = $suffix
    $document['TopologyFqdn'] = $topology
    $document['CollectedAt'] = $Started.ToUniversalTime().ToString('o')
    $document['CollectorVersion'] = $CollectorVersion
    $document['PSVersion'] = $PSVersionTable.PSVersion.ToString()
    $document['CLRVersion'] = "$($PSVersionTable.CLRVersion)"
    $document['Roles'] = $Roles
    $document['Collection'] = $collection
    $document['Sections'] = $Collected
    return $document
}

if ($LibraryOnly) {
    return
}

# -- collect ---------------------------------------------------------------------------------------------
$started = Get-Date
$info = [ordered]@{}
$collected = Invoke-SfbCollection -Catalog $Catalog -Info $info
$document = New-SfbDocument -Collected $collected -Info $info -Started $started
if ($Redact) {
    $names = Get-SfbRedactionNames -Document $document
    $document = ConvertTo-SfbRedacted -Value $document -Names $names -Addresses ([ordered]@{})
}
$json = ConvertTo-SfbSealedJson -Document $document

if ($OutFile) {
    $utf8 = New-Object System.Text.UTF8Encoding $false
    [System.IO.File]::WriteAllText($OutFile, $json, $utf8)
    "sfbcheck evidence of $($document['Server']) written to $OutFile ($($collected.Count) sections)"
} elseif ($AsBase64) {
    ConvertTo-SfbBase64Text -Text $json
} else {
    $json
}
