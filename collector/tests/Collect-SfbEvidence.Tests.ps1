<#
    Pester tests of the sfbcheck collector, to run on the Windows server you want to collect from.

    They only read (like the collector): the pure parts (value conversion, record shaping, section error
    handling, the SHA-256 seal, base64 output, redaction) and then every host section on this server, on both
    of its paths where this Windows has both (the 2012 cmdlets and the WMI/.NET path of 2008 R2).

    Run, in Windows PowerShell 3.0, 4.0 or 5.1 (as an administrator, like the collector):

        cd <the sfbcheck folder>\collector\tests
        Invoke-Pester -Path .\Collect-SfbEvidence.Tests.ps1

    Works with Pester 3.4 (shipped with Windows Server 2016 and 2019), 4 and 5: the assertions are plain
    throws, not Should. Without Pester (2008 R2, 2012, 2012 R2): Install-Module Pester -Scope CurrentUser, or
    copy the Pester module folder from another machine into $env:USERPROFILE\Documents\WindowsPowerShell\Modules.
#>

Describe 'Collect-SfbEvidence.ps1: pure parts' {
    It 'converts dates to ISO 8601 UTC, enums to names, bytes to base64' {
        . (Join-Path $PSScriptRoot 'Import-SfbTestLibrary.ps1')
        $date = New-Object DateTime 2026, 11, 22, 1, 2, 3, ([DateTimeKind]::Utc)
        Assert-SfbTest ((ConvertTo-SfbValue -Value $date) -eq '2026-11-22T01:02:03.0000000Z') 'date'
        Assert-SfbTest ((ConvertTo-SfbValue -Value ([System.DayOfWeek]::Monday)) -eq 'Monday') 'enum'
        Assert-SfbTest ((ConvertTo-SfbValue -Value ([byte[]](1, 2, 255))) -eq 'AQL/') 'bytes'
        $nested = ConvertTo-SfbValue -Value @{ A = @(1, 2); B = @{ C = $date } }
        Assert-SfbTest ($nested['B']['C'] -eq '2026-11-22T01:02:03.0000000Z') 'nested date'
        Assert-SfbTest (@($nested['A']).Count -eq 2) 'nested list'
    }

    It 'shapes records with the asked properties, null where the object has none' {
        . (Join-Path $PSScriptRoot 'Import-SfbTestLibrary.ps1')
        $record = ConvertTo-SfbRecord -InputObject ([pscustomobject]@{ Name = 'x'; Size = 3 }) -Property @('Name', 'Gone')
        Assert-SfbTest ($record['Name'] -eq 'x') 'Name'
        Assert-SfbTest ($record.Contains('Gone') -and $null -eq $record['Gone']) 'missing property is null'
        $list = ConvertTo-SfbRecordList -InputObject $null -Property @('Name')
        Assert-SfbTest (@($list).Count -eq 0) 'no input, empty list'
    }

    It 'writes event data as strings: bytes as uppercase hex, dates as ISO 8601' {
        . (Join-Path $PSScriptRoot 'Import-SfbTestLibrary.ps1')
        Assert-SfbTest ((ConvertTo-SfbHex -Bytes ([byte[]](10, 171, 1))) -eq '0AAB01') 'hex'
        $event = [pscustomobject]@{ ProviderName = 'LS Protocol Stack'; Id = 14397; Level = 2;
            LevelDisplayName = 'Fehler'; TimeCreated = (Get-Date); MachineName = 'edge01'; Message = 'm';
            Properties = @([pscustomobject]@{ Value = 'abc' }, [pscustomobject]@{ Value = [byte[]](1, 2) },
                [pscustomobject]@{ Value = 7 }) }
        $record = ConvertTo-SfbEventRecord -Event $event
        Assert-SfbTest ($record['Level'] -eq 2) 'Level number'
        Assert-SfbTest ((@($record['Properties']) -join '|') -eq 'abc|0102|7') 'Properties'
        Assert-SfbTest (Test-SfbEventWanted -Event $event) 'an Error is kept whatever its localised name'
        Assert-SfbTest (-not (Test-SfbEventWanted -Event ([pscustomobject]@{ Level = 4; Id = 1 }))) 'information dropped'
        Assert-SfbTest (Test-SfbEventWanted -Event ([pscustomobject]@{ Level = 4; Id = 12289 })) 'named information kept'
    }

    It 'turns a failing section into {"Error": ...} and keeps a working one' {
        . (Join-Path $PSScriptRoot 'Import-SfbTestLibrary.ps1')
        function Get-SfbTestFails { throw 'access is denied' }
        function Get-SfbTestWorks { return , @(1, 2) }
        $failed = Invoke-SfbGuarded -Function 'Get-SfbTestFails'
        Assert-SfbTest ($failed['Failed'] -and $failed['Value']['Error'] -eq 'access is denied') 'failure'
        $worked = Invoke-SfbGuarded -Function 'Get-SfbTestWorks'
        Assert-SfbTest ((-not $worked['Failed']) -and @($worked['Value']).Count -eq 2) 'success'
    }

    It 'stops a hanging section after its time limit and still answers' {
        . (Join-Path $PSScriptRoot 'Import-SfbTestLibrary.ps1')
        function Get-SfbTestHangs { Start-Sleep -Seconds 30 }
        $worker = New-SfbWorker
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $result = Invoke-SfbInWorker -Worker $worker -Function 'Get-SfbTestHangs' -TimeoutSeconds 2
        Assert-SfbTest ($result['TimedOut'] -and $watch.Elapsed.TotalSeconds -lt 10) 'timed out within the limit'
        Assert-SfbTest ($result['Value']['Error'] -like 'timed out*') 'recorded as an error'
    }

    It 'seals the document: the last member is the SHA-256 of the text before it' {
        . (Join-Path $PSScriptRoot 'Import-SfbTestLibrary.ps1')
        $document = [ordered]@{ Integrity = 'SHA-256'; Server = 'edge01.contoso.local'; Sections = @{ A = 'é' } }
        $json = ConvertTo-SfbSealedJson -Document $document
        $cut = $json.LastIndexOf(',"Sha256":"')
        Assert-SfbTest ($cut -gt 0) 'seal present'
        $hash = $json.Substring($cut + 11, 64)
        Assert-SfbTest ($hash -eq (Get-SfbSha256Hex -Text $json.Substring(0, $cut))) 'hash of the body'
        $parsed = ConvertFrom-Json -InputObject $json
        Assert-SfbTest ($parsed.Server -eq 'edge01.contoso.local') 'still JSON'
    }

    It 'writes base64 of the UTF-8 bytes (non-ASCII intact)' {
        . (Join-Path $PSScriptRoot 'Import-SfbTestLibrary.ps1')
        $text = ConvertTo-SfbBase64Text -Text 'Zürich'
        $back = (New-Object System.Text.UTF8Encoding $false).GetString([Convert]::FromBase64String(($text -replace '\s', '')))
        Assert-SfbTest ($back -eq 'Zürich') 'round trip'
    }

    It 'redacts domain names and addresses and leaves certificates out' {
        . (Join-Path $PSScriptRoot 'Import-SfbTestLibrary.ps1')
        $names = [ordered]@{ 'contoso.local' = 'domain1.example' }
        $value = [ordered]@{ Server = 'fe01.contoso.local'; Ip = 'via 10.10.1.11 and 10.10.1.11'; RawData = 'MIIB' }
        $redacted = ConvertTo-SfbRedacted -Value $value -Names $names -Addresses ([ordered]@{})
        Assert-SfbTest ($redacted['Server'] -eq 'fe01.domain1.example') 'name'
        Assert-SfbTest ($redacted['Ip'] -eq 'via 192.0.2.1 and 192.0.2.1') 'address, the same one each time'
        Assert-SfbTest ($redacted['RawData'] -eq '(redacted)') 'certificate bytes'
    }

    It 'splits probe targets' {
        . (Join-Path $PSScriptRoot 'Import-SfbTestLibrary.ps1')
        $target = Split-SfbTarget -Target 'tls:[fe80::1]:4443'
        Assert-SfbTest ($target['Tls'] -and $target['Host'] -eq 'fe80::1' -and $target['Port'] -eq 4443) 'tls target'
    }

    It 'records a connect that has not answered by the batch deadline as filtered' {
        . (Join-Path $PSScriptRoot 'Import-SfbTestLibrary.ps1')
        $ProbeTimeoutSeconds = 7
        $now = (Get-Date).ToUniversalTime()
        Assert-SfbTest ((Get-SfbMillisecondsLeft -Deadline $now.AddSeconds(-3)) -eq 0) 'past'
        $left = Get-SfbMillisecondsLeft -Deadline $now.AddSeconds(2)
        Assert-SfbTest ($left -gt 0 -and $left -le 2000) "2 s ahead: $left ms"
        $never = New-Object System.Threading.ManualResetEvent $false
        try {
            $attempt = [ordered]@{}
            $attempt['Record'] = New-SfbTcpRecord -ComputerName 'edge01.contoso.local' -Port 4443
            $attempt['Client'] = $null
            $attempt['Pending'] = [pscustomobject]@{ AsyncWaitHandle = $never }
            Invoke-SfbTcpConnectEnd -Attempt $attempt -Deadline $now -Aliases @{}
        } finally {
            $never.Close()
        }
        $record = $attempt['Record']
        Assert-SfbTest (-not $record['TcpTestSucceeded']) 'not connected'
        Assert-SfbTest ($record['Error'] -eq 'TCP connect failed: no answer within 7 s') "Error: $($record['Error'])"
    }
}

