"""The CI side: budgets and exit codes, `greenai check`, GitHub annotations, schema, init."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from greenai import schema, tables
from tests.conftest import CONFIGS, ROOT

ELMO = str(CONFIGS / "strubell2019" / "elmo.yaml")
BERT = str(CONFIGS / "strubell2019" / "bert_base_v100.yaml")
STRUBELL = sorted(str(p) for p in (CONFIGS / "strubell2019").glob("*.yaml"))


# ----------------------------------------------------------------------------- budgets


def test_within_budget_exits_0(cli) -> None:
    # ELMo: 118.9 kg CO2e (262 lbs in Strubell's Table 3), $433-$1,472 of cloud
    result = cli("estimate", ELMO, "--budget", "co2e=120kg", "--budget", "cost=1500USD")
    assert result.code == 0, result.err
    assert result.err == ""


def test_over_budget_exits_1_and_says_by_how_much(cli) -> None:
    result = cli("estimate", ELMO, BERT, "--budget", "co2e=500kg", "--budget", "energy=1MWh")
    assert result.code == 1
    assert "ELMo" in result.out  # the table is still printed
    lines = result.err.strip().splitlines()
    assert lines == [
        f"{BERT}: over budget: CO2e 652 kg > 500 kg (by 152 kg, +30%; --budget)",
        f"{BERT}: over budget: energy 1,507 kWh > 1,000 kWh (by 506.8 kWh, +51%; --budget)",
    ]


def test_cost_budget_is_the_on_demand_cloud_bill(cli) -> None:
    # BERT on 64 V100s: $3,751-$12,571 (Strubell et al., Table 3)
    assert cli("estimate", BERT, "--budget", "cost=12600USD").code == 0
    result = cli("estimate", BERT, "--budget", "cost=$12000")
    assert result.code == 1
    assert "cloud cost (on-demand) $12,571 > $12,000" in result.err


def test_budget_total(cli) -> None:
    # ELMo 118.9 kg + BERT 652.0 kg = 771.0 kg: each under 700 kg, the total over it
    assert cli("estimate", ELMO, BERT, "--budget", "co2e=700kg").code == 0
    result = cli("estimate", ELMO, BERT, "--budget", "co2e=700kg", "--budget-total")
    assert result.code == 1
    assert result.err.startswith("total: over budget: total CO2e 771 kg > 700 kg")


def test_budget_in_the_experiment_file(cli, write) -> None:
    text = Path(ELMO).read_text() + "budget:\n  co2e: 100 kg\n  cost: 2000 USD\n"
    path = write(text, "elmo.yaml")
    line = text.splitlines().index("  co2e: 100 kg") + 1
    result = cli("estimate", path)
    assert result.code == 1
    assert f"(by 18.92 kg, +19%; budget in {path}:{line})" in result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--budget", "carbon=50kg"], "--budget expects one of co2e=50kg, cost=1000USD"),
        (["--budget", "co2e=50kWh"], "expected a mass of CO2e (convertible to kg)"),
        (["--budget", "co2e=-5kg"], "of zero or more"),
    ],
)
def test_bad_budgets_exit_2(cli, args, message) -> None:
    result = cli("estimate", ELMO, *args)
    assert result.code == 2
    assert message in result.err


def test_bad_budget_in_a_file_names_the_line(cli, write) -> None:
    path = write("hardware: 1 x V100\nhours: 1\nregion: fr\nbudget:\n  carbon: 5 kg\n")
    result = cli("estimate", path)
    assert result.code == 2
    assert (
        result.err.strip() == f"error: {path}:5: budget.carbon: unknown key; did you mean 'co2e'?"
    )


def test_a_cost_budget_needs_a_price(cli, write) -> None:
    # Japan: no electricity price in the tables (Eurostat and EIA cover Europe and the US)
    path = write("hardware: 1 x V100\nhours: 1\nregion: jp\nbudget: {cost: 5 USD}\n")
    result = cli("estimate", path)
    assert result.code == 2
    assert "cannot check a cost budget: no cloud price and no electricity price" in result.err


# ----------------------------------------------------------------------------- check


def test_check_prices_every_config_like_estimate(cli, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = cli("check", "--format", "json")
    assert result.code == 0, result.err
    items = json.loads(result.out)
    found = sorted(str(p.relative_to(ROOT)) for p in CONFIGS.rglob("*.yaml"))
    assert [i["file"] for i in items] == found
    assert all(i["status"] == "ok" for i in items)
    (single,) = json.loads(cli("estimate", ELMO, "--format", "json").out)
    (elmo,) = [i for i in items if i["file"].endswith("elmo.yaml")]
    assert elmo["estimate"]["co2e_kg"] == pytest.approx(single["co2e_kg"])


def test_check_exit_codes_and_summary(cli, write, tmp_path) -> None:
    good = write("hardware: 1 x V100\nhours: 10\nregion: fr\n", "good.yaml")
    heavy = write("hardware: 8 x H100\nhours: 100\nregion: pl\n", "heavy.yaml")
    assert cli("check", str(good)).code == 0
    over = cli("check", str(tmp_path), "--budget", "co2e=100kg")
    assert over.code == 1
    assert "2 files: 1 within budget, 1 over budget, 0 invalid" in over.out
    broken = write("hardware: 8 x H100\nhours: [1, 2]\nregion: pl\n", "broken.yaml")
    result = cli("check", str(tmp_path), "--budget", "co2e=100kg")
    assert result.code == 2  # an invalid file outranks a busted budget
    assert "3 files: 1 within budget, 1 over budget, 1 invalid" in result.out
    assert f"error: {broken}:2: hours: expected a duration" in result.err
    assert heavy.exists()


def test_check_github_annotations_and_job_summary(cli, write, tmp_path, monkeypatch) -> None:
    write("hardware: 8 x H100\nhours: 300\nregion: pl\nbudget:\n  co2e: 1 t\n", "heavy.yaml")
    broken = write("hardware: 8 x H100\nhours: 10\nregoin: pl\n", "broken.yaml")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = cli("check", str(tmp_path), "--format", "github")
    assert result.code == 2
    lines = result.out.splitlines()
    assert lines[0] == (
        f"::error file={broken},line=3,title=greenai%3A invalid experiment file::"
        "regoin: unknown key; did you mean 'region'?"
    )
    heavy = tmp_path / "heavy.yaml"
    assert lines[1].startswith(f"::error file={heavy},line=5,title=greenai%3A over budget::")
    assert "> 1,000 kg" in lines[1] and "%25" in lines[1]  # % escaped for the runner
    written = summary.read_text()
    assert written.startswith("earlier step\n## greenai check\n")
    assert "| **invalid** |" in written and "| **over budget** |" in written


def test_check_without_files(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("check")
    assert result.code == 2
    assert "no experiment files match configs/**/*.y*ml" in result.err
    missing = cli("check", "nowhere.yaml")
    assert missing.code == 2 and "nowhere.yaml" in missing.err


# ----------------------------------------------------------------------------- schema, init


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    document = schema.experiment_schema(tables.load())
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(document)


def test_schema_accepts_every_shipped_config_and_the_starter(validator) -> None:
    files = [*CONFIGS.rglob("*.yaml"), ROOT / "greenai" / "starter.yaml"]
    for path in files:
        document = yaml.safe_load(path.read_text())
        document = json.loads(json.dumps(document, default=str))  # dates as YAML gives them
        errors = [e.message for e in validator.iter_errors(document)]
        assert errors == [], path


@pytest.mark.parametrize(
    "document",
    [
        {"hardware": "8 x H100", "hours": 1, "regoin": "fr"},  # unknown key
        {"hardware": "8 x H100", "region": "fr"},  # no hours
        {"hardware": "8 x H100", "hours": 1, "duration": "1 h", "region": "fr"},
        {"hardware": "8 x H100", "hours": 1},  # no region or intensity
        {"hardware": "8 x H100", "hours": 1, "region": "fr", "runs": 0},
        {"hardware": {"device": "H100", "utilization": 80}, "hours": 1, "region": "fr"},
        {"hardware": "8 x H100", "hours": 1, "region": "fr", "budget": {"carbon": 1}},
        {"hardware": "8 x H100", "hours": 1, "region": "fr", "fpo": {"parameters": 7e9}},
    ],
)
def test_schema_rejects_what_greenai_rejects(validator, cli, write, document) -> None:
    assert list(validator.iter_errors(document))
    path = write(yaml.safe_dump(document))
    assert cli("estimate", path).code == 2


def test_schema_command_prints_json(cli) -> None:
    result = cli("schema")
    assert result.code == 0
    printed = json.loads(result.out)
    assert "gcp:us-central1" in printed["properties"]["region"]["anyOf"][0]["enum"]


def test_init_writes_a_starter_that_prices_and_never_overwrites(cli, tmp_path) -> None:
    path = tmp_path / "plan.yaml"
    result = cli("init", str(path))
    assert result.code == 0
    assert f"greenai estimate {path}" in result.out
    estimate = cli("estimate", str(path), "--format", "json")
    assert estimate.code == 0, estimate.err
    (row,) = json.loads(estimate.out)
    assert row["fpo"] == pytest.approx(6 * 1.3e9 * 10e9 * 5)  # 6 N D x 5 runs
    # a plausible plan: 24 h on 8 A100s (312 TFLOP/s bf16 each) imply an MFU of 0.36
    assert row["fpo_breakdown"]["mfu"] == pytest.approx(6 * 1.3e9 * 10e9 / (8 * 312e12 * 86_400))
    assert estimate.err == ""
    path.write_text("mine\n")
    again = cli("init", str(path))
    assert again.code == 2
    assert "already exists; use --force" in again.err
    assert path.read_text() == "mine\n"
    assert cli("init", str(path), "--force").code == 0
    assert path.read_text().startswith("# An experiment for greenai")


def test_version_and_completion(cli, monkeypatch) -> None:
    from greenai import __version__

    assert cli("--version").out.strip() == f"greenai {__version__}"
    import typer.completion
    from typer.testing import CliRunner

    from greenai.cli import app

    # typer finds the shell from the process tree, which a CI job without one does not have
    monkeypatch.setattr(typer.completion, "_get_shell_name", lambda: "bash")
    shown = CliRunner().invoke(app, ["--show-completion"])
    assert shown.exit_code == 0
    assert "_GREENAI_COMPLETE=complete_bash" in shown.output


# ----------------------------------------------------------------------------- the Action


def test_action_runs_greenai_check_with_its_inputs(tmp_path) -> None:
    """Run the Action's check step as the runner would: bash, inputs as environment."""
    import os
    import shutil
    import subprocess
    import sys

    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"paths", "budgets", "budget-total", "python-version"}
    (step,) = [s for s in action["runs"]["steps"] if s.get("name") == "greenai check"]
    assert step["shell"] == "bash"
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash here")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "greenai").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m greenai "$@"\n')
    (bin_dir / "greenai").chmod(0o755)
    summary = tmp_path / "summary.md"

    def run(paths: str, budgets: str, total: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "GREENAI_PATHS": paths,
            "GREENAI_BUDGETS": budgets,
            "GREENAI_BUDGET_TOTAL": total,
            "GITHUB_STEP_SUMMARY": str(summary),
        }
        return subprocess.run(
            [bash, "-e", "-c", step["run"]], cwd=ROOT, env=env, capture_output=True, text=True
        )

    ok = run("configs/today", "co2e=1t cost=5000USD", "false")
    assert ok.returncode == 0, ok.stderr
    assert "2 files: 2 within budget" in summary.read_text()
    over = run("configs/today configs/strubell2019/elmo.yaml", "co2e=200kg", "false")
    assert over.returncode == 1
    assert over.stdout.count("title=greenai%3A over budget") == 1  # gcp: 305 kg
    total = run("configs/today", "co2e=200kg", "true")
    assert total.returncode == 1
    # (4,665 W + the a3-edgegpu-8g host CPU, 462.7 W) x 108 h: x PUE 1.1 (Google 2024) x 501
    # g/kWh (Electricity Maps 2025, zone US-MIDW-MISO) = 305.2 kg for us-central1, x PUE 1.12 x
    # 41 g/kWh (zone CA-QC) = 25.4 kg for northamerica-northeast1
    assert "total CO2e 330.6 kg > 200 kg" in total.stdout
    every = run("", "", "false")  # no inputs: configs/**/*.y*ml
    assert every.returncode == 0, every.stdout
    assert "16 files: 16 within budget" in summary.read_text()


def test_pre_commit_hook_runs_greenai_check() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["entry"] == "greenai check" and hook["pass_filenames"] is True


def test_this_repositorys_workflow_passes_its_own_budgets(cli, monkeypatch) -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "greenai-check.yml").read_text())
    (step,) = [s for s in workflow["jobs"]["price"]["steps"] if s["uses"] == "./"]
    budgets = [f"--budget={b}" for b in step["with"]["budgets"].split()]
    monkeypatch.chdir(ROOT)
    assert cli("check", step["with"]["paths"], *budgets).code == 0


def test_the_starters_commented_cloud_block_prices_when_uncommented(cli, tmp_path) -> None:
    path = tmp_path / "exp.yaml"
    assert cli("init", str(path)).code == 0
    text = path.read_text(encoding="utf-8")
    for line in ("# cloud:", "#   provider: gcp", "#   price: [1.1 USD/h, 3.7 USD/h]"):
        assert line in text
        text = text.replace(line, line.replace("# ", "", 1) if line == "# cloud:" else line[1:])
    path.write_text(text, encoding="utf-8")
    result = cli("estimate", str(path), "--format", "json")
    assert result.code == 0, result.err
