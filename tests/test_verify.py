"""`greenai verify`: a JSON report records its version, data and inputs, and is recomputed."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greenai import __version__, provenance, tables
from greenai import verify as checker
from greenai.errors import InputError
from tests.conftest import CONFIGS, ROOT
from tests.test_strubell import PUBLISHED

STRUBELL = CONFIGS / "strubell2019"
ELMO = STRUBELL / "elmo.yaml"
QUEBEC = CONFIGS / "today" / "finetune_8xh100_quebec.yaml"


@pytest.fixture
def report(cli, tmp_path: Path):
    """Run a command with -f json into a file; return its path and its parsed JSON."""

    def make(*args: str, name: str = "report.json") -> tuple[Path, object]:
        path = tmp_path / name
        result = cli(*args, "--format", "json", "--output", path)
        assert result.code == 0, result.err
        return path, json.loads(path.read_text(encoding="utf-8"))

    return make


def verified(cli, path: Path) -> tuple[int, dict, str]:
    """(exit status, verify's JSON, its stderr)."""
    result = cli("verify", path, "--format", "json")
    return result.code, json.loads(result.out) if result.out else {}, result.err


def rewrite(path: Path, document: object) -> None:
    path.write_text(json.dumps(document), encoding="utf-8")


# ----------------------------------------------------------------------------- what is recorded


def test_an_estimate_records_version_data_and_inputs(report) -> None:
    _, (item,) = report("estimate", ELMO, "--set", "runs=2", "--basis", "direct")
    block = item["provenance"]
    assert block["format_version"] == provenance.FORMAT_VERSION == 1
    assert block["greenai"] == __version__
    assert block["command"] == "estimate"
    assert block["options"] == {"per": None}
    shipped = sorted(p.name for p in (ROOT / "data").glob("*.csv"))
    assert sorted(block["data"]["tables"]) == shipped
    regions = (ROOT / "data" / "regions.csv").read_bytes()
    assert block["data"]["tables"]["regions.csv"] == hashlib.sha256(regions).hexdigest()
    # the whole: what `LC_ALL=C sha256sum *.csv | sha256sum` prints in data/
    listing = "".join(
        f"{hashlib.sha256((ROOT / 'data' / n).read_bytes()).hexdigest()}  {n}\n" for n in shipped
    )
    assert block["data"]["sha256"] == hashlib.sha256(listing.encode()).hexdigest()
    inputs = block["inputs"]
    assert inputs["path"] == str(ELMO)
    assert inputs["sha256"] == hashlib.sha256(ELMO.read_bytes()).hexdigest()
    assert inputs["set"] == ["runs=2", "basis=direct"]
    assert inputs["experiment"] == {
        "name": "ELMo",
        "hardware": "3 x P100",
        "power": "517.66 W",
        "hours": 336,
        "region": "us",
        "pue": 1.58,
        "carbon_intensity": "0.954 lb/kWh",
        "cloud": {"provider": "gcp", "as_of": "2019-06-05"},
        "runs": 2,
        "basis": "direct",
    }
    assert item["runs"] == 2


def test_units_do_not_change_the_json(cli) -> None:
    """--units is not recorded: JSON figures are always metric (kg, kWh, USD)."""
    metric = cli("estimate", ELMO, "--format", "json")
    imperial = cli("estimate", ELMO, "--format", "json", "--units", "imperial")
    assert metric.out == imperial.out


# ----------------------------------------------------------------------------- verdicts


def test_a_fresh_estimate_holds(cli, report) -> None:
    path, _ = report("estimate", ELMO, QUEBEC)
    code, found, err = verified(cli, path)
    assert (code, err) == (0, "")
    assert found["holds"] is True
    assert found["figures"] == found["figures_hold"] > 60
    assert [i["name"] for i in found["items"]] == [
        "ELMo",
        "Llama 8B fine-tune (8 x H100, gcp:northamerica-northeast1)",
    ]
    table = cli("verify", path)
    assert table.code == 0
    assert f"{found['figures']} of {found['figures']} figures hold." in table.out


def test_a_tampered_figure_differs_and_is_named(cli, report) -> None:
    path, items = report("estimate", ELMO)
    items[0]["co2e_kg"] = items[0]["co2e_kg"] * 1.01
    rewrite(path, items)
    code, found, _ = verified(cli, path)
    assert code == 1 and found["holds"] is False
    (item,) = found["items"]
    differ = [f["figure"] for f in item["figures"] if not f["holds"]]
    assert differ == ["co2e_kg"]
    assert "was edited" in item["why"][0]
    table = cli("verify", path)
    assert table.code == 1
    line = next(row for row in table.out.splitlines() if "co2e_kg" in row)
    assert line.split() == ["ELMo", "co2e_kg", "120.1092517", "118.9200512", "differs"]


def test_a_figure_within_the_tolerance_holds(cli, report) -> None:
    path, items = report("estimate", ELMO)
    items[0]["energy_kwh"] *= 1 + 1e-12
    rewrite(path, items)
    assert verified(cli, path)[0] == 0


def test_changed_data_in_the_report_is_named(cli, report) -> None:
    path, items = report("estimate", ELMO)
    block = items[0]["provenance"]
    block["data"]["tables"]["regions.csv"] = "0" * 64
    items[0]["co2e_kg"] += 1  # as if the old regions.csv had given another figure
    rewrite(path, items)
    code, found, _ = verified(cli, path)
    assert code == 1
    assert found["items"][0]["why"] == ["data changed: regions.csv changed"]


def test_data_that_changed_without_moving_a_figure_is_a_note(cli, report) -> None:
    path, items = report("estimate", ELMO)
    items[0]["provenance"]["data"]["tables"]["prices.csv"] = "0" * 64
    rewrite(path, items)
    code, found, _ = verified(cli, path)
    assert code == 0
    assert found["items"][0]["notes"] == ["data changed: prices.csv changed"]


def test_real_changed_data_moves_the_figure_and_names_the_table(
    cli, report, write, tmp_path: Path, monkeypatch
) -> None:
    """A report written with one regions.csv, verified against another (France's intensity
    doubled): CO2e differs, energy holds, and the cause names regions.csv."""
    experiment = write("hardware: 8 x H100\nhours: 10\nregion: fr\n")
    path, _ = report("estimate", experiment)
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    lines = (data / "regions.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    column = header.index("carbon_intensity_g_per_kwh")
    for i, line in enumerate(lines):
        if line.startswith("fr,"):
            row = next(csv.reader([line]))
            row[column] = str(float(row[column]) * 2)
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerow(row)
            lines[i] = out.getvalue()
    (data / "regions.csv").write_text("".join(lines), encoding="utf-8")

    def clear() -> None:
        for cached in (tables.load, tables.sites, tables.instances, provenance.data_digests):
            cached.cache_clear()

    clear()
    monkeypatch.setattr(tables, "data_dir", lambda: data)
    try:
        code, found, _ = verified(cli, path)
    finally:
        monkeypatch.undo()
        clear()
    assert code == 1
    (item,) = found["items"]
    figures = {f["figure"]: f for f in item["figures"]}
    assert figures["energy_kwh"]["holds"] is True
    co2e = figures["co2e_kg"]
    assert co2e["holds"] is False and co2e["now"] == pytest.approx(2 * co2e["recorded"])
    assert item["why"] == ["data changed: regions.csv changed"]


def test_a_changed_version_is_said(cli, report) -> None:
    path, items = report("estimate", ELMO)
    items[0]["provenance"]["greenai"] = "0.0.1"
    items[0]["energy_kwh"] += 1
    rewrite(path, items)
    code, found, _ = verified(cli, path)
    assert code == 1
    assert found["items"][0]["why"] == [
        f"greenai changed: 0.0.1 wrote the report; this is {__version__}"
    ]


def test_verify_uses_the_recorded_inputs_and_says_the_file_changed(cli, report, write) -> None:
    experiment = write("hardware: 8 x H100\nhours: 10\nregion: fr\n")
    path, _ = report("estimate", experiment, "--set", "hours=20")
    experiment.write_text("hardware: 8 x H100\nhours: 99\nregion: us\n", encoding="utf-8")
    code, found, _ = verified(cli, path)
    assert code == 0
    assert found["items"][0]["notes"] == [
        f"{experiment} changed on disk since the report; the recorded inputs were used"
    ]
    experiment.unlink()
    code, found, _ = verified(cli, path)
    assert code == 0
    assert found["items"][0]["notes"] == [
        f"{experiment} cannot be read now (no such file); the recorded inputs were used"
    ]


def test_edited_inputs_are_caught_against_the_unchanged_file(cli, report, write) -> None:
    experiment = write("hardware: 8 x H100\nhours: 10\nregion: fr\n")
    path, items = report("estimate", experiment)
    items[0]["provenance"]["inputs"]["experiment"]["hours"] = 20  # doubles every figure
    rewrite(path, items)
    code, found, _ = verified(cli, path)
    assert code == 1
    assert found["items"][0]["why"] == [
        f"inputs changed: the recorded experiment is not {experiment} with the recorded --set "
        "(the report's inputs were edited)"
    ]


def test_inputs_that_no_longer_price_are_a_difference(cli, report) -> None:
    path, items = report("estimate", ELMO)
    items[0]["provenance"]["inputs"]["experiment"]["hardware"] = "3 x P1OO"
    rewrite(path, items)
    code, found, _ = verified(cli, path)
    assert code == 1
    assert found["items"][0]["error"].startswith(
        f"the recorded inputs cannot be priced now: {ELMO}: hardware: unknown device 'P1OO'"
    )


def test_the_sci_of_per_is_recorded_and_recomputed(cli, report) -> None:
    """--per changes the JSON (an `sci` block): it is recorded and applied again."""
    path, items = report("estimate", CONFIGS / "fpo" / "gpt3_175b.yaml", "--per", "pflop")
    assert items[0]["provenance"]["options"] == {"per": "pflop"}
    assert items[0]["sci"]["per"] == "pflop"
    code, found, _ = verified(cli, path)
    assert code == 0
    figures = {f["figure"] for f in found["items"][0]["figures"]}
    assert {"sci.sci_g_per_unit", "sci.units"} <= figures
    items[0]["sci"]["sci_g_per_unit"] *= 2
    rewrite(path, items)
    code, found, _ = verified(cli, path)
    assert code == 1
    assert [f["figure"] for f in found["items"][0]["figures"] if not f["holds"]] == [
        "sci.sci_g_per_unit"
    ]


# ----------------------------------------------------------------------------- compare, check


def test_every_row_of_a_compare_grid_holds(cli, report) -> None:
    path, rows = report(
        "compare", QUEBEC, "--vary", "region=fr,us-va,ca-qc", "--vary", "hardware=8 x A100,H100"
    )
    assert len(rows) == 6
    assert rows[1]["provenance"]["inputs"]["scenario"] == rows[1]["scenario"]
    assert rows[1]["provenance"]["options"] == {"scale_hours_by": "auto"}
    code, found, _ = verified(cli, path)
    assert code == 0, found
    # hours follow the hardware through the file's fpo: the A100 rows differ from the H100 ones
    assert len({r["hours"] for r in rows}) == 2
    rows[4]["water_l"] = (rows[4]["water_l"] or 0) + 1
    rewrite(path, rows)
    code, found, _ = verified(cli, path)
    assert code == 1
    (bad,) = [i for i in found["items"] if not i["holds"]]
    assert bad["scenario"] == rows[4]["scenario"]
    assert [f["figure"] for f in bad["figures"] if not f["holds"]] == ["water_l"]


def test_a_check_report_holds_and_skips_invalid_files(cli, write, tmp_path: Path) -> None:
    write("hardware: 8 x H100\nhours: 10\nregion: fr\n", name="good.yaml")
    write("hardware: 8 x H100\nhours: ten\nregion: fr\n", name="bad.yaml")
    out = tmp_path / "check.json"
    result = cli("check", tmp_path / "good.yaml", tmp_path / "bad.yaml", "-f", "json", "-o", out)
    assert result.code == 2
    code, found, _ = verified(cli, out)
    assert code == 0
    assert [i["name"] for i in found["items"]] == ["good"]
    assert found["skipped"] == [f"item 1: {tmp_path / 'bad.yaml'} has no figures"]


def test_strubells_published_figures_round_trip(cli, report) -> None:
    """Each Table 3 row, written to JSON and verified: every figure holds, and the recomputed
    kWh·PUE and CO2e are the paper's."""
    files = [STRUBELL / f"{name}.yaml" for name in sorted(PUBLISHED)]
    path, _ = report("estimate", *files)
    code, found, _ = verified(cli, path)
    assert code == 0
    for name, item in zip(sorted(PUBLISHED), found["items"], strict=True):
        kwh, lbs, _, high = PUBLISHED[name]
        now = {f["figure"]: f["now"] for f in item["figures"]}
        if kwh is not None:
            assert round(now["energy_kwh"]) == kwh
            assert round(now["co2e_kg"] / 0.45359237) == lbs
        assert round(now["cloud_cost_usd.high"]) == high


# ----------------------------------------------------------------------------- bad reports


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON (Expecting value: line 1 column 1 (char 0))"),
        ('{"name": "x"}', "item 0 has no provenance; not a greenai JSON report"),
        ("[1, 2]", "item 0 is not an object; not a greenai JSON report"),
        ("[]", "no priced objects; expected a greenai JSON report"),
        ('[{"provenance": {"format_version": 1.5}}]', "format_version: expected a whole number"),
        ("[NaN]", "not JSON (NaN is not JSON)"),
    ],
)
def test_a_bad_report_is_one_line_and_exit_2(cli, tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    result = cli("verify", path)
    assert result.code == 2 and result.out == ""
    assert result.err.count("\n") == 1 and message in result.err
    assert result.err.startswith(f"error: {path}")


def test_a_report_from_a_newer_format_is_refused(cli, report) -> None:
    path, items = report("estimate", ELMO)
    items[0]["provenance"]["format_version"] = 2
    rewrite(path, items)
    result = cli("verify", path)
    assert result.code == 2
    assert "written by a newer greenai (report format 2" in result.err


def test_one_object_cut_out_of_a_report_verifies(cli, report, tmp_path: Path) -> None:
    _, items = report("estimate", ELMO, QUEBEC)
    alone = tmp_path / "one.json"
    rewrite(alone, items[1])
    code, found, _ = verified(cli, alone)
    assert code == 0 and len(found["items"]) == 1


def test_markdown_escapes_the_names_from_the_report(cli, report) -> None:
    path, items = report("estimate", ELMO)
    items[0]["name"] = "<b>|x|</b>"
    rewrite(path, items)
    result = cli("verify", path, "--format", "markdown")
    assert result.code == 0
    assert "<b>" not in result.out and "&lt;b&gt;\\|x\\|&lt;/b&gt;" in result.out


# ----------------------------------------------------------------------------- never a traceback

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def _shaped(base: dict, draw_value: object, key_path: list[str]) -> dict:
    """A real report object with one value somewhere in its provenance replaced."""
    target = base
    for step in key_path[:-1]:
        child = target.get(step)
        if not isinstance(child, dict):
            return base
        target = child
    target[key_path[-1]] = draw_value
    return base


@pytest.fixture(scope="module")
def real_item() -> dict:
    """ELMo's object of `estimate -f json` (module-scoped: hypothesis reuses it)."""
    from greenai.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        main(["estimate", str(ELMO), "--format", "json"])
    (item,) = json.loads(out.getvalue())
    return item


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    anything=_json,
    where=st.sampled_from(
        [
            [],
            ["provenance"],
            ["provenance", "format_version"],
            ["provenance", "command"],
            ["provenance", "data"],
            ["provenance", "data", "tables"],
            ["provenance", "inputs"],
            ["provenance", "inputs", "experiment"],
            ["provenance", "inputs", "set"],
            ["provenance", "inputs", "path"],
            ["provenance", "inputs", "scenario"],
            ["provenance", "inputs", "experiment", "hours"],
            ["provenance", "inputs", "experiment", "hardware"],
            ["provenance", "inputs", "experiment", "cloud"],
            ["provenance", "inputs", "experiment", "runs"],
            ["co2e_kg"],
            ["per_run"],
        ]
    ),
)
def test_verify_never_tracebacks(real_item: dict, tmp_path_factory, anything, where) -> None:
    """Any JSON, or a real report with any value anywhere in its provenance: a verdict (0, 1)
    or one bad-report error (2), never another exception."""
    document = (
        anything if not where else _shaped(json.loads(json.dumps(real_item)), anything, where)
    )
    path = tmp_path_factory.mktemp("fuzz") / "report.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    try:
        verdict = checker.verify(path)
    except InputError as error:
        assert str(error).startswith(str(path)) and "\n" not in str(error)
    else:
        assert checker.exit_status(verdict) in (0, 1)


