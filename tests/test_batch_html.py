"""`greenai batch --report`: the HTML page, read by its consumers' own parsers and a real browser.

tests/data/batch/summary.json is a RENDERING FIXTURE, not data about any cluster: invented jobs
priced with greenai's method and table figures so that its numbers agree with each other (groups
add up to the totals, CO2e and cost follow energy); tests/data/batch/make_summary.py made it
and says how. The golden page tests/golden/batch_report.html is the fixture rendered; after a
deliberate change to the page, rewrite it with

    PYTHONPATH=. python -c "import tests.test_batch_html as t; t.write_golden()"

and read the diff before committing it.

The browser is Debian's headless Chromium (`apt-get install chromium`). Where it is missing the
browser tests skip with the reason, except under CI (CI=true), where they fail: the page a centre
publishes must have been opened by a browser before a release.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from typing import Any

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greenai.render import batch_html, escape
from greenai.render.numbers import bounded, money, number
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "data" / "batch" / "summary.json"
GOLDEN = ROOT / "tests" / "golden" / "batch_report.html"
GENERATED = "2026-04-02"

# Strings a job log or a cluster file could carry; each would change the title if it ran.
SCRIPT = "<script>document.title='pwned'</script>"
IMAGE = '"><img src=x onerror="document.title=\'img\'">'
TITLE_BREAK = "</title><script>document.title='title'</script>"
COMMENT = "<!-- everything after this is hidden"
JAVASCRIPT_URL = "javascript:document.title='link'"


def fixture() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def page() -> str:
    return batch_html.render(fixture(), generated=GENERATED)


def write_golden() -> None:
    GOLDEN.write_text(page(), encoding="utf-8")


def hostile() -> dict[str, Any]:
    """The fixture with hostile text in every kind of string the page shows."""
    summary = fixture()
    summary["greenai"]["version"] = "0.1.0\"><script>document.title='version'</script>"
    summary["cluster"]["name"] = TITLE_BREAK
    summary["cluster"]["file"] = IMAGE
    summary["logs"] = [SCRIPT, COMMENT]
    summary["groups"]["user"][0]["key"] = SCRIPT
    summary["groups"]["user"][1]["key"] = IMAGE
    summary["groups"]["partition"][0]["key"] = IMAGE
    summary["groups"]["month"][0]["key"] = SCRIPT
    summary["groups"]["account"][0]["key"] = COMMENT
    summary["jobs"]["malformed_examples"][0]["reason"] = SCRIPT
    summary["jobs"]["malformed_examples"][0]["file"] = IMAGE
    summary["assumptions"][0]["text"] = IMAGE
    summary["assumptions"][1]["source"] = JAVASCRIPT_URL
    summary["assumptions"][2]["source"] = 'https://example.org/a"onmouseover="document.title=1'
    summary["notices"] = [SCRIPT, COMMENT]
    return summary


def text_of(html: str) -> str:
    """The page's text as a reader sees it: the HTML5 parser's tree, text nodes only."""
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    return " ".join(" ".join(tree.find("body").itertext()).split())


def title_of(html: str) -> str:
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    return tree.find("head/title").text or ""


def elements(html: str, tag: str) -> list[ElementTree.Element]:
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    return list(tree.iter(tag))


# --- the page, from Python ------------------------------------------------------------------


def test_page_matches_golden_file() -> None:
    assert page() == GOLDEN.read_text(encoding="utf-8")


def test_fixture_adds_up() -> None:
    """The fixture is only useful if it reads like a real summary: every grouping sums to the
    totals, CO2e and cost are energy x 342 g/kWh and 0.2249 USD/kWh, waste is inside energy."""
    summary = fixture()
    totals = summary["totals"]
    for by, rows in summary["groups"].items():
        for name in ("energy_kwh", "co2e_kg", "electricity_cost_usd"):
            for bound in ("value", "low", "high"):
                added = sum(row[name][bound] for row in rows)
                assert added == pytest.approx(totals[name][bound], rel=1e-6), (by, name, bound)
        assert sum(row["jobs"] for row in rows) == summary["jobs"]["priced"], by
        assert all(row["waste_energy_kwh"] <= row["energy_kwh"]["value"] for row in rows)
    energy = totals["energy_kwh"]["value"]
    assert totals["co2e_kg"]["value"] == pytest.approx(energy * 0.342, rel=1e-6)
    assert totals["electricity_cost_usd"]["value"] == pytest.approx(energy * 0.2249, rel=1e-6)
    assert summary["waste"]["failed"]["energy_kwh"]["value"] < energy
    jobs = summary["jobs"]
    assert jobs["jobs"] == jobs["priced"] + jobs["unpriced"]


def test_totals_are_on_the_page_with_their_ranges() -> None:
    text = text_of(page())
    # the fixture's totals: 94,627.266 kWh (87,348.246-101,906.286), 32,362.525 kg, $21,281.672
    assert "Energy (kWh) 94,627 range 87,348–101,906" in text
    assert "CO₂e (kg) 32,363 range 29,873–34,852" in text
    assert "Electricity cost (USD) $21,282 range $19,645–$22,919" in text
    assert "All priced jobs 14,254 94,627 (87,348–101,906) 32,363 (29,873–34,852)" in text
    assert "Jobs priced 14,254 of 14,257 jobs; 42,773 rows read" in text
    assert "385 jobs with ConsumedEnergyRaw; measured / estimated on them: 0.87x" in text
    # a group row: gpu-h100, 1,147 jobs, 37,988.204 kWh, 12,991.966 kg, $8,543.547
    assert "gpu-h100 1,147 37,988 (35,066–40,910) 12,992 (11,993–13,991) $8,544" in text
    # units in the headers
    for header in ("Energy (kWh)", "CO₂e (kg)", "Electricity (USD)", "Wasted energy (kWh)"):
        assert header in text
    assert "Produced by greenai 0.1.0 ( greenai batch ) on 2026-04-02." in text  # <code> inside


def test_every_section_and_chart_is_there_with_its_table() -> None:
    html = page()
    text = text_of(html)
    for title in ("By month", "By partition", "Top users", "Top accounts", "Waste", "Jobs read"):
        assert title in text
    assert "Assumptions and sources" in text
    assert "Lannelongue, Grealey, Inouye 2021" in text
    # six charts (month, partition, user, account, waste, state), each with a title and a
    # description naming it for a screen reader, each followed by its table
    charts = re.findall(r"<figure><svg .*?</svg>.*?</figure>(<div class=\"scroll\"><table>)?", html)
    assert len(charts) == 6
    for svg in re.findall(r"<svg .*?</svg>", html):
        ident = re.search(r'aria-labelledby="(\S+)-t \1-d"', svg).group(1)
        assert f'<title id="{ident}-t">' in svg and f'<desc id="{ident}-d">' in svg
        assert 'role="img"' in svg


def test_charts_are_drawn_to_scale() -> None:
    """The partition chart: bars in proportion to energy, whiskers at the bounds, the wasted
    part as long as the waste (a bar's pixel length is value / axis top x 400)."""
    html = page()
    svg = re.search(r'<svg [^>]*aria-labelledby="by-2-chart-t.*?</svg>', html).group()
    bars = [float(w) for w in re.findall(r'class="bar" x="180" y="[\d.]+" width="([\d.]+)"', svg)]
    waste = [
        float(w) for w in re.findall(r'class="waste" x="180" y="[\d.]+" width="([\d.]+)"', svg)
    ]
    ticks = re.findall(r'class="tick"[^>]*>([\d,]+)<', svg)
    assert ticks == ["0", "10,000", "20,000", "30,000", "40,000", "50,000"]
    rows = fixture()["groups"]["partition"]
    assert bars == [round(400 * r["energy_kwh"]["value"] / 50_000, 1) for r in rows]
    assert waste == [round(400 * r["waste_energy_kwh"] / 50_000, 1) for r in rows]


def test_a_long_list_is_cut_and_says_so() -> None:
    summary = fixture()
    first = summary["groups"]["user"][0]
    summary["groups"]["user"] = [{**first, "key": f"user{i:02d}"} for i in range(30)]
    html = batch_html.render(summary, top=25)
    text = text_of(html)
    assert "Energy by user (kWh): the first 12 of the 30 users listed, by CO₂e" in text
    assert "Top users: 30 users listed in the summary, the first 25 by CO₂e shown here" in text
    assert "user24" in text and "user25" not in text
    svg = re.search(r'<svg [^>]*aria-labelledby="by-3-chart-t.*?</svg>', html).group()
    assert svg.count('class="bar"') == 12


def test_unknown_figures_print_as_unknown_never_zero() -> None:
    summary = fixture()
    row = summary["groups"]["partition"][0]
    row["energy_kwh"] = {"value": None, "low": None, "high": None}
    row["co2e_kg"] = {"value": math.nan, "low": math.nan, "high": math.nan}
    row["electricity_cost_usd"] = {"value": 12.5, "low": None, "high": 15.0}
    row["waste_energy_kwh"] = math.nan
    summary["totals"]["gpu_hours"] = None
    summary["totals"]["measured_over_estimated"] = None
    html = batch_html.render(summary)
    text = text_of(html)
    assert "gpu-h100 1,147 — — $12 (—–$15) —" in text
    assert "GPU hours —" in text
    assert "measured / estimated on them: —" in text
    assert "nan" not in text.lower()
    # the chart leaves the unknown bar out and says so in its value column
    assert ">— kWh</text>" in html


def test_no_date_unless_given_and_the_same_bytes_each_time() -> None:
    summary = fixture()
    first, second = batch_html.render(summary), batch_html.render(copy.deepcopy(summary))
    assert first == second
    assert "priced by greenai on" not in first and GENERATED not in first


def test_policy_names_the_stylesheet_by_its_hash() -> None:
    html = page()
    (style,) = re.findall(r"<style>(.*?)</style>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    (meta,) = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', html)
    assert meta == f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; " + (
        "form-action 'none'"
    )
    # nothing to run and nothing to fetch: no script, no style attribute, no src, no url(),
    # links only to sections of the page and to the sources' https addresses
    assert "<script" not in html and " style=" not in html and "src=" not in html
    assert "url(" not in html and "@import" not in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(href.startswith(("#", "https://")) for href in hrefs)


def test_a_range_reads_value_then_bounds() -> None:
    assert bounded(12.34, 9.8, 15.1, lambda v: f"{v:.1f}") == "12.3 (9.8–15.1)"
    assert bounded(1.23, 0.98, 1.51, number) == "1.2 (0.98–1.5)"
    assert bounded(1234.4, 1234.0, 1234.2, number) == "1,234"  # bounds that print the same
    assert bounded(5.0, None, 7.0, money) == "$5.00 (—–$7.00)"  # an unknown bound says so
    assert bounded(math.nan, 1.0, 2.0, number) == "—"


# --- validity: the HTML5 parser in strict mode, tag balance, SVG as XML ---------------------


class _Balance(HTMLParser):
    """Every element closed, in order (void elements aside): what a lenient browser would
    silently repair is an error here."""

    VOID = frozenset({"meta", "link", "br", "hr", "img", "input", "wbr", "source", "col", "area"})
    SVG_EMPTY = frozenset({"rect", "line", "path", "circle"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in self.SVG_EMPTY | self.VOID, f"<{tag}/> outside SVG"

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1:]}>"
        self.open.pop()


def unnamed() -> dict[str, Any]:
    """A summary with only what every summary has: no name, no account, nothing measured."""
    summary = fixture()
    summary["cluster"]["name"] = None
    del summary["groups"]["account"]
    summary["totals"].update(measured_energy_kwh=None, measured_jobs=0)
    summary["notices"] = []
    return summary


def test_a_summary_without_name_account_or_measurement() -> None:
    html = batch_html.render(unnamed())
    text = text_of(html)
    assert title_of(html) == "Footprint of a cluster's jobs · greenai batch"
    assert "Top accounts" not in text and "Notices" not in text
    assert "Measured by SLURM" not in text
    assert len(re.findall(r"<svg ", html)) == 5


@pytest.mark.parametrize(
    "summary", [fixture, hostile, unnamed, dict], ids=["fixture", "hostile", "unnamed", "empty"]
)
def test_page_is_valid_html5(summary) -> None:
    html = batch_html.render(summary(), generated=GENERATED)
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(html)  # raises ParseError on the first error
    assert parser.errors == []
    balance = _Balance()
    balance.feed(html)
    balance.close()
    assert balance.open == []
    for svg in re.findall(r"<svg .*?</svg>", html, re.S):
        ElementTree.fromstring(svg)  # each chart is also a well-formed SVG file


def test_hostile_strings_are_text() -> None:
    html = batch_html.render(hostile(), generated=GENERATED)
    assert "<script" not in html and "<img" not in html and "<!--" not in html
    text = text_of(html)
    for shown in (SCRIPT, IMAGE, COMMENT, TITLE_BREAK, JAVASCRIPT_URL):
        assert shown in text
    assert title_of(html) == f"Footprint of {TITLE_BREAK} · greenai batch"
    links = [a.get("href") for a in elements(html, "a") if not a.get("href", "").startswith("#")]
    assert links and all(link.startswith("https://") for link in links)
    assert 'https://example.org/a"onmouseover' not in html  # the quote ends the link


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_name_is_shown_as_its_text_and_the_page_stays_valid(name: str) -> None:
    """Whatever a user name holds, the HTML5 parser reads it back as text (controls and
    noncharacters shown as escapes, `::` with a zero-width space) and reports no error."""
    row = {"key": name, "jobs": 1, "energy_kwh": {"value": 2.0, "low": 1.0, "high": 3.0}}
    html = batch_html.render({"groups": {"user": [row]}, "notices": [name]})
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    tree = parser.parse(html)
    shown = escape.break_commands(escape.controls(name))
    shown = "".join(f"\\u{ord(c):04x}" if escape._NONCHARACTER.fullmatch(c) else c for c in shown)
    cell = tree.find(".//tbody/tr/th")
    assert "".join(cell.itertext()) == (shown or "(none)")
    assert [li.text or "" for li in tree.iterfind(".//section[@id='notices']//li")] == [shown]


# --- a real browser -------------------------------------------------------------------------


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    reason = (
        "no headless Chromium on PATH (Debian: apt-get install --no-install-recommends chromium)"
    )
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"{reason}: CI must open the page in a browser")
    pytest.skip(reason)


