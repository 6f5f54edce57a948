"""The offline build table (VER-01): sorted, unique, every row sourced, and complete against the Microsoft
update-history page it names ("Skype for Business Server updates", July 2020 revision)."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys

import pytest

from selftest.harness import PROJECT
from sfbcheck.builds import table
from sfbcheck.facts.system import parse_version

# Every package the update-history page (source "update-history-2019") lists, as (product, package, month).
# Transcribed from the page; the table must hold each one. (The page's "November 2017" for SfB 2015 CU4 is
# the November 2016 update, see the table's note.)
PAGE = {
    "sfb2019": [("Cumulative Update 1", "2019-07"), ("Cumulative Update 1 Hotfix 1", "2019-09"),
                ("Cumulative Update 2", "2019-12"), ("Cumulative Update 3", "2020-03"),
                ("Cumulative Update 4", "2020-07")],
    "sfb2015": [("Cumulative update (Front End server and Edge server)", "2015-06"),
                ("Cumulative update (core components)", "2015-09"), ("Cumulative Update 1", "2015-11"),
                ("Cumulative Update 2", "2016-03"), ("Cumulative Update 3", "2016-06"),
                ("Cumulative Update 4", "2016-11"), ("Cumulative Update 4 Hotfix 1", "2017-02"),
                ("Cumulative Update 5", "2017-05"), ("Cumulative Update 6", "2017-12"),
                ("Cumulative Update 6 Hotfix 1", "2018-01"), ("Cumulative Update 6 Hotfix 2", "2018-03"),
                ("Cumulative Update 7", "2018-07"), ("Cumulative Update 8", "2019-01"),
                ("Cumulative Update 9", "2019-05"), ("Cumulative Update 10", "2019-07"),
                ("Cumulative Update 10 Hotfix 1", "2019-08"), ("Cumulative Update 11", "2020-05"),
                ("Cumulative Update 12", "2020-07")],
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
                 ("Cumulative Update 10 Hotfix 3", "2019-09"), ("Cumulative Update 11", "2020-07")],
}


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
    names = [b.update for b in rows]
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
    rows = {(b.update, b.released) for b in table().builds[product] if b.source == "update-history-2019"}
    missing = [entry for entry in PAGE[product] if entry not in rows]
    assert not missing, f"{product}: the update-history page lists updates the table lacks: {missing}"


def test_latest_respects_the_month_of_the_evidence():
    known = table()
    assert known.latest("sfb2019").update == "Cumulative Update 8"
    assert known.latest("sfb2019", as_of="2024-01").update == "June 2023 Cumulative Update"  # CU8: known by 2025-08
    assert known.latest("sfb2019", as_of="2020-06").update == "Cumulative Update 3"
    assert known.latest("sfb2015", as_of="2015-10") is None  # no version known before CU1
    assert known.level("sfb2019", parse_version("7.0.2046.390")).update == "Cumulative Update 6"
    assert known.find("sfb2019", "cumulative update 3").version == (7, 0, 2046, 216)
    assert known.find("sfb2015", "6.0.9319.548").update == "Cumulative Update 9"


def test_module_prints_the_latest_update_per_product():
    out = subprocess.run([sys.executable, "-m", "sfbcheck.builds"], cwd=PROJECT, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert "Skype for Business Server 2019: Cumulative Update 8 (7.0.2046.553" in out
    assert "Skype for Business Server 2015: Cumulative Update 13 (6.0.9319.881" in out
    assert "Lync Server 2013: September 2021 Cumulative Update (Core Components) (5.0.8308.1149" in out
