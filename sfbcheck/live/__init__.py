"""Live collection: the WinRM transport, concurrent collection into a snapshot, the ``--live`` pytest option
and testinfra hosts for the inventory's servers (see docs/live.md)."""
