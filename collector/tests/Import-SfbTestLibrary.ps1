# Dot-sourced at the start of each test (Pester 3, 4 and 5 alike): the collector's functions without collecting,
# and the one assertion the tests use.
. (Join-Path $PSScriptRoot '..\Collect-SfbEvidence.ps1') -LibraryOnly

function Assert-SfbTest {
    param([bool]$Condition, [string]$Message)
    if (-not $Condition) {
        throw $Message
    }
}