@pytest.mark.parametrize("overrides", [(), ("--set", "carbon_intensity=100 g/kWh")])
def test_compare_keeps_a_set_figure_and_drops_the_files_own(cli, report, overrides) -> None:
    """Varying the region drops the file's own carbon intensity (it was for its region) but
    keeps one given with --set: the recorded --set is applied again, so verify does the same."""
    path, rows = report("compare", ELMO, "--vary", "region=fr,us", *overrides)
    intensities = {r["scenario"]["region"]: r["carbon_intensity_g_per_kwh"] for r in rows}
    if overrides:
        assert intensities == {"fr": 100.0, "us": 100.0}
    else:
        assert intensities["fr"] != intensities["us"]
    code, found, _ = verified(cli, path)
    assert code == 0, found


def test_a_bad_scenario_fails_its_row_alone(cli, report) -> None:
    """Rows are priced a grid at a time; a row whose recorded scenario no longer prices is
    priced alone, and only it fails."""
    path, rows = report("compare", ELMO, "--vary", "region=fr,us,de")
    rows[1]["provenance"]["inputs"]["scenario"]["region"] = "atlantis"
    rewrite(path, rows)
    code, found, _ = verified(cli, path)
    assert code == 1
    assert [i["holds"] for i in found["items"]] == [True, False, True]
    assert "unknown region 'atlantis'" in found["items"][1]["error"]
