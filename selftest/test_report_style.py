"""The reports are readable: every text colour meets WCAG 2.1 AA (4.5:1) against its background, long lines wrap.

pytest-html's own stylesheet has grey text (#999 on white, 2.8:1), orange and red results; sfbcheck's report.css
(passed with --css, after pytest-html's) overrides each rule that fails. The matrix page has its own styles.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import pytest_html

from selftest.harness import PROJECT
from sfbcheck.report import html

AA = 4.5
NAMED = {"black": "#000000", "white": "#ffffff", "green": "#008000", "orange": "#ffa500", "red": "#ff0000"}
PYTEST_HTML_CSS = Path(pytest_html.__file__).parent / "resources" / "style.css"
OURS = PROJECT / "sfbcheck" / "report" / "report.css"
MATRIX = PROJECT / "sfbcheck" / "report" / "matrix.html"
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def luminance(colour: str) -> float:
    value = NAMED.get(colour, colour).lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rules(css: str) -> list[tuple[list[str], dict[str, str]]]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    out = []
    for selectors, body in _RULE.findall(css):
        props = {}
        for declaration in body.split(";"):
            name, _, value = declaration.partition(":")
            if value.strip():
                props[name.strip()] = value.replace("!important", "").strip()
        out.append(([" ".join(s.split()) for s in selectors.split(",")], props))
    return out


def _is_colour(value: str) -> bool:
    return bool(re.fullmatch(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}", value)) or value in NAMED


def colour_pairs(css: str, page: str = "#ffffff") -> list[tuple[str, str, str]]:
    """(selector, text colour, background) for each rule that sets a text colour. A rule without a background is
    paired with each variant of its selector that sets one (``.badge`` with ``.badge.sf``), else with the page."""
    parsed = rules(css)
    backgrounds = {s: b for selectors, props in parsed for s in selectors
                   if _is_colour(b := props.get("background-color") or props.get("background") or "")}
    pairs = []
    for selectors, props in parsed:
        colour = props.get("color", "")
        if not _is_colour(colour):
            continue
        for selector in selectors:
            own = backgrounds.get(selector)
            variants = [b for s, b in backgrounds.items() if s != selector and s.startswith(selector + ".")]
            if "logwrapper" in selector:
                own = own or "#e6e6e6"
            for background in [own] if own else variants or [page]:
                pairs.append((selector, colour, background))
    return pairs


def test_every_failing_pytest_html_colour_is_overridden():
    ours = {selector: colour for selector, colour, _ in colour_pairs(OURS.read_text())}
    our_backgrounds = {s: props.get("background-color") for selectors, props in rules(OURS.read_text())
                       for s in selectors if props.get("background-color")}
    failing = [(s, c, b) for s, c, b in colour_pairs(PYTEST_HTML_CSS.read_text()) if contrast(c, b) < AA]
    assert failing, "pytest-html's stylesheet changed: review report.css"
    for selector, colour, background in failing:
        assert selector in ours, f"{selector} ({colour} on {background}) is not overridden in report.css"
        assert contrast(ours[selector], our_backgrounds.get(selector, background)) >= AA, selector


@pytest.mark.parametrize("path", [OURS, MATRIX], ids=["report.css", "matrix.html"])
def test_every_colour_of_sfbcheck_meets_aa(path):
    text = path.read_text(encoding="utf-8")
    css = text.split("<style>", 1)[1].split("</style>", 1)[0] if path.suffix == ".html" else text
    low = [(s, c, b, round(contrast(c, b), 2)) for s, c, b in colour_pairs(css) if contrast(c, b) < AA]
    assert low == []


def test_inline_warning_colour_meets_aa():
    colour = re.search(r"color:\s*(#[0-9a-fA-F]{6})", html.WARNING_STYLE).group(1)
    assert contrast(colour, "#ffffff") >= AA


def test_long_lines_wrap_in_the_report():
    wrapping = {s for selectors, props in rules(OURS.read_text()) for s in selectors
                if props.get("white-space") == "pre-wrap" and props.get("overflow-wrap") == "anywhere"}
    assert {".sfb-problem pre", ".logwrapper .log"} <= wrapping


def test_the_contrast_formula_matches_wcag_examples():
    assert round(contrast("#999999", "#ffffff"), 2) == 2.85
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
