"""Green AI reporting: FPO as E x D x H, hours from FPO, implied MFU, model cards, LaTeX."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import CONFIGS

GPT3 = CONFIGS / "fpo" / "gpt3_175b.yaml"
WHAT_IF = CONFIGS / "fpo" / "llm_7b_1t_tokens_256xh100.yaml"
RESNET = CONFIGS / "fpo" / "resnet50_imagenet_1h.yaml"
FINETUNE = CONFIGS / "today" / "finetune_8xh100_gcp.yaml"
# Dense peaks of data/hardware.csv (Epoch AI): H100 SXM5 bf16, A100 bf16, V100 fp16, P100 fp16
H100_BF16, A100_BF16, V100_FP16, P100_FP16 = 989.4e12, 312e12, 125e12, 18.7e12


def as_json(cli, *args: object) -> list[dict]:
    result = cli("estimate", *args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


# ----------------------------------------------------------------------------- published figures


def test_gpt3_fpo_matches_the_published_training_compute(cli) -> None:
    (row,) = as_json(cli, GPT3)
    # Brown et al. 2020, Table D.1: 3.14e23 FLOP; 6 N D = 6 x 175e9 x 300e9 = 3.15e23
    assert row["fpo"] == 6 * 175e9 * 300e9
    assert row["fpo"] == pytest.approx(3.14e23, rel=0.005)
    work = row["fpo_breakdown"]
    assert work["per_example"] == 6 * 175e9 and work["examples_per_run"] == 300e9
    assert work["example"] == "token" and work["runs"] == 1 and work["mode"] == "training"


def test_gpt3_reproduces_pattersons_energy_and_co2e_and_implies_its_mfu(cli) -> None:
    (row,) = as_json(cli, GPT3)
    # Patterson et al. 2021, Table 4: 14.8 days, 1,287 MWh, 552 tCO2e
    assert row["hours"] == pytest.approx(14.8 * 24)
    assert row["energy_kwh"] / 1000 == pytest.approx(1287, abs=0.5)
    assert row["co2e_kg"] / 1000 == pytest.approx(552, abs=0.5)
    work = row["fpo_breakdown"]
    assert work["precision"] == "fp16" and work["peak_flop_per_s"] == 10_000 * V100_FP16
    # 3.15e23 FLOP in 14.8 days on 10,000 V100s: 24.6 TFLOP/s each, 0.197 of the 125 peak
    assert work["mfu"] == pytest.approx(6 * 175e9 * 300e9 / (10_000 * V100_FP16 * 14.8 * 86_400))
    assert work["mfu"] == pytest.approx(0.197, abs=0.0005)
    assert work["mfu_from"] == "implied" and work["hours_derived"] is False


def test_resnet50_per_example_times_examples(cli) -> None:
    (row,) = as_json(cli, RESNET)
    fpo = 24.54e9 * 1_281_167 * 90  # E x D (90 epochs of ImageNet), H = 1
    assert row["fpo"] == pytest.approx(fpo)
    work = row["fpo_breakdown"]
    assert work["per_example"] == 24.54e9 and work["examples_per_run"] == 1_281_167 * 90
    assert work["example"] == "example" and work["mode"] is None
    assert work["precision"] == "fp16"  # the P100 has no bf16 peak: the next one known
    assert work["mfu"] == pytest.approx(fpo / (256 * P100_FP16 * 3600))


# ----------------------------------------------------------------------------- hours from FPO


def test_hours_derive_from_fpo_at_peak_times_default_mfu(cli) -> None:
    (row,) = as_json(cli, WHAT_IF)
    hours = 6 * 7e9 * 1e12 / (256 * H100_BF16 * 0.4) / 3600
    assert row["hours"] == pytest.approx(hours)
    assert hours == pytest.approx(115.15, abs=0.01)
    assert row["device_hours"] == pytest.approx(256 * hours)
    # the host of 32 a3-edgegpu-8g (data/instances.csv): 208 vCPU at 50 % of 0.678719 .. 3.77046 W
    # and 1,872 GB x 0.3725 W/GB each (the file gives no memory)
    host = 32 * (208 * (0.678719 + 0.5 * (3.77046 - 0.678719)) + 1872 * 0.3725)
    assert row["energy_kwh"] == pytest.approx((256 * 700 + host) * hours * 1.1 / 1000)
    work = row["fpo_breakdown"]
    assert work["hours_derived"] is True and work["mfu"] == 0.4 and work["mfu_from"] == "default"
    said = {a["what"]: a for a in row["assumptions"]}
    assert "Llama 3" in said["model FLOP utilisation (MFU)"]["source"]
    assert said["peak FLOP/s"]["value"].startswith("253,286 TFLOP/s dense bf16 (256 x 989.4")
    assert "115.2 h" in said["hours per run (derived)"]["value"]


def test_mfu_and_precision_from_the_file_change_the_hours(cli) -> None:
    (base,) = as_json(cli, WHAT_IF)
    (slower,) = as_json(cli, WHAT_IF, "--set", "fpo.mfu=0.3")
    assert slower["hours"] == pytest.approx(base["hours"] * 0.4 / 0.3)
    assert slower["fpo_breakdown"]["mfu_from"] == "file"
    (fp8,) = as_json(cli, WHAT_IF, "--set", "fpo.precision=fp8", "--set", "hardware=256 x B200")
    assert fp8["fpo_breakdown"]["precision"] == "fp8"  # B200: 4,500 TFLOP/s dense fp8 (Epoch)
    assert fp8["hours"] == pytest.approx(6 * 7e9 * 1e12 / (256 * 4500e12 * 0.4) / 3600)


def test_given_hours_show_the_mfu_they_imply(cli) -> None:
    (row,) = as_json(cli, WHAT_IF, "--set", "hours=100", "--set", "fpo.mfu=0.3")
    assert row["hours"] == 100
    work = row["fpo_breakdown"]
    assert work["mfu"] == pytest.approx(6 * 7e9 * 1e12 / (256 * H100_BF16 * 100 * 3600))
    assert work["mfu_from"] == "implied" and work["hours_derived"] is False
    assert any(a["what"] == "fpo.mfu" and "not used" in a["value"] for a in row["assumptions"])


def test_an_impossible_implied_mfu_is_warned_about(cli, write) -> None:
    path = write("hardware: 8 x H100\nhours: 1\nregion: fr\nfpo:\n  parameters: 70B\n"
                 "  tokens: 1T\n")  # fmt: skip
    result = cli("estimate", path)
    assert result.code == 0
    (line,) = result.err.splitlines()
    assert line.startswith(f"warning: {path}: fpo: the FPO need 1.47e+04 x the peak bf16")
    assert "implied MFU above 1" in line
    checked = cli("check", path)
    assert checked.code == 0 and "implied MFU above 1" in checked.err


def test_cpu_hosts_are_left_out_of_the_peak(cli, write) -> None:
    path = write("hardware:\n  - 8 x A100\n  - 2 x Xeon Gold 6248\nregion: fr\n"
                 "fpo: {total: 1e21}\n")  # fmt: skip
    (row,) = as_json(cli, path)
    assert row["fpo_breakdown"]["peak_flop_per_s"] == 8 * A100_BF16
    assert row["hours"] == pytest.approx(1e21 / (8 * A100_BF16 * 0.4) / 3600)
    said = {a["what"]: a["value"] for a in row["assumptions"]}
    assert "as host" in said["peak FLOP/s"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hardware: 8 x V100\nregion: fr\n",
         "missing key 'hours' (wall-clock per run, e.g. hours: 79.2 or duration: 3.3 days; "
         "or give fpo to derive the hours from the compute, or energy or device_hours as "
         "published)"),
        ("hardware: 2 x Xeon Gold 6248\nregion: fr\nfpo: {total: 1e21}\n",
         "hours: cannot derive hours from fpo: no peak FLOP/s for Xeon Gold 6248 in "
         "data/hardware.csv; give hours"),
        ("hardware: 8 x V100\nregion: fr\nfpo: {total: 1e21, precision: fp8}\n",
         "fpo.precision: no dense fp8 peak FLOP/s for NVIDIA V100 in data/hardware.csv; set "
         "fpo.precision to one of: fp16, fp32"),
        ("hardware: 8 x V100\nregion: fr\nfpo: {total: 1e21, precision: fp64}\n",
         "fpo.precision: expected a precision with a peak column in data/hardware.csv (bf16, "
         "fp16, tf32, fp32, fp8), got 'fp64'"),
        ("hardware: 8 x V100\nregion: fr\nfpo: {total: 1e21, mfu: 40}\n",
         "fpo.mfu: expected a model FLOP utilisation as a fraction between 0 and 1, got 40; "
         "did you mean 0.4 (40 %)?"),
        ("hardware: 8 x V100\nregion: fr\nfpo: {mfu: 0.4}\n",
         "fpo.mfu: expected one of: total; per_example with examples; parameters with tokens"),
    ],
)  # fmt: skip
def test_bad_fpo_input_is_one_line(cli, write, text: str, expected: str) -> None:
    path = write(text)
    result = cli("estimate", path)
    assert result.code == 2 and result.out == ""
    (line,) = result.err.splitlines()
    assert line.startswith(f"error: {path}") and line.endswith(expected), line


# ----------------------------------------------------------------------------- what-ifs


def test_compare_derives_hours_on_each_hardware(cli) -> None:
    result = cli("compare", WHAT_IF, "--vary", "hardware=A100,H100", "--sort", "none",
                 "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    a100, h100 = json.loads(result.out)
    assert a100["hours"] == pytest.approx(4.2e22 / (256 * A100_BF16 * 0.4) / 3600)
    assert h100["hours"] == pytest.approx(4.2e22 / (256 * H100_BF16 * 0.4) / 3600)
    (single,) = as_json(cli, WHAT_IF, "--set", "hardware=256 x A100")
    for key in ("hours", "energy_kwh", "co2e_kg", "device_hours", "fpo", "fpo_breakdown"):
        assert a100[key] == pytest.approx(single[key]), key
    assert a100["assumptions"] == single["assumptions"]


# ----------------------------------------------------------------------------- rendering


def test_the_table_shows_e_d_h(cli) -> None:
    result = cli("estimate", WHAT_IF, RESNET)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    start = lines.index(
        "FPO as Green AI asks (Schwartz et al.): E per example x D examples x H runs:"
    )
    assert lines[start + 1].split() == ["Model", "E:", "FPO", "per", "example", "D:", "per",
                                        "run", "H:", "runs", "FPO", "Peak", "MFU"]  # fmt: skip
    body = "\n".join(lines[start:])
    assert "42 GFLOP/token" in body and "1T tokens" in body and "42 ZFLOP" in body
    assert "253 PFLOP/s bf16" in body and "0.4 (default; hours derived)" in body
    assert "24.5 GFLOP/example" in body and "115M examples" in body and "2.83 EFLOP" in body
    assert "(implied by the hours)" in body


def test_no_fpo_no_breakdown(cli) -> None:
    result = cli("estimate", CONFIGS / "strubell2019" / "elmo.yaml")
    assert "Green AI" not in result.out
    (row,) = as_json(cli, CONFIGS / "strubell2019" / "elmo.yaml")
    assert row["fpo"] is None and row["fpo_breakdown"] is None


def test_csv_carries_the_breakdown(cli) -> None:
    result = cli("estimate", WHAT_IF, "--format", "csv")
    (values,) = csv.DictReader(io.StringIO(result.out))
    assert float(values["fpo_per_example"]) == 4.2e10
    assert float(values["fpo_examples_per_run"]) == 1e12
    assert values["precision"] == "bf16" and values["mfu"] == "0.4"


def test_model_card_block(cli) -> None:
    (row,) = as_json(cli, FINETUNE)
    result = cli("estimate", FINETUNE, "--format", "model-card", "--training-type", "fine-tuning")
    assert result.code == 0, result.err
    block = yaml.safe_load(result.out)["co2_eq_emissions"]
    assert list(block) == ["emissions", "source", "training_type", "geographical_location",
                           "hardware_used"]  # fmt: skip
    assert block["emissions"] == pytest.approx(row["co2e_kg"] * 1000, rel=1e-5)  # grams
    assert block["training_type"] == "fine-tuning"
    assert block["geographical_location"] == "gcp:us-central1 (Iowa, United States)"
    assert block["hardware_used"] == "8 x H100 SXM5 80GB"
    assert block["source"].startswith("greenai 0.1.0 estimate (Strubell et al. 2019 method)")


def test_model_card_adds_up_several_files(cli) -> None:
    files = [CONFIGS / "strubell2019" / "elmo.yaml", CONFIGS / "fpo" / "resnet50_imagenet_1h.yaml"]
    rows = as_json(cli, *files)
    block = yaml.safe_load(cli("estimate", *files, "--format", "model-card").out)
    card = block["co2_eq_emissions"]
    assert card["emissions"] == pytest.approx(sum(r["co2e_kg"] for r in rows) * 1000, rel=1e-5)
    assert card["training_type"] == "pre-training"
    assert card["geographical_location"] == "United States"
    assert card["hardware_used"] == "3 x P100; 256 x P100"


# ----------------------------------------------------------------------------- LaTeX

LATEX_FILES = [*sorted((CONFIGS / "strubell2019").glob("*.yaml")), GPT3, WHAT_IF, RESNET]


def test_latex_table_is_well_formed(cli) -> None:
    result = cli("estimate", *LATEX_FILES, "--format", "latex", "--units", "imperial")
    text = result.out
    assert text.count("\\begin{table}") == text.count("\\end{table}") == 1
    assert text.count("\\begin{tabular}") == text.count("\\end{tabular}") == 1
    columns = len(text.split("\\begin{tabular}{", 1)[1].split("}", 1)[0])
    rows = [line for line in text.splitlines() if line.endswith("\\\\")]
    assert len(rows) == 1 + len(LATEX_FILES) + 1  # header, one per file, total
    for row in rows:  # every row has as many cells as the column spec, no stray specials
        assert row.count("&") - row.count("\\&") == columns - 1, row
        bare = row.replace("CO$_2$e", "").replace("$\\cdot$", "")
        for escaped in ("\\$", "\\&", "\\%", "\\_", "\\#"):
            bare = bare.replace(escaped, "")
        assert not any(c in bare for c in "$%_#"), row
    rules = [line for line in text.splitlines() if line.endswith("rule")]
    assert rules == ["\\toprule", "\\midrule", "\\midrule", "\\bottomrule"]
    assert "GPT-3 175B (Brown et al. 2020) & V100x10000 &" in text
    assert "315 ZFLOP" in text


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no TeX engine (pdflatex) here")
def test_latex_table_compiles(cli, tmp_path: Path) -> None:
    result = cli("estimate", *LATEX_FILES, "--format", "latex", "--assumptions")
    (tmp_path / "table.tex").write_text(result.out, encoding="utf-8")
    (tmp_path / "paper.tex").write_text(
        "\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage[margin=1cm,landscape]"
        "{geometry}\n\\begin{document}\n\\input{table}\n\\end{document}\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert (tmp_path / "paper.pdf").stat().st_size > 1000
