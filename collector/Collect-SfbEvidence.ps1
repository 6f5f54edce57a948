<#
.SYNOPSIS
    sfbcheck evidence collector: reads what the sfbcheck compliance suite needs from the server it runs on
    and writes one evidence JSON document (schema version 1).

.DESCRIPTION
    READ-ONLY. This script never changes the server: it only runs Get-* cmdlets, reads files, the registry
    and certificate stores, and opens TCP/TLS connections for the probes. The one thing it writes is the
    -OutFile you name (nothing at all when it runs remotely).

    Runs on Windows PowerShell 4.0 (Windows Server 2012 R2) and 5.1. Each section is collected on its own:
    a section that fails is written as {"Error": "<message>"} and the other sections are still collected
    (the suite then reports that section as an evidence gap, with the message).

    Remote use: `python -m sfbcheck.capture` or `pytest --live` send this script over WinRM.
    By hand (an Edge server no one can reach over WinRM), in an elevated Windows PowerShell:

        .\Collect-SfbEvidence.ps1 -Roles edge -OutFile "C:\Temp\$([Net.Dns]::GetHostEntry('').HostName).json"

    and hand the file to the suite's evidence directory as <server fqdn>.json.

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
    FQDNs this server must resolve (pools, Edge internal FQDNs, ...), recorded as Resolve-DnsName answers.
.PARAMETER Sections
    Collect only these sections (default: every section for the roles).
.PARAMETER ProbeTimeoutSeconds
    Timeout of each TCP/TLS probe.
