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
    for name, entry in [*sources.known()["pages"].items(), *sources.known()["prefixes"].items()]:
        assert entry["title"] in text
        if entry.get("url"):
            assert entry["url"].startswith("https://") and f"<{entry['url']}>" in text
        else:  # a page without an address says why; only the project's own requirements have none by nature
            assert entry.get("note") or name == "own", name


def test_a_seed_and_a_page_resolve_with_their_part():
    seed, page = sources.resolve("000 Edge replication troubleshooter: Routing; Microsoft: Disable TLS 1.0/1.1 in "
                                 "Skype for Business Server 2015 (prerequisites)")
    assert (seed.seed, seed.detail) == ("000", "Edge replication troubleshooter: Routing")
    assert page.url and page.url.startswith("https://learn.microsoft.com/") and page.detail == "prerequisites"


def test_semicolons_inside_parentheses_and_prefixed_references():
    refs = sources.resolve("Microsoft: Server requirements for Skype for Business Server 2015/2019, Lync Server 2013 "
                           "hardware requirements (Front End 32 GB; Edge 16 GB); OPD RDServerMemory, RDServerCores")
    assert len(refs) == 2 and refs[0].detail == "Front End 32 GB; Edge 16 GB"
    assert refs[1].url == "https://github.com/onpremdiag/SfBServer"
    assert refs[1].detail == "RDServerMemory, RDServerCores"


def test_the_report_links_a_public_source_and_names_a_seed():
    public = next(req for req in catalog().values() if "Microsoft:" in req.source)
    assert "<a href='https://" in source_line(public.id)
    seeded = next(req for req in catalog().values() if req.source.startswith("000"))
    assert "seed 000: <i>Skype for Business Edge Server replication troubleshooter</i>" in source_line(seeded.id)