_CONSOLE = re.compile(r":CONSOLE[:(]\d*\)?\] (.*)")


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, list[str]]]:
    """Three pages opened at once (parallel: about 2 s in all): the fixture; the hostile page
    without its policy, so that escaping alone must hold; the hostile page with a live script,
    image and style pasted in, as a mistake would, so that the policy alone must hold. Each:
    the DOM after load, and what the page wrote to the console."""
    chromium = _chromium()
    folder = tmp_path_factory.mktemp("browser")
    bad = batch_html.render(hostile(), generated=GENERATED)
    policy = f'<meta http-equiv="Content-Security-Policy" content="{batch_html.POLICY}">\n'
    assert policy in bad
    mistake = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='img'\">"
    mistake += "<style>body { display: none }</style>"
    pages = {
        "fixture": page(),
        "escaped": bad.replace(policy, ""),
        "policy": bad.replace("<main>", "<main>" + mistake),
    }
    runs = {}
    for name, html in pages.items():
        path = folder / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={folder / (name + '-profile')}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            path.as_uri(),
        ]
        runs[name] = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    out = {}
    for name, run in runs.items():
        dom, log = run.communicate(timeout=60)
        assert run.returncode == 0, log[-2000:]
        out[name] = (dom, [m.group(1) for m in _CONSOLE.finditer(log)])
    return out