.PARAMETER PoolFqdn
    The pool of this server in the topology (backup status and the pool's SQL back end on Front Ends).
.PARAMETER AsBase64
    Write the document as base64 of its UTF-8 bytes (used by the WinRM transport; keeps non-ASCII intact).
#>
[CmdletBinding()]
param(
    [string[]]$Roles = @(),
    [string]$OutFile = '',
    [int]$LookbackHours = 168,
    [string[]]$ProbeTargets = @(),
    [string[]]$ResolveNames = @(),
    [string[]]$Sections = @(),
    [int]$ProbeTimeoutSeconds = 5,
    [string]$PoolFqdn = '',
    [switch]$AsBase64
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$CollectorVersion = '1.0.0'
$SchemaVersion = 1
$Roles = @($Roles | ForEach-Object { "$_".ToLowerInvariant() })
$SfbServices = @('RTCSRV', 'RTCCLSAGT', 'RTCCAA', 'RTCCAS', 'RTCDATAPROXY', 'RTCMEDIARELAY', 'RTCMRAUTH',
    'RTCATS', 'RTCCCS', 'RTCIMMCU', 'RTCASMCU', 'RTCAVMCU', 'RTCMEDSRV', 'RTCRGS', 'RTCPDPAUTH', 'RTCXMPPTGW',
    'REPLICA', 'FTA', 'MASTER', 'RTCHA', 'W3SVC', 'WAS', 'WACSM', 'MSSQL$RTCLOCAL', 'MSSQL$LYNCLOCAL',
    'MSSQL$RTC', 'SQLAgent$RTC', 'WinRM', 'Dnscache', 'W32Time')
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

# -- conversion to plain JSON values: enums as names, dates ISO 8601, bytes base64 -----------------------
function ConvertTo-SfbValue {
    param($Value, [int]$Depth = 0)
    if ($null -eq $Value) {
        return $null
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
        if ($null -ne $InputObject.PSObject.Properties[$name]) {
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

function Get-SfbErrorText {
    param($ErrorRecord)
    $text = "$($ErrorRecord.Exception.Message)"
    if (-not $text) {
        $text = "$ErrorRecord"
    }
    return $text.Trim()
}

# -- host facts ------------------------------------------------------------------------------------------
function Get-SfbNetIPAddress {
    $addresses = Get-NetIPAddress -AddressFamily @('IPv4', 'IPv6')
    return ConvertTo-SfbRecordList -InputObject $addresses -Property @('InterfaceAlias', 'InterfaceIndex',
        'IPAddress', 'PrefixLength', 'AddressFamily', 'PrefixOrigin', 'AddressState')
}

function Get-SfbNetRoute {
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

function Get-SfbComputerSystem {
    $system = Get-CimInstance -ClassName Win32_ComputerSystem
    return ConvertTo-SfbRecord -InputObject $system -Property @('Name', 'DNSHostName', 'Domain', 'PartOfDomain',
        'Workgroup', 'DomainRole')
}

function Get-SfbOperatingSystem {
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    return ConvertTo-SfbRecord -InputObject $os -Property @('Caption', 'Version', 'BuildNumber', 'ProductType',
        'SystemDrive', 'LastBootUpTime', 'OSArchitecture')
}

function Get-SfbDnsClientGlobalSetting {
    $setting = Get-DnsClientGlobalSetting
    return ConvertTo-SfbRecord -InputObject $setting -Property @('SuffixSearchList', 'UseDevolution',
        'DevolutionLevel')
}

function Get-SfbTcpipParameters {
    $path = 'HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters'
    $values = Get-ItemProperty -Path $path
    return ConvertTo-SfbRecord -InputObject $values -Property @('Hostname', 'Domain', 'NV Hostname', 'NV Domain',
        'SearchList')
}

function Get-SfbDnsClient {
    $clients = Get-DnsClient
    return ConvertTo-SfbRecordList -InputObject $clients -Property @('InterfaceAlias', 'InterfaceIndex',
        'ConnectionSpecificSuffix', 'RegisterThisConnectionsAddress', 'UseSuffixWhenRegistering')
}

function Get-SfbDnsClientServerAddress {
    $servers = Get-DnsClientServerAddress
    return ConvertTo-SfbRecordList -InputObject $servers -Property @('InterfaceAlias', 'InterfaceIndex',
        'AddressFamily', 'ServerAddresses')
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

# A registry key's last write time (SCHANNEL-03: a change since the last boot is a reboot pending). Neither
# PowerShell nor .NET exposes it, so the collector asks advapi32!RegQueryInfoKey, which only reads the key.
$RegQueryInfoKeySignature = @'
[DllImport("advapi32.dll", CharSet = CharSet.Unicode)]
public static extern int RegQueryInfoKey(Microsoft.Win32.SafeHandles.SafeRegistryHandle hKey, IntPtr lpClass,
    IntPtr lpcchClass, IntPtr lpReserved, IntPtr lpcSubKeys, IntPtr lpcbMaxSubKeyLen, IntPtr lpcbMaxClassLen,
    IntPtr lpcValues, IntPtr lpcbMaxValueNameLen, IntPtr lpcbMaxValueLen, IntPtr lpcbSecurityDescriptor,
    out long lpftLastWriteTime);
'@

function Get-SfbRegistryKeyLastWriteTime {
    param($Key)
    try {
        if (-not ('SfbCheck.RegistryInfo' -as [type])) {
            Add-Type -MemberDefinition $RegQueryInfoKeySignature -Name 'RegistryInfo' -Namespace 'SfbCheck'
        }
        $fileTime = [long]0
        $zero = [IntPtr]::Zero
        $status = [SfbCheck.RegistryInfo]::RegQueryInfoKey($Key.Handle, $zero, $zero, $zero, $zero, $zero, $zero,
            $zero, $zero, $zero, $zero, [ref]$fileTime)
        if ($status -eq 0) {
            return [DateTime]::FromFileTimeUtc($fileTime)
        }
    } catch {
        return $null
    }
    return $null
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
    $record['LastWriteTime'] = ConvertTo-SfbValue -Value (Get-SfbRegistryKeyLastWriteTime -Key $key)
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
                    'DisplayVersion', 'Publisher', 'InstallDate')))
            }
        }
    }
    return , $products.ToArray()
}

# -- certificates ----------------------------------------------------------------------------------------
function Get-SfbPrivateKeyFile {
    param($Certificate)
    if (-not $Certificate.HasPrivateKey) {
        return $null
    }
    $machineKeys = Join-Path -Path $env:ProgramData -ChildPath 'Microsoft\Crypto'
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
            $name = $Certificate.PrivateKey.CspKeyContainerInfo.UniqueKeyContainerName
        } catch {
            $name = $null
        }
    }
    if (-not $name) {
        return $null
    }
    foreach ($folder in @('RSA\MachineKeys', 'Keys', 'SystemKeys')) {
        $candidate = Join-Path -Path (Join-Path -Path $machineKeys -ChildPath $folder) -ChildPath $name
        if (Test-Path -LiteralPath $candidate) {
            return $candidate
        }
    }
    return $null
}

