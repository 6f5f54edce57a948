"""The offline build table (VER-01): sorted, unique, every row sourced, and complete against the Microsoft
update-history page it names ("Skype for Business Server updates", December 2024 revision, and the late-2021 one)."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys

import pytest

from selftest.harness import PROJECT
from sfbcheck.builds import table
from sfbcheck.facts.system import parse_version

# Every package the update-history page (source "update-history", its December 2024 revision) lists, as (product,
# package, month), transcribed from the page (its security updates under this table's names). The table must hold each
# one. (The page's "November 2017" for SfB 2015 CU4 is the November 2016 update, and its "August 2023" for SfB 2015 CU13
# is not the month of the build the table has: see the table's notes.)
SU = "Security update, {} ({})"
PAGE = {
    "sfb2019": [("Cumulative Update 1", "2019-07"), ("Cumulative Update 1 Hotfix 1", "2019-09"),
                ("Cumulative Update 2", "2019-12"), ("Cumulative Update 3", "2020-03"),
                ("Cumulative Update 3 Hotfix 1", "2020-07"), ("Cumulative Update 4", "2020-09"),
                ("Cumulative Update 4 Hotfix 1", "2020-11"), ("Cumulative Update 5", "2021-03"),
                ("Cumulative Update 6", "2021-12"), (SU.format("April 12, 2022", "KB5012686"), "2022-04"),
                (SU.format("July 12, 2022", "KB5016714"), "2022-07"), ("Cumulative Update 6 Hotfix 3", "2022-10"),
                ("Cumulative Update 7", "2023-06"), ("Cumulative Update 7 Hotfix 1", "2023-07"),
                (SU.format("October 10, 2023", "KB5032429"), "2023-10"), ("Cumulative Update 8", "2024-12")],
    "sfb2015": [("Cumulative update (Front End server and Edge server)", "2015-06"),
                ("Cumulative update (core components)", "2015-09"), ("Cumulative Update 1", "2015-11"),
                ("Cumulative Update 2", "2016-03"), ("Cumulative Update 3", "2016-06"),
                ("Cumulative Update 4", "2016-11"), ("Cumulative Update 4 Hotfix 1", "2017-02"),
                ("Cumulative Update 5", "2017-05"), ("Cumulative Update 6", "2017-12"),
                ("Cumulative Update 6 Hotfix 1", "2018-01"), ("Cumulative Update 6 Hotfix 2", "2018-03"),
                ("Cumulative Update 7", "2018-07"), ("Cumulative Update 8", "2019-01"),
                ("Cumulative Update 9", "2019-05"), ("Cumulative Update 10", "2019-07"),
                ("Cumulative Update 10 Hotfix 1", "2019-08"), ("Cumulative Update 11", "2020-05"),
                ("Cumulative Update 11 Hotfix 1", "2020-07"), ("Cumulative Update 11 Hotfix 2", "2020-11"),
                ("Cumulative Update 12", "2021-08"), ("Cumulative Update 12 Hotfix 1", "2022-02"),
                (SU.format("April 12, 2022", "KB5012686"), "2022-04"),
                (SU.format("July 12, 2022", "KB5016714"), "2022-07"), ("Cumulative Update 12 Hotfix 4", "2022-12"),
                (SU.format("October 10, 2023", "KB5032429"), "2023-10")],
    "lync2013": [("Cumulative Update 1", "2013-02"), ("Cumulative Update 2", "2013-07"),
                 ("Cumulative Update 3", "2013-10"), ("Cumulative Update 4", "2014-01"),
                 ("Cumulative Update 5", "2014-08"), ("Cumulative Update 5 Hotfix 2", "2014-09"),
                 ("Cumulative Update 5 Hotfix 5", "2014-10"), ("Cumulative Update 5 Hotfix 6", "2014-11"),
                 ("Cumulative Update 5 Hotfix 7", "2014-12"), ("Cumulative Update 5 Hotfix 7.1", "2014-12"),
                 ("Cumulative Update 5 Hotfix 8", "2015-02"), ("Cumulative Update 5 Hotfix 9", "2015-05"),
                 ("Cumulative Update 5 Hotfix 10", "2015-07"), ("Cumulative Update 6", "2015-09"),
                 ("Cumulative Update 6 Hotfix 1", "2015-12"), ("Cumulative Update 6 Hotfix 2", "2016-01"),
                 ("Cumulative Update 7", "2016-04"), ("Cumulative Update 8", "2016-08"),
                 ("Cumulative Update 8 Hotfix 1", "2016-11"), ("Cumulative Update 8 Hotfix 2", "2016-12"),
                 ("Cumulative Update 8 Hotfix 3", "2017-01"), ("Cumulative Update 8 Hotfix 4", "2017-03"),
                 ("Cumulative Update 9", "2017-07"), ("Cumulative Update 10", "2018-07"),
                 ("Cumulative Update 10 Hotfix 1", "2019-01"), ("Cumulative Update 10 Hotfix 2", "2019-06"),
                 ("Cumulative Update 10 Hotfix 3", "2019-09"), ("Cumulative Update 10 Hotfix 4", "2020-07"),
                 ("Cumulative Update 10 Hotfix 5", "2021-02"), ("Cumulative Update 10 Hotfix 6", "2021-05"),
                 ("Cumulative Update 10 Hotfix 7", "2022-02"), (SU.format("April 12, 2022", "KB5012681"), "2022-04"),
                 (SU.format("July 12, 2022", "KB5016714"), "2022-07")],
}
# The late-2021 revision (source "update-history-2021") also lists two SfB 2015 hotfixes the later one dropped.
PAGE_2021 = {"sfb2015": [("Cumulative Update 11 Hotfix 3", "2021-02"), ("Cumulative Update 11 Hotfix 4", "2021-06")]}


def test_three_products_with_their_major_versions():
    known = table()
    assert {p: info.major for p, info in known.products.items()} == {"lync2013": 5, "sfb2015": 6, "sfb2019": 7}
    assert set(known.builds) == set(known.products)


@pytest.mark.parametrize("product", ["lync2013", "sfb2015", "sfb2019"])
def test_rows_are_in_release_order_with_rising_versions(product):
    rows = table().builds[product]
    months = [b.month for b in rows if b.month is not None]
    assert months == sorted(months), months
    assert all(re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", m) for m in months)
    versions = [b.version for b in rows if b.version is not None]
    assert all(a < b for a, b in itertools.pairwise(versions)), versions
    major = table().products[product].major
    assert all(v[0] == major and v > table().products[product].rtm for v in versions)
    assert all(b.month is not None or b.version is not None for b in rows), "a row must be placed by one"


@pytest.mark.parametrize("product", ["lync2013", "sfb2015", "sfb2019"])
def test_rows_are_unique(product):
    rows = table().builds[product]
    names = [n.casefold() for b in rows for n in (b.update, *b.aka)]
    assert len(names) == len(set(names))
    versions = [b.version for b in rows if b.version]
    assert len(versions) == len(set(versions))


def test_every_row_names_its_sources():
    known = table()
    for rows in known.builds.values():
        for build in rows:
            assert build.source in known.sources, build
            assert re.fullmatch(r"KB\d{6,7}", build.kb), build
            if build.version is not None:
                assert build.version_source in known.sources, f"{build}: the version has no source"
    assert all(s.title for s in known.sources.values())


@pytest.mark.parametrize("product", ["lync2013", "sfb2015", "sfb2019"])
def test_complete_against_the_update_history_page(product):
    for key, page in (("update-history", PAGE), ("update-history-2021", PAGE_2021)):
        rows = {(b.update, b.released) for b in table().builds[product] if b.source == key}
        missing = [entry for entry in page.get(product, []) if entry not in rows]
        assert not missing, f"{product}: the update-history page ({key}) lists updates the table lacks: {missing}"


def test_latest_respects_the_month_of_the_evidence():
    known = table()
    assert known.latest("sfb2019").update == "Security update, October 13, 2026"
    assert known.latest("sfb2019", as_of="2026-08").update == "Cumulative Update 8"
    assert known.latest("sfb2019", as_of="2024-01").update == "Security update, October 10, 2023 (KB5032429)"
    assert known.latest("sfb2019", as_of="2023-06").update == "Cumulative Update 7"
    assert known.latest("sfb2019", as_of="2020-06").update == "Cumulative Update 3"
    assert known.latest("sfb2015", as_of="2015-10") is None  # no version known before CU1
    assert known.latest("sfb2015", as_of="2025-07").update == "Security update, October 10, 2023 (KB5032429)"
    assert known.latest("sfb2015", as_of="2025-08").update == "Cumulative Update 13"  # its build known by 2025-08
    assert known.latest("sfb2015").version == (6, 0, 9319, 886)
    assert known.latest("lync2013").version == (5, 0, 8308, 1198)
    assert known.level("sfb2019", parse_version("7.0.2046.390")).update == "Cumulative Update 6"
    assert known.find("sfb2019", "cumulative update 3").version == (7, 0, 2046, 216)
    assert known.find("sfb2015", "6.0.9319.548").update == "Cumulative Update 9"
    # other names sources use for a package find it too
    assert known.find("sfb2019", "June 2023 cumulative update").update == "Cumulative Update 7"
    assert known.find("sfb2015", "August 2021 Cumulative Update").version == (6, 0, 9319, 619)


def test_module_prints_the_latest_update_per_product():
    out = subprocess.run([sys.executable, "-m", "sfbcheck.builds"], cwd=PROJECT, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert "Skype for Business Server 2019: Security update, October 13, 2026 (7.0.2046.583" in out
    assert "Skype for Business Server 2015: Security update, October 13, 2026 (6.0.9319.886" in out
    assert "Lync Server 2013: Security update, July 12, 2022 (KB5016714) (5.0.8308.1198" in out
