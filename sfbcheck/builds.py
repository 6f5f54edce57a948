"""The offline build table (``sfbcheck/data/builds.yml``): the published updates of Lync Server 2013,
Skype for Business Server 2015 and 2019, each with its version, KB, release month and public source (VER-01).

``python -m sfbcheck.builds`` prints the latest known update per product. Sources: Microsoft "Updates for
Skype for Business Server 2019" (KB 4470124), "… 2015" (KB 3061064), "Updates for Lync Server 2013" (KB 2809243),
the "Skype for Business Server updates" history page; see the table's ``sources``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sfbcheck.facts.system import Version, parse_version, show_version

TABLE = "builds.yml"


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    url: str | None

    def __str__(self) -> str:
        return f"{self.title}{f' <{self.url}>' if self.url else ''}"


@dataclass(frozen=True)
class Build:
    product: str
    update: str
    kb: str
    released: str | None  # YYYY-MM
    version: Version | None
    source: str
    version_source: str | None
    released_by: str | None = None  # month unknown: a source shows the update existed by this month
    aka: tuple[str, ...] = ()  # other names sources use for the same package (policy.min_update may give them)

    @property
    def month(self) -> str | None:
        """The release month, or the month by which it existed (for ordering and for ``as_of``)."""
        return self.released or self.released_by

    def __str__(self) -> str:
        version = show_version(self.version) if self.version else "version not in the table"
        return f"{self.update} ({version}, {self.kb}, {self.when})"

    @property
    def when(self) -> str:
        if self.released:
            return self.released
        return f"released by {self.released_by}" if self.released_by else "month not in the table"


@dataclass(frozen=True)
class ProductInfo:
    key: str
    name: str
    major: int
    rtm: Version
    master_kb: str


@dataclass(frozen=True)
class BuildTable:
    table_version: int
    sources: dict[str, Source]
    products: dict[str, ProductInfo]
    builds: dict[str, tuple[Build, ...]]

    def product_of(self, version: Version) -> ProductInfo | None:
        """The product whose major version ``version`` has (5 Lync 2013, 6 SfB 2015, 7 SfB 2019)."""
        return next((p for p in self.products.values() if p.major == version[0]), None)

    def published(self, product: str, as_of: str | None = None) -> tuple[Build, ...]:
        """The product's updates in release order, up to the month ``as_of`` (YYYY-MM; None: all).

        A row known only to exist by a month (``released_by``) counts from that month on; a row without any month
        stays in place: it is published if a later row is, or if nothing later is dated.
        """
        rows = self.builds[product]
        if as_of is None:
            return rows
        last = -1
        for i, build in enumerate(rows):
            if build.month is None or build.month <= as_of:
                last = i
            elif build.released is not None:
                break
        return tuple(b for i, b in enumerate(rows[:last + 1]) if b.month is None or b.month <= as_of)

    def versioned(self, product: str, as_of: str | None = None) -> tuple[Build, ...]:
        return tuple(b for b in self.published(product, as_of) if b.version is not None)

    def latest(self, product: str, as_of: str | None = None) -> Build | None:
        """The newest update of the product with a known version (released by ``as_of``)."""
        found = self.versioned(product, as_of)
        return found[-1] if found else None

    def level(self, product: str, version: Version) -> Build | None:
        """The newest update with a known version the installed ``version`` has reached (None: below all)."""
        reached = [b for b in self.versioned(product) if b.version is not None and b.version <= version]
        return reached[-1] if reached else None

    def find(self, product: str, name_or_version: str) -> Build | None:
        """A row by its update name or another name it is known by (case-insensitive), or by its version."""
        wanted, name = parse_version(name_or_version), name_or_version.strip().casefold()
        for build in self.builds[product]:
            if name in (n.casefold() for n in (build.update, *build.aka)) or (wanted and build.version == wanted):
                return build
        return None


def _build(product: str, row: dict[str, Any]) -> Build:
    version = parse_version(row["version"]) if row.get("version") is not None else None
    if row.get("version") is not None and version is None:
        raise ValueError(f"{TABLE}: {product} {row['update']}: version {row['version']!r} is not a version number")
    return Build(product, str(row["update"]), str(row["kb"]), row.get("released"), version, str(row["source"]),
                 row.get("version_source"), row.get("released_by"), tuple(str(n) for n in row.get("aka") or ()))


@cache
def table() -> BuildTable:
    """The build table shipped with sfbcheck (parsed once)."""
    data = yaml.safe_load(resources.files("sfbcheck").joinpath("data", TABLE).read_text(encoding="utf-8"))
    sources = {k: Source(k, v["title"], v.get("url")) for k, v in data["sources"].items()}
    products = {}
    for key, entry in data["products"].items():
        rtm = parse_version(entry["rtm"])
        if rtm is None:
            raise ValueError(f"{TABLE}: {key}.rtm is not a version number")
        products[key] = ProductInfo(key, entry["name"], int(entry["major"]), rtm, entry["master_kb"])
    builds = {key: tuple(_build(key, row) for row in rows) for key, rows in data["builds"].items()}
    return BuildTable(int(data["table_version"]), sources, products, builds)


def main() -> int:
    """Print the latest known update of each product, with its source."""
    known = table()
    print(f"sfbcheck build table, version {known.table_version}")
    for product in known.products.values():
        latest = known.latest(product.key)
        rows = known.builds[product.key]
        print(f"{product.name}: {latest or 'no update with a known version'}; {len(rows)} updates in the table, "
              f"newest listed {rows[-1].update} ({rows[-1].when})")
        if latest is not None and latest.version_source:
            print(f"  version source: {known.sources[latest.version_source]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