def test_browser_shows_the_totals_without_a_console_message(opened) -> None:
    dom, console = opened["fixture"]
    assert console == []  # no error, and no stylesheet refused: its hash matches the policy
    assert title_of(dom) == "Footprint of Example HPC (rendering fixture) · greenai batch"
    text = text_of(dom)
    assert "Energy (kWh) 94,627 range 87,348–101,906" in text
    assert "CO₂e (kg) 32,363 range 29,873–34,852" in text
    assert "Electricity cost (USD) $21,282 range $19,645–$22,919" in text
    svg = "{http://www.w3.org/2000/svg}"
    assert len(elements(dom, svg + "svg")) == 6 and len(elements(dom, svg + "rect")) > 30


def test_browser_runs_nothing_from_the_data_even_without_the_policy(opened) -> None:
    dom, console = opened["escaped"]
    assert console == []
    assert title_of(dom) == f"Footprint of {TITLE_BREAK} · greenai batch"  # no script ran
    assert elements(dom, "script") == [] and elements(dom, "img") == []
    text = text_of(dom)
    for shown in (SCRIPT, IMAGE, COMMENT, TITLE_BREAK, JAVASCRIPT_URL):
        assert shown in text


def test_browser_policy_refuses_a_script_an_image_and_a_style(opened) -> None:
    dom, console = opened["policy"]
    assert title_of(dom) == f"Footprint of {TITLE_BREAK} · greenai batch"
    assert len(elements(dom, "script")) == 1  # it is there, and it did not run
    refused = " ".join(console)
    assert all("Content Security Policy" in line for line in console), console
    assert "Executing inline script violates" in refused
    assert "Loading the image" in refused
    assert "Applying inline style violates" in refused
