"""`greenai compare`: every scenario priced as `estimate` would price it, sorted, with ratios."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import CONFIGS

H100 = str(CONFIGS / "today" / "finetune_8xh100_gcp.yaml")
BERT = str(CONFIGS / "strubell2019" / "bert_base_v100.yaml")
ELMO = str(CONFIGS / "strubell2019" / "elmo.yaml")
FIGURES = ("hours", "power_w", "pue", "carbon_intensity_g_per_kwh", "energy_kwh", "co2e_kg",
           "electricity_cost_usd", "cloud_cost_usd", "device_hours", "fpo")  # fmt: skip


def as_json(cli, *args: str) -> list[dict]:
    result = cli(*args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_every_scenario_matches_estimate_with_the_same_values(cli) -> None:
    grid = as_json(
        cli, "compare", H100, "--vary", "hardware.device=H100,A100,V100",
        "--vary", "region=gcp:us-central1,ca-qc,us-va,gcp:europe-west4", "--sort", "none",
        "--scale-hours-by", "held",  # as `estimate --set` does: the file's hours, as given
    )  # fmt: skip
    assert len(grid) == 12
    for item in grid:
        scenario = item["scenario"]
        (single,) = as_json(
            cli, "estimate", H100, "--set", f"hardware.device={scenario['hardware.device']}",
            "--set", f"region={scenario['region']}",
        )  # fmt: skip
        for key in FIGURES:
            if isinstance(single[key], dict):
                assert item[key] == pytest.approx(single[key]), (scenario, key)
            else:
                assert item[key] == pytest.approx(single[key], nan_ok=True), (scenario, key)
        assert item["assumptions"] == single["assumptions"]


def test_grid_order_baseline_first_and_ratios(cli) -> None:
    grid = as_json(
        cli, "compare", H100, "--vary", "region=gcp:us-central1,ca-qc", "--vary", "runs=1,3",
        "--sort", "none",
    )  # fmt: skip
    assert [(g["scenario"]["region"], g["scenario"]["runs"]) for g in grid] == [
        ("gcp:us-central1", "1"),
        ("gcp:us-central1", "3"),
        ("ca-qc", "1"),
        ("ca-qc", "3"),
    ]
    assert grid[0]["ratio"] == {"energy_kwh": 1.0, "co2e_kg": 1.0, "cost_usd": 1.0}
    assert grid[1]["ratio"]["co2e_kg"] == pytest.approx(3.0)
    quebec = grid[2]
    assert quebec["ratio"]["co2e_kg"] == pytest.approx(quebec["co2e_kg"] / grid[0]["co2e_kg"])
    # Québec has no cloud price here: its cost is not compared with a cloud bill
    assert quebec["cloud_cost_usd"] is None and quebec["ratio"]["cost_usd"] is None


def test_sorted_by_co2e_with_the_best_marked_and_top(cli) -> None:
    grid = as_json(cli, "compare", H100, "--vary", "region=pl,fr,us-va,ca-qc")
    co2e = [g["co2e_kg"] for g in grid]
    assert co2e == sorted(co2e)
    # Electricity Maps 2025: France 31 g/kWh, Québec 41 (both lifecycle, consumption-based)
    assert grid[0]["scenario"]["region"] == "fr"
    result = cli("compare", H100, "--vary", "region=pl,fr,us-va,ca-qc", "--top", "2")
    assert result.code == 0
    lines = [line for line in result.out.splitlines() if line.strip()]
    assert lines[0] == (
        "Ratios (vs base) are against region=pl (Poland), the first value given; the file's own "
        "region is gcp:us-central1."
    )
    assert lines[1].startswith("Note: the rows' carbon intensities are on different bases")
    assert lines[4].startswith("* fr (France)")
    assert "2 of 4 scenarios shown" in result.out
    assert "* lowest CO2e of the 4 scenarios" in result.out
    by_energy = as_json(
        cli, "compare", H100, "--vary", "hardware.device=H100,A100,V100", "--sort", "energy"
    )
    # the same work (the file's fpo) takes the older GPUs longer, and more energy
    assert [g["scenario"]["hardware.device"] for g in by_energy] == ["H100", "A100", "V100"]


def test_region_sets(cli) -> None:
    grid = as_json(cli, "compare", H100, "--vary", "region=@cloud:gcp")
    assert len(grid) == 44  # every Google Cloud region in data/regions.csv
    assert all(g["scenario"]["region"].startswith("gcp:") for g in grid)
    countries = as_json(cli, "compare", H100, "--vary", "region=@countries", "--top", "3")
    assert len(countries) == 3
    bad = cli("compare", H100, "--vary", "region=@continents")
    assert bad.code == 2 and "unknown region set '@continents'" in bad.err


# ----------------------------------------------------------------------------- hours (12.3)

# data/hardware.csv (Epoch AI), dense bf16 TFLOP/s per device; fp16 for the P100
H100_BF16, A100_BF16, V100_BF16, P100_FP16, V100_FP16 = 989.4, 312.0, 125.0, 18.7, 125.0
LLM = str(CONFIGS / "fpo" / "llm_7b_1t_tokens_256xh100.yaml")


def lead_lines(text: str) -> list[str]:
    """The note lines above a table (its header is the line above the rule of ─)."""
    lines = text.splitlines()
    return lines[: next(i for i, line in enumerate(lines) if line.startswith("─")) - 1]


def test_fpo_given_hours_follow_the_fpo_on_each_hardware(cli) -> None:
    # the file: 8 H100s for 36 h per run, 3 runs, fpo 6 x 8e9 parameters x 2e9 tokens
    grid = as_json(cli, "compare", H100, "--vary", "hardware=H100,A100,V100", "--sort", "none")
    per_run = 6 * 8e9 * 2e9
    mfu = per_run / (8 * H100_BF16 * 1e12 * 36 * 3600)  # what the file's hours imply: 0.094
    assert mfu == pytest.approx(0.0936, abs=1e-4)
    h100, a100, v100 = grid
    assert h100["hours"] == 108  # the file's own machine keeps the file's hours, exactly
    assert a100["hours"] == pytest.approx(3 * per_run / (A100_BF16 * 1e12 * 8 * mfu) / 3600)
    assert v100["hours"] == pytest.approx(3 * per_run / (V100_BF16 * 1e12 * 8 * mfu) / 3600)
    assert v100["hours"] == pytest.approx(108 * 989.4 / 125)  # 854.8 h
    assert {g["hours_from"] for g in grid} == {"fpo"}
    assert a100["fpo_breakdown"]["mfu"] == pytest.approx(mfu)
    assert a100["fpo_breakdown"]["hours_derived"] is True
    assert any(a["what"] == "hours per run (derived)" for a in a100["assumptions"])
    # equal work: the V100 is no longer the greenest (it was, at the same 108 h)
    ranked = as_json(cli, "compare", H100, "--vary", "hardware=H100,A100,V100")
    assert [g["scenario"]["hardware"] for g in ranked] == ["H100", "A100", "V100"]
    # 7.9x the hours at 3/7 of the GPU power, plus the host
    assert v100["co2e_kg"] > 3 * h100["co2e_kg"]
    table = cli("compare", H100, "--vary", "hardware=H100,A100,V100")
    assert lead_lines(table.out)[1] == (
        "Hours follow from the FPO: peak FLOP/s x device count x MFU 0.094, what the file's "
        "36 h imply on H100 SXM5 80GB x8 (--scale-hours-by held keeps the file's hours)."
    )


def test_fpo_given_a_device_count_change_changes_the_hours(cli) -> None:
    half = as_json(cli, "compare", H100, "--vary", "hardware=8 x H100,4 x H100", "--sort", "none")
    (single,) = as_json(cli, "estimate", H100)
    # "8 x H100" is the file's own machine (its 70 % utilization kept): the same figures
    for key in ("hours", "power_w", "energy_kwh", "co2e_kg", "device_hours"):
        assert half[0][key] == pytest.approx(single[key]), key
    assert half[1]["hours"] == pytest.approx(216)  # half the devices, twice the hours
    assert half[1]["device_hours"] == pytest.approx(half[0]["device_hours"])
    # GPU energy is the same; only the 2 TB of host memory (0.3725 W/GB) runs twice as long
    memory_kwh = 2000 * 0.3725 * 108 * 1.1 / 1000  # gcp:us-central1 PUE 1.1 (Google, 2024)
    assert half[1]["energy_kwh"] - half[0]["energy_kwh"] == pytest.approx(memory_kwh)
    # a file with no hours: derived from 6 N D at the default MFU 0.4 on each machine
    derived = as_json(cli, "compare", LLM, "--vary", "hardware=256 x H100,128 x H100",
                      "--sort", "none")  # fmt: skip
    for row, count in zip(derived, (256, 128), strict=True):
        assert row["hours"] == pytest.approx(
            6 * 7e9 * 1e12 / (count * H100_BF16 * 1e12 * 0.4) / 3600
        )
    assert derived[1]["hours"] == pytest.approx(2 * derived[0]["hours"])


def test_fpo_absent_hours_are_held_and_the_output_says_so(cli) -> None:
    grid = as_json(cli, "compare", ELMO, "--vary", "hardware=P100,V100", "--sort", "none")
    assert [g["hours"] for g in grid] == [336, 336]
    assert {g["hours_from"] for g in grid} == {"file"}
    note = (
        "Hours are held at the file's 336 h per run on every hardware (no fpo to derive them "
        "from); --scale-hours-by peak_flops rescales them by peak FLOP/s x device count."
    )
    table = cli("compare", ELMO, "--vary", "hardware=P100,V100")
    assert lead_lines(table.out) == [
        "Ratios (vs base) are against hardware=P100, the file's own hardware.",
        note,
    ]
    markdown = cli("compare", ELMO, "--vary", "hardware=P100,V100", "--format", "markdown")
    assert markdown.out.splitlines()[1] == note.replace("_", "\\_")  # Markdown-escaped
    rows = list(csv.DictReader(io.StringIO(cli("compare", ELMO, "--vary", "hardware=P100,V100",
                                               "--format", "csv").out)))  # fmt: skip
    assert [r["hours_from"] for r in rows] == ["file", "file"]
    # held is also a choice one can name (none is the same): the fpo file keeps its 108 h too
    for word in ("held", "none"):
        held = as_json(cli, "compare", H100, "--vary", "hardware=H100,A100", "--sort", "none",
                       "--scale-hours-by", word)  # fmt: skip
        assert [g["hours"] for g in held] == [108, 108]
        assert [g["device_hours"] for g in held] == [8 * 36 * 3, 8 * 36 * 3]
    table = cli("compare", H100, "--vary", "hardware=H100,A100", "--scale-hours-by", "held")
    assert "Hours are held at the file's 36 h per run on every hardware (--scale-hours-by held)" \
        in table.out  # fmt: skip
    # varying only the region: the hours cannot change, so no hours note
    assert len(lead_lines(cli("compare", ELMO, "--vary", "region=us,fr").out)) == 1


def test_scale_hours_by_peak_flops_counts_the_devices(cli) -> None:
    scaled = as_json(
        cli, "compare", ELMO, "--vary", "hardware=3 x P100,6 x P100,3 x V100,1 x V100",
        "--sort", "none", "--scale-hours-by", "peak_flops",
    )  # fmt: skip
    # P100 has no bf16 peak: the first common precision is fp16
    own = 3 * P100_FP16
    assert [g["hours"] for g in scaled] == pytest.approx(
        [336, 336 * own / (6 * P100_FP16), 336 * own / (3 * V100_FP16), 336 * own / V100_FP16]
    )
    assert scaled[1]["hours"] == pytest.approx(168)  # 3 -> 6 devices halves the hours
    assert {g["hours_from"] for g in scaled} == {"peak_flops"}
    # Epoch AI dense BF16 on the fpo file: H100 SXM5 989.4 TFLOP/s, A100 312 TFLOP/s
    fpo_file = as_json(cli, "compare", H100, "--vary", "hardware=H100,4 x A100", "--sort", "none",
                       "--scale-hours-by", "peak_flops")  # fmt: skip
    assert fpo_file[1]["hours"] == pytest.approx(108 * 8 * H100_BF16 / (4 * A100_BF16))
    table = cli("compare", H100, "--vary", "hardware=H100,A100", "--scale-hours-by", "peak_flops")
    assert lead_lines(table.out)[1] == (
        "Hours scaled by peak dense bf16 FLOP/s x device count relative to H100 SXM5 80GB x8 "
        "(7,915 TFLOP/s), the hardware the file's hours are for (--scale-hours-by peak_flops)."
    )


def test_a_measured_power_does_not_travel_to_other_hardware(cli) -> None:
    grid = as_json(cli, "compare", BERT, "--vary", "hardware=V100,TPU v3", "--sort", "none")
    assert grid[0]["power_w"] == 12041.51  # Strubell's measured figure, on its own V100s
    assert grid[1]["power_w"] == pytest.approx(64 * 450)  # 64 TPU v3 chips at Epoch's TDP
    assert any(a["what"] == "measured power left out" for a in grid[1]["assumptions"])


def test_a_varied_region_replaces_the_files_own_intensity(cli) -> None:
    grid = as_json(cli, "compare", ELMO, "--vary", "region=us,fr", "--sort", "none")
    assert grid[0]["carbon_intensity_g_per_kwh"] == pytest.approx(432.727, abs=1e-3)  # 0.954 lb
    assert grid[1]["carbon_intensity_g_per_kwh"] != grid[0]["carbon_intensity_g_per_kwh"]


def test_several_files_and_csv(cli) -> None:
    result = cli("compare", ELMO, BERT, "--vary", "region=us,fr", "--format", "csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert len(rows) == 4
    assert {r["name"] for r in rows} == {"ELMo", "BERT base (V100)"}
    assert float(rows[0]["co2e_kg"]) <= float(rows[-1]["co2e_kg"])
    markdown = cli("compare", ELMO, BERT, "--vary", "region=us,fr", "--format", "markdown")
    first, blank, header = markdown.out.splitlines()[:3]
    assert first == (
        "Ratios (vs base) are against ELMo (" + ELMO + "); region=us (United States), "
        "the file's own region."
    )
    assert blank == "" and header.startswith("| Model | region | Hardware |")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vary", "regoin=fr"], "cannot vary 'regoin'; did you mean 'region'?"),
        (["--vary", "region"], "--vary expects KEY=V1,V2,..."),
        (["--vary", "region=fr,fr"], "region: fr given twice"),
        (["--vary", "region=fr,atlantis"], "(--vary region=atlantis): region: unknown region"),
        (["--vary", "hardware=H100,H900"], "(--vary hardware=H900)"),
        (["--vary", "runs=1,-2"], "(--vary runs=-2)"),
        (
            ["--vary", "hardware=H100,cpu-amd-epyc-9654"],  # no peak FLOP/s to carry the fpo to
            "(--vary hardware=cpu-amd-epyc-9654): hardware: cannot carry the file's fpo to this "
            "hardware: no peak FLOP/s in data/hardware.csv; --scale-hours-by held keeps",
        ),
        (["--scale-hours-by", "vibes"], "--scale-hours-by expects auto, held (or none) or peak"),
    ],
)
def test_bad_variations_are_one_line_errors(cli, args, message) -> None:
    result = cli("compare", H100, *args)
    assert result.code == 2
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert result.out == ""


def test_a_scenario_the_data_cannot_price_is_named(cli) -> None:
    # BERT pins Google Cloud's 2019 prices, which have no H100
    result = cli("compare", BERT, "--vary", "hardware=V100,H100")
    assert result.code == 2
    assert "(scenario hardware=H100): cloud: no gcp price for h100-sxm5-80gb" in result.err


def test_compare_and_check_through_typers_runner() -> None:
    from typer.testing import CliRunner

    from greenai.cli import app

    runner = CliRunner()
    grid = runner.invoke(app, ["compare", H100, "--vary", "runs=1,2", "-f", "json"])
    assert grid.exit_code == 0, grid.output
    one, two = json.loads(grid.stdout)
    assert two["co2e_kg"] == pytest.approx(2 * one["co2e_kg"])
    checked = runner.invoke(app, ["check", H100, "--budget", "co2e=1kg", "-f", "json"])
    assert checked.exit_code == 1
    (item,) = json.loads(checked.stdout)
    assert item["estimate"]["co2e_kg"] == pytest.approx(3 * one["co2e_kg"])  # the file: runs 3
    assert item["breaches"][0]["limit"] == 1.0


# ----------------------------------------------------------------------------- size (13.9)


def test_a_grid_over_the_limit_is_refused_before_it_is_built(cli, monkeypatch) -> None:
    from greenai import compare

    def never(*args, **kwargs):
        raise AssertionError("the grid was built")

    monkeypatch.setattr(compare, "_one_file", never)
    thousand = ",".join(str(n) for n in range(1, 1001))
    axes = [f"runs={thousand}", f"hours={thousand}", f"hardware.count={thousand}"]
    result = cli("compare", H100, *(f"--vary={axis}" for axis in axes))
    assert result.code == 2 and result.out == ""
    assert result.err == (
        "error: compare: 1,000,000,000 scenarios (1 x 1000 x 1000 x 1000: files x --vary "
        "values) is over the limit of 1,000,000; vary fewer values, or raise the limit with "
        "--max-scenarios N\n"
    )
    # files count too: 2 files x 2 values is 4
    small = cli("compare", ELMO, BERT, "--vary", "runs=1,2", "--max-scenarios", "3")
    assert small.code == 2 and "4 scenarios (2 x 2: files x --vary values)" in small.err
    assert "limit of 3;" in small.err


def test_the_limit_can_be_raised_and_the_default_is_documented(cli) -> None:
    from greenai import compare
    from greenai.cli.estimate import compare as command

    assert compare.MAX_SCENARIOS == 1_000_000 and compare.MAX_STREAMED == 100_000_000
    # the CLI leaves the default to the core, which picks it by whether --top streams the grid
    import inspect

    default = inspect.signature(command).parameters["max_scenarios"].default
    assert default is None
    grid = as_json(cli, "compare", ELMO, BERT, "--vary", "runs=1,2", "--max-scenarios", "4")
    assert len(grid) == 4
    bad = cli("compare", ELMO, "--vary", "runs=1,2", "--max-scenarios", "0")
    assert bad.code == 2 and "--max-scenarios" in bad.err


# ----------------------------------------------------------------------------- reading (12.9)


def test_regions_show_their_names_and_codes_stay_in_json(cli) -> None:
    table = cli("compare", H100, "--vary", "region=fr,us-va,ca-qc,gcp:europe-west4", "--no-ranges")
    # Virginia has eGRID's direct figure only: the grid mixes bases, and a note says so
    assert table.out.splitlines()[1].startswith("Note: the rows' carbon intensities are on")
    rows = [line.split("  ")[0].lstrip("* ") for line in table.out.splitlines()[4:8]]
    assert sorted(rows) == [
        "ca-qc (Québec, Canada)",
        "fr (France)",
        "gcp:europe-west4 (Netherlands)",
        "us-va (Virginia, United States)",
    ]
    countries = as_json(cli, "compare", H100, "--vary", "region=@countries", "--top", "3")
    assert all(len(g["scenario"]["region"]) == 2 for g in countries)  # the key, for --set
    markdown = cli("compare", H100, "--vary", "region=@countries", "--top", "3", "-f", "markdown")
    assert "| **se (Sweden)** |" in markdown.out  # Electricity Maps 2025: 21 g/kWh


def test_a_region_set_is_against_the_files_own_region(cli) -> None:
    grid = as_json(cli, "compare", H100, "--vary", "region=@cloud", "--sort", "none")
    assert grid[0]["scenario"]["region"] == "gcp:us-central1"  # the file's own, not aws:af-...
    assert grid[0]["ratio"] == {"energy_kwh": 1.0, "co2e_kg": 1.0, "cost_usd": 1.0}
    (single,) = as_json(cli, "estimate", H100)
    assert grid[0]["co2e_kg"] == pytest.approx(single["co2e_kg"])
    assert sorted(g["scenario"]["region"] for g in grid[1:])[0] == "aws:af-south-1"
    table = cli("compare", H100, "--vary", "region=@cloud", "--top", "3")
    assert table.out.splitlines()[0] == (
        "Ratios (vs base) are against region=gcp:us-central1 (Iowa, United States), the file's "
        "own region."
    )
    # a set without the file's own region: the base is its first member, and the note says so
    outside = cli("compare", H100, "--vary", "region=@countries", "--top", "3")
    assert outside.out.splitlines()[0] == (
        "Ratios (vs base) are against region=ae (United Arab Emirates), the first of "
        "@countries; the file's own region, gcp:us-central1, is not in the set."
    )
    latex = cli("compare", H100, "--vary", "region=@cloud:gcp", "--top", "2", "-f", "latex")
    assert latex.out.startswith("% Ratios (vs base) are against region=gcp:us-central1")


# --- the site's keys that set one figure (pue, wue) are validated once per value (issue 14)

GRID_DEVICES = ["H100", "A100", "B200"]
GRID_REGIONS = ["fr", "us-va", "gcp:us-central1", "aws:us-east-1", "azure:westeurope"]


def _site_grid(tmp_path, devices, regions, pues, wues, runs, site=None, top=None):
    from greenai import compare, tables

    data = tables.load()
    path = tmp_path / "plan.yaml"
    path.write_text(
        "name: plan\nhardware: 4 x A100\nhours: 12.5\nregion: fr\n"
        + (f"site: {site}\n" if site else "")
    )
    texts = [
        "hardware.device=" + ",".join(devices),
        "region=" + ",".join(regions),
        *(["pue=" + ",".join(pues)] if pues else []),
        *(["wue=" + ",".join(wues)] if wues else []),
        "runs=" + ",".join(map(str, runs)),
    ]
    variations = [compare.parse_variation(text, data) for text in texts]
    return path, data, compare.compare([path], variations, data, top=top)


def _same_grid(one, other) -> None:
    """Two comparisons with the same rows, figures (bounds included), notes and warnings."""
    import numpy as np

    assert one.scenarios == other.scenarios and list(one.frame.index) == list(other.frame.index)
    for name in one.figures:
        np.testing.assert_array_equal(one.figures[name], other.figures[name], err_msg=name)
    for column in ("pue", "carbon_intensity_g_per_kwh", "hardware", "runs", "cost_basis"):
        assert list(one.frame[column]) == list(other.frame[column]), column
    for a, b in zip(one.estimates(), other.estimates(), strict=True):
        assert a.assumptions == b.assumptions
    assert set(one.warnings) == set(other.warnings)
    assert one.lead == other.lead


@pytest.mark.parametrize(
    "regions, pues, wues, site",
    [
        (GRID_REGIONS, ["1.1", "1.58", "3.5"], None, None),  # 3.5: an unusual PUE's warning
        (GRID_REGIONS, None, ["0.2", "1.8", "9"], None),  # 9 L/kWh: an unusual WUE's warning
        (GRID_REGIONS, ["1.2", "2"], ["0", "1.1"], None),
        (["fr", "aws:us-east-1"], ["1.3", "1.05"], ["2.5"], "desktop"),  # site: sets them too
        (["us-va"], ["1.4"], None, None),
    ],
)
def test_pue_and_wue_validated_alone_equal_every_combination_validated(
    tmp_path, monkeypatch, regions, pues, wues, site
) -> None:
    from greenai import compare

    args = (GRID_DEVICES, regions, pues, wues, [1, 3])
    for top in (None, 4):
        _, _, fast = _site_grid(tmp_path, *args, site=site, top=top)
        with monkeypatch.context() as patched:
            patched.setattr(compare, "SITE_ALONE", ())  # every site combination validated whole
            _, _, whole = _site_grid(tmp_path, *args, site=site, top=top)
        _same_grid(fast, whole)


def test_region_pue_wue_grid_agrees_with_estimate_row_by_row(tmp_path) -> None:
    from greenai.core import calculate
    from greenai.estimate import estimate
    from greenai.experiment import load

    path, data, grid = _site_grid(
        tmp_path, GRID_DEVICES, GRID_REGIONS, ["1.1", "2.5"], ["0.3", "1.8"], [2]
    )
    assert grid.scenarios == 3 * 5 * 2 * 2
    for row, priced in zip(grid.frame.itertuples(), grid.estimates(), strict=True):
        scenario = grid.scenario(row)
        sets = [f"{key}={value}" for key, value in scenario.items()]
        single = estimate(load(path, data, sets), data)
        assert priced.pue == single.pue
        for name in calculate.FIGURES:
            for which in calculate.BOUNDS:
                one, many = single.total.bound(name, which), priced.total.bound(name, which)
                assert (one is None) == (many is None), (scenario, name, which)
                if one is not None:
                    assert many == pytest.approx(one, rel=1e-12), (scenario, name, which)


def test_a_bad_pue_names_its_value(cli) -> None:
    result = cli("compare", H100, "--vary", "region=fr,us-va", "--vary", "pue=1.2,0.5")
    assert result.code != 0
    assert "pue=0.5" in result.err


def test_with_top_the_grid_streams_past_the_all_rows_limit(cli) -> None:
    # 2 x 1,000 x 600 = 1,200,000 scenarios: refused when every row is kept, priced with --top
    runs = "runs=" + ",".join(str(n) for n in range(1, 1001))
    pue = "pue=" + ",".join(f"{1 + n / 1000:.3f}" for n in range(600))
    kept = cli("compare", ELMO, BERT, "--vary", runs, "--vary", pue, "--format", "json")
    assert kept.code == 2 and "1,200,000 scenarios" in kept.err and "1,000,000" in kept.err
    top = as_json(cli, "compare", ELMO, BERT, "--vary", runs, "--vary", pue, "--top", "3")
    assert len(top) == 3
    # the greenest: one run at PUE 1.000, of the lighter file (ELMo: 262 lbs a run at 1.58)
    assert [row["scenario"]["runs"] for row in top] == ["1", "1", "1"]  # as written
    assert top[0]["pue"] == 1.0


def test_a_variation_that_changes_no_column_prices_every_scenario(cli) -> None:
    """ELMo's file gives its PUE, so --vary site changes nothing priced: every column of the
    grid is one value (passed to the calculator once, not gathered), and each scenario still
    gets its row with Strubell's figures."""
    result = cli(
        "compare",
        CONFIGS / "strubell2019" / "elmo.yaml",
        "--vary",
        "site=cloud,laptop",
        "-f",
        "json",
    )
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert [r["scenario"]["site"] for r in rows] == ["cloud", "laptop"]
    for row in rows:
        assert row["energy_kwh"] == pytest.approx(274.8153408)
        assert row["co2e_kg"] == pytest.approx(118.92005122552155)
