"""Your own tests, the testinfra way: every inventory server reached over WinRM is a ``host``.

Copy this file into ``tests/`` (or pass it next to ``tests``) and run it live; ``host`` connects with the
inventory's connection settings (HTTPS, the CA file, NTLM/Kerberos/CredSSP, credentials from the environment):

    .venv/bin/python -m pytest --live --inventory inventories/<name>/inventory.yml \
        tests docs/examples/test_windows_hosts.py

Without ``--live`` these tests are skipped. testinfra's Linux modules (``host.service``, ``host.package``)
do not apply to Windows: use ``host.run`` with a command or ``powershell -Command``.
"""

from __future__ import annotations


def test_server_answers_with_its_own_name(host):
    result = host.run("hostname")
    assert result.rc == 0
    assert result.stdout.strip().lower() == host.backend.hostname.partition(".")[0]


def test_winrm_service_is_running(host):
    result = host.run('powershell -NoProfile -NonInteractive -Command "(Get-Service -Name WinRM).Status"')
    assert result.stdout.strip() == "Running"
