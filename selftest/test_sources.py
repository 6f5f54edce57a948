"""Every requirement links to its source: each catalog source resolves in sfbcheck/sources.yml, docs/sources.md
lists each seed's title and each public page's title and address, and the HTML report links to them."""

from __future__ import annotations

from selftest.harness import PROJECT
from sfbcheck import sources
from sfbcheck.catalog import catalog
from sfbcheck.report.html import source_line


def test_every_catalog_source_resolves():
    assert sources.unresolved([req.source for req in catalog().values()]) == []


def test_docs_list_every_seed_and_page_with_title_and_address():
    text = (PROJECT / "docs" / "sources.md").read_text(encoding="utf-8")
    for number, entry in sources.known()["seeds"].items():
        assert f"| {number} | {entry['title']} |" in text
    for entry in sources.known()["pages"].values():
        assert entry["title"] in text and f"<{entry['url']}>" in text
        assert entry["url"].startswith("https://")


def test_a_seed_and_a_page_resolve_with_their_part():
    seed, page = sources.resolve("000 Edge replication troubleshooter: Routing; Microsoft: Disable TLS 1.0/1.1 in "
                                 "Skype for Business Server 2015 (prerequisites)")
    assert (seed.seed, seed.detail) == ("000", "Edge replication troubleshooter: Routing")
    assert page.url and page.url.startswith("https://learn.microsoft.com/") and page.detail == "prerequisites"


def test_the_report_links_a_public_source_and_names_a_seed():
    public = next(req for req in catalog().values() if "Microsoft:" in req.source)
    assert "<a href='https://" in source_line(public.id)
    seeded = next(req for req in catalog().values() if req.source.startswith("000"))
    assert "seed 000: <i>Skype for Business Edge Server replication troubleshooter</i>" in source_line(seeded.id)