Describe 'Collect-SfbEvidence.ps1: on this server' {
    It 'reads every host section without an error' {
        . (Join-Path $PSScriptRoot 'Import-SfbTestLibrary.ps1')
        foreach ($function in @('Get-SfbIdentity', 'Get-SfbNetIPAddress', 'Get-SfbNetRoute', 'Get-SfbComputerSystem',
                'Get-SfbOperatingSystem', 'Get-SfbProcessor', 'Get-SfbLogicalDisk', 'Get-SfbPowerPlan',
                'Get-SfbDataLocations', 'Get-SfbPendingReboot', 'Get-SfbDnsClientGlobalSetting', 'Get-SfbDnsClient',
                'Get-SfbDnsClientServerAddress', 'Get-SfbTcpipParameters', 'Get-SfbHostsFile', 'Get-SfbRegistry',
                'Get-SfbInstalledProducts', 'Get-SfbCertificateStores', 'Get-SfbService')) {
            $result = Invoke-SfbGuarded -Function $function
            Assert-SfbTest (-not $result['Failed']) "$function failed: $($result['Value']['Error'])"
        }
    }

    It 'reads the 2008 R2 paths too (WMI adapters and routes, System.Net.Dns)' {
        . (Join-Path $PSScriptRoot 'Import-SfbTestLibrary.ps1')
        $adapters = @(Get-SfbAdapterConfiguration)
        Assert-SfbTest ($adapters.Count -ge 1 -and @($adapters[0]['IPAddress']).Count -ge 1) 'adapters with addresses'
        $routes = @(Get-CimInstance -ClassName Win32_IP4RouteTable)
        Assert-SfbTest ($routes.Count -ge 1) 'IPv4 route table'
        $records = ConvertTo-SfbHostEntryRecords -Name 'localhost' -HostEntry ([System.Net.Dns]::GetHostEntry('localhost'))
        Assert-SfbTest (@($records).Count -ge 1) 'System.Net.Dns answer'
    }

    It 'reads the registry key write time without compiled code, or says why not' {
        . (Join-Path $PSScriptRoot 'Import-SfbTestLibrary.ps1')
        $key = Get-SfbRegistryKey -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL'
        Assert-SfbTest ($key['Exists']) 'SCHANNEL key exists'
        Assert-SfbTest ($null -ne $key['LastWriteTime'] -or $key.Contains('LastWriteTimeError')) 'a time or a reason'
    }

    It 'probes TCP targets a batch at a time, in their order, with the reason of a refused connect' {
        . (Join-Path $PSScriptRoot 'Import-SfbTestLibrary.ps1')
        $loopback = [System.Net.IPAddress]::Loopback
        $open = New-Object System.Net.Sockets.TcpListener -ArgumentList @($loopback, 0)
        $gone = New-Object System.Net.Sockets.TcpListener -ArgumentList @($loopback, 0)
        try {
            $open.Start()
            $gone.Start()
            $openPort = $open.LocalEndpoint.Port
            $gonePort = $gone.LocalEndpoint.Port
            $gone.Stop()  # nothing listens there any more: the connect is refused
            $ProbeTimeoutSeconds = 10
            $ProbeConcurrency = 2
            $ProbeTargets = @("127.0.0.1:$openPort", "127.0.0.1:$gonePort", "tls:127.0.0.1:$openPort",
                "127.0.0.1:$openPort")
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $records = Get-SfbTcpProbes
            $seconds = $watch.Elapsed.TotalSeconds
        } finally {
            $open.Stop()
            $gone.Stop()
        }
        Assert-SfbTest (@($records).Count -eq 3) "three TCP records (the tls: target is TlsProbe's): $(@($records).Count)"
        $ports = (@($records) | ForEach-Object { $_['RemotePort'] }) -join ','
        Assert-SfbTest ($ports -eq "$openPort,$gonePort,$openPort") "in the order of the targets: $ports"
        $names = @($records[0].Keys) -join ','
        Assert-SfbTest ($names -eq 'ComputerName,RemoteAddress,RemotePort,InterfaceAlias,SourceAddress,TcpTestSucceeded,Error') $names
        foreach ($index in @(0, 2)) {
            $record = $records[$index]
            Assert-SfbTest ($record['TcpTestSucceeded'] -and $record['Error'] -eq '') "record $index connected"
            Assert-SfbTest ($record['RemoteAddress'] -eq '127.0.0.1' -and $record['SourceAddress'] -eq '127.0.0.1') 'addresses'
        }
        $refused = $records[1]
        Assert-SfbTest (-not $refused['TcpTestSucceeded']) 'refused: not connected'
        Assert-SfbTest ($refused['Error'] -like 'TCP connect failed: *' -and $refused['Error'] -notlike '*no answer*') `
            "refused, with its reason (before the deadline): $($refused['Error'])"
        Assert-SfbTest ($seconds -lt 10) "ended when the connects did, not at the deadline: $seconds s"
    }

    It 'writes a sealed document for this server' {
        . (Join-Path $PSScriptRoot 'Import-SfbTestLibrary.ps1')
        $collector = Join-Path $PSScriptRoot '..\Collect-SfbEvidence.ps1'
        $json = & $collector -Sections @('Identity', 'Win32_ComputerSystem', 'Win32_OperatingSystem') -SectionTimeoutSeconds 60
        $parsed = ConvertFrom-Json -InputObject "$json"
        Assert-SfbTest ($parsed.Server -and $parsed.ShortName) 'identity fields'
        Assert-SfbTest ($parsed.Collection.Sections.Win32_OperatingSystem.Outcome -eq 'collected') 'section collected'
        Assert-SfbTest ("$json" -match ',"Sha256":"[0-9a-f]{64}"}$') 'sealed'
    }
}