function Get-SfbPrivateKeyAcl {
    param($Certificate)
    $file = Get-SfbPrivateKeyFile -Certificate $Certificate
    if (-not $file) {
        return $null
    }
    $acl = Get-Acl -LiteralPath $file
    $rules = New-Object System.Collections.ArrayList
    foreach ($rule in @($acl.Access)) {
        $entry = [ordered]@{}
        $entry['IdentityReference'] = "$($rule.IdentityReference)"
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
        try {
            $record['PrivateKeyAccess'] = Get-SfbPrivateKeyAcl -Certificate $Certificate
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

function Get-SfbWinEvent {
    $since = (Get-Date).AddHours(-$LookbackHours)
    $filter = @{ LogName = 'Lync Server'; StartTime = $since }
    $events = @(Get-WinEvent -FilterHashtable $filter -ErrorAction SilentlyContinue |
        Where-Object { $_.LevelDisplayName -ne 'Information' -or $_.Id -eq 12289 -or $_.Id -eq 32000 })
    return ConvertTo-SfbRecordList -InputObject $events -Property @('ProviderName', 'Id', 'LevelDisplayName',
        'TimeCreated', 'MachineName', 'Message')
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
    $match = @(Get-NetIPAddress -IPAddress $Address -ErrorAction SilentlyContinue)
    if ($match.Count -gt 0) {
        return "$($match[0].InterfaceAlias)"
    }
    return $null
}

function Test-SfbTcpConnect {
    param([string]$ComputerName, [int]$Port)
    $record = [ordered]@{}
    $record['ComputerName'] = $ComputerName
    $record['RemoteAddress'] = $null
    $record['RemotePort'] = $Port
    $record['InterfaceAlias'] = $null
    $record['SourceAddress'] = $null
    $record['TcpTestSucceeded'] = $false
    $record['Error'] = ''
    $client = New-Object System.Net.Sockets.TcpClient
    try {
        $pending = $client.BeginConnect($ComputerName, $Port, $null, $null)
        if ($pending.AsyncWaitHandle.WaitOne($ProbeTimeoutSeconds * 1000, $false) -and $client.Connected) {
            $client.EndConnect($pending)
            $record['TcpTestSucceeded'] = $true
            $record['RemoteAddress'] = $client.Client.RemoteEndPoint.Address.ToString()
            $record['SourceAddress'] = $client.Client.LocalEndPoint.Address.ToString()
            $record['InterfaceAlias'] = Get-SfbInterfaceAlias -Address $record['SourceAddress']
        } else {
            $record['Error'] = "TCP connect failed: no answer within $ProbeTimeoutSeconds s"
        }
    } catch {
        $record['Error'] = Get-SfbErrorText -ErrorRecord $_
    } finally {
        $client.Close()
    }
    return $record
}

function Get-SfbPresentedChain {
    param([string]$ComputerName, [int]$Port)
    $record = [ordered]@{}
    $record['ComputerName'] = $ComputerName
    $record['RemoteAddress'] = $null
    $record['RemotePort'] = $Port
    $record['TcpTestSucceeded'] = $false
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
        $ssl = New-Object System.Net.Security.SslStream -ArgumentList @($client.GetStream(), $false, $accept)
        try {
            $ssl.AuthenticateAsClient($ComputerName)
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
    $results = New-Object System.Collections.ArrayList
    foreach ($target in $ProbeTargets) {
        $parts = Split-SfbTarget -Target $target
        if (-not $parts['Tls']) {
            $null = $results.Add((Test-SfbTcpConnect -ComputerName $parts['Host'] -Port $parts['Port']))
        }
    }
    return , $results.ToArray()
}

function Get-SfbTlsProbes {
    $results = New-Object System.Collections.ArrayList
    foreach ($target in $ProbeTargets) {
        $parts = Split-SfbTarget -Target $target
        if ($parts['Tls']) {
            $null = $results.Add((Get-SfbPresentedChain -ComputerName $parts['Host'] -Port $parts['Port']))
        }
    }
    return , $results.ToArray()
}

function Get-SfbResolveDnsName {
    $results = New-Object System.Collections.ArrayList
    foreach ($name in $ResolveNames) {
        $entry = [ordered]@{}
        $entry['QueryName'] = $name
        $entry['Error'] = $null
        $entry['Records'] = @()
        try {
            $answers = Resolve-DnsName -Name $name -DnsOnly:$false -ErrorAction Stop
            $entry['Records'] = ConvertTo-SfbRecordList -InputObject $answers -Property @('Name', 'Type', 'TTL',
                'Section', 'IPAddress', 'NameHost')
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
    $answers = Resolve-DnsName -Name $name -ErrorAction Stop
    return ConvertTo-SfbRecordList -InputObject $answers -Property @('Name', 'Type', 'NameHost', 'IPAddress', 'TTL',
        'Section')
}

function Get-SfbReplicaShareAccess {
    $access = Get-SmbShareAccess -Name 'xds-replica'
    return ConvertTo-SfbRecordList -InputObject $access -Property @('Name', 'ScopeName', 'AccountName',
        'AccessControlType', 'AccessRight')
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
# Name, the roles that collect it ('*' = every server), the function that reads it.
$Catalog = @(
    @('NetIPAddress', '*', 'Get-SfbNetIPAddress'),
    @('NetRoute', '*', 'Get-SfbNetRoute'),
    @('Win32_ComputerSystem', '*', 'Get-SfbComputerSystem'),
    @('Win32_OperatingSystem', '*', 'Get-SfbOperatingSystem'),
    @('DnsClientGlobalSetting', '*', 'Get-SfbDnsClientGlobalSetting'),
    @('DnsClient', '*', 'Get-SfbDnsClient'),
    @('DnsClientServerAddress', '*', 'Get-SfbDnsClientServerAddress'),
    @('TcpipParameters', '*', 'Get-SfbTcpipParameters'),
    @('HostsFile', '*', 'Get-SfbHostsFile'),
    @('Registry', '*', 'Get-SfbRegistry'),
    @('InstalledProducts', '*', 'Get-SfbInstalledProducts'),
    @('CertificateStores', '*', 'Get-SfbCertificateStores'),
    @('CsCertificate', 'frontend,edge,director,mediation', 'Get-SfbCsCertificate'),
    @('Win32_Service', '*', 'Get-SfbService'),
    @('WinEvent', 'frontend,edge,director,mediation', 'Get-SfbWinEvent'),
    @('CsSipDomain', 'frontend', 'Get-SfbCsSipDomain'),
    @('CsHostingProvider', 'frontend', 'Get-SfbCsHostingProvider'),
    @('CsAllowedDomain', 'frontend', 'Get-SfbCsAllowedDomain'),
    @('CsAccessEdgeConfiguration', 'frontend', 'Get-SfbAccessEdgeConfiguration'),
    @('CsManagementStoreReplicationStatus', 'cms', 'Get-SfbReplicationStatus'),
    @('CsTopology', 'cms', 'Get-SfbTopology'),
    @('TcpProbe', 'frontend,director', 'Get-SfbTcpProbes'),
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
    @('ResolveDnsName', 'frontend,director,edge', 'Get-SfbResolveDnsName')
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

# -- collect ---------------------------------------------------------------------------------------------
$collected = [ordered]@{}
foreach ($entry in $Catalog) {
    $name = $entry[0]
    if (-not (Test-SfbWanted -Name $name -ForRoles $entry[1])) {
        continue
    }
    try {
        $collected[$name] = & (Get-Command -Name $entry[2] -CommandType Function)
    } catch {
        $failure = [ordered]@{}
        $failure['Error'] = Get-SfbErrorText -ErrorRecord $_
        $collected[$name] = $failure
    }
}

$fqdn = [System.Net.Dns]::GetHostEntry('').HostName
$document = [ordered]@{}
$document['SchemaVersion'] = $SchemaVersion
$document['Server'] = $fqdn.ToLowerInvariant()
$document['CollectedAt'] = (Get-Date).ToUniversalTime().ToString('o')
$document['CollectorVersion'] = $CollectorVersion
$document['PSVersion'] = $PSVersionTable.PSVersion.ToString()
$document['Roles'] = $Roles
$document['Sections'] = $collected
$json = ConvertTo-Json -InputObject $document -Depth 12 -Compress

if ($OutFile) {
    $utf8 = New-Object System.Text.UTF8Encoding $false
    [System.IO.File]::WriteAllText($OutFile, $json, $utf8)
    "sfbcheck evidence of $($document['Server']) written to $OutFile ($($collected.Count) sections)"
} elseif ($AsBase64) {
    $bytes = (New-Object System.Text.UTF8Encoding $false).GetBytes($json)
    [Convert]::ToBase64String($bytes, [System.Base64FormattingOptions]::InsertLineBreaks)
} else {
    $json
}
