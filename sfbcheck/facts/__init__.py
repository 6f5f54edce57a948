"""Parsing: evidence sections turned into typed facts, once per server per run (Evidence.parsed)."""
