"""Judge a lab written to disk in-process, through the same targets the suite parametrizes over, for the
network requirements only (faster than a whole suite run, and the same checks)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sfbcheck import targets
from sfbcheck.checks import dns_records, federation, firewall, tls_endpoints
from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import EvidenceStore
from sfbcheck.inventory import load_inventory

CHECKS: dict[str, tuple[tuple[str, ...], Callable[..., list]]] = {
    "EDGE-FW-01": (("cms_master", "edge"), firewall.cms_to_edge),
    "EDGE-FW-02": (("next_hop_frontend", "edge"), firewall.next_hop_to_edge),
    "EDGE-FW-03": (("cms_master", "edge"), firewall.edge_4443_certificate),
    "EDGE-FW-04": (("edge", "runner"), firewall.edge_443_not_intercepted),
    "CMS-07": (("cms_master", "internal_server"), firewall.cms_to_internal_server),
    "EDGE-DNS-03": (("edge", "runner"), dns_records.edge_internal_a_records),
    "BACKUP-02": (("on_premises_sip_domain", "runner"), dns_records.backup_pool_srv),
    "DNS-01": (("dns_load_balanced_pool", "runner"), dns_records.pool_a_records),
    "DNS-02": (("on_premises_sip_domain", "runner"), dns_records.lyncdiscoverinternal),
    "HYB-03": (("sip_domain", "runner"), dns_records.hybrid_records),
    "FED-01": (("federation_partner", "cms_master", "runner"), federation.hosted_partner_allowed),
    "TLS-02": (("reverse_proxy", "runner"), tls_endpoints.reverse_proxy_versions),
}
DNS_REQUIREMENTS = ("EDGE-DNS-03", "BACKUP-02", "DNS-01", "DNS-02", "HYB-03", "FED-01")


def judge(inventory_path: Path, requirements: tuple[str, ...] = tuple(CHECKS)) -> dict[tuple[str, str], str]:
    """(requirement, host) -> rendered problems, for every failing result (an EvidenceGap counts as failing)."""
    inventory = load_inventory(inventory_path)
    store = EvidenceStore(inventory.evidence_dir)
    failing: dict[tuple[str, str], str] = {}
    for rid in requirements:
        argnames, check = CHECKS[rid]
        for case in targets.TARGETS[argnames](inventory, store):
            try:
                problems = check(*case.values)
            except EvidenceGap as exc:
                failing[(rid, case.host)] = str(exc)
                continue
            if problems:
                failing[(rid, case.host)] = "\n".join(f"{p.message}\nfix: {p.fix}\nevidence: {p.evidence}"
                                                      for p in problems)
    return failing
