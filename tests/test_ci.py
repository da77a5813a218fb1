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
    assert set(action["inputs"]) == {
        "paths",
        "budgets",
        "budget-total",
        "base",
        "warn-above",
        "fail-above",
        "delta-total",
        "github-token",
        "python-version",
    }
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


# ----------------------------------------------------------------------------- the Action, --base


def _action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text())


def _step(name: str) -> dict:
    (step,) = [s for s in _action()["runs"]["steps"] if s.get("name") == name]
    return step


def test_action_yml_is_valid_by_githubs_action_schema() -> None:
    """SchemaStore's github-action schema, as check-jsonschema vendors it (its builtin
    vendor.github-actions), read by the validator that check-jsonschema itself uses."""
    from importlib import resources

    document = json.loads(
        resources.files("check_jsonschema.builtin_schemas.vendor")
        .joinpath("github-actions.json")
        .read_text(encoding="utf-8")
    )
    assert document["$id"] == "https://json.schemastore.org/github-action.json"
    validator = jsonschema.Draft7Validator(document)
    assert [e.message for e in validator.iter_errors(_action())] == []
    broken = {**_action(), "runs": {"using": "composite", "steps": [{"shell": "bash"}]}}
    assert list(validator.iter_errors(broken))  # the schema can fail: a step needs run or uses


def test_action_yml_by_check_jsonschemas_command() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-actions",
            str(ROOT / "action.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_action_outputs_are_the_ones_greenai_writes() -> None:
    from greenai.render.github import OUTPUTS

    outputs = _action()["outputs"]
    assert set(outputs) == {key for key, _, _ in OUTPUTS} | {"passed"}
    for key, output in outputs.items():
        assert output["value"] == f"${{{{ steps.check.outputs.{key} }}}}"
    assert _step("greenai check")["id"] == "check"
    base = _action()["inputs"]["base"]["default"]
    assert base == "${{ github.event.pull_request.base.sha }}"


def _runner(tmp_path: Path):
    """Run an Action step's script as the runner would: bash -e, inputs as its environment,
    greenai from this checkout and a fake `gh` that logs its arguments and answers canned JSON."""
    import os
    import shutil
    import subprocess
    import sys

    bash = shutil.which("bash")
    if bash is None or shutil.which("git") is None:
        pytest.skip("no bash or git here")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "greenai").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m greenai "$@"\n')
    log = tmp_path / "gh.log"
    (bin_dir / "gh").write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$*" >> "{log}"\n'
        'case "$*" in\n'
        '  "api user --jq .login") exit 1 ;;\n'  # GITHUB_TOKEN: no /user
        '  *"/comments --jq"*) printf "%s" "$GH_FAKE_FOUND" ;;\n'
        "esac\n"
    )
    for name in ("greenai", "gh"):
        (bin_dir / name).chmod(0o755)

    def run(step: dict, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
        environment = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": str(ROOT),
            **env,
        }
        return subprocess.run(
            [bash, "-e", "-c", step["run"]],
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
        )

    return run, log


def test_action_compares_with_the_base_sets_outputs_and_writes_the_comment(tmp_path) -> None:
    from tests.test_check_base import NEW, SMALL, bert, commit, git

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, {"configs/bert.yaml": bert(79.2), "configs/small.yaml": SMALL}, "base")
    git(repo, "checkout", "-q", "-b", "pr")
    commit(repo, {"configs/bert.yaml": bert(158.4), "configs/new.yaml": NEW}, "head")
    base_sha = git(repo, "rev-parse", "main").strip()
    run, _ = _runner(tmp_path)
    step = _step("greenai check")
    outputs, summary, comment = (tmp_path / n for n in ("output", "summary.md", "comment.md"))

    def check(**inputs: str):
        outputs.write_text("")
        env = {
            "GREENAI_PATHS": "",
            "GREENAI_BUDGETS": "",
            "GREENAI_BUDGET_TOTAL": "false",
            "GREENAI_BASE": base_sha,
            "GREENAI_WARN_ABOVE": "",
            "GREENAI_FAIL_ABOVE": "",
            "GREENAI_DELTA_TOTAL": "false",
            "GREENAI_COMMENT": str(comment),
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(summary),
            **inputs,
        }
        done = run(step, repo, **env)
        return done, dict(line.split("=", 1) for line in outputs.read_text().splitlines())

    warned, found = check(GREENAI_WARN_ABOVE="co2e=+10%")
    assert warned.returncode == 0, warned.stderr
    assert found["passed"] == "true"
    # Strubell's BERT doubled: +1,438 lbs (652.3 kg) CO2e, +1,507 kWh; and the new file
    from tests.test_check_base import priced

    new = priced(NEW)
    assert float(found["delta-energy-kwh"]) == pytest.approx(1507 + new.energy_kwh, rel=1e-3)
    assert float(found["delta-co2e-kg"]) == pytest.approx(652.3 + new.co2e_kg, rel=1e-3)
    # cost: each file's own bill: BERT's cloud on-demand ($12,571 more), the new file's power
    assert float(found["delta-cost-usd"]) == pytest.approx(
        12571 + new.electricity_cost_usd, rel=1e-4
    )
    assert "::warning file=configs/bert.yaml,title=greenai%3A change above the warn tier" in (
        warned.stdout
    )
    body = comment.read_text(encoding="utf-8")
    assert body.startswith("<!-- greenai-check -->\n### greenai: CO2e +")
    assert "| configs/bert.yaml | **changed** |" in body
    failed, found = check(GREENAI_FAIL_ABOVE="energy=+1MWh co2e=+50%")
    assert failed.returncode == 1  # the step fails with greenai's status ...
    assert found["passed"] == "false"  # ... after the outputs are set
    assert float(found["co2e-kg"]) > 0 and comment.exists()
    plain, found = check(GREENAI_BASE="")  # a push: no base, no comment, no delta
    assert plain.returncode == 0
    assert not comment.exists()
    assert found["delta-co2e-kg"] == "" and found["co2e-kg"] != ""
    wrong, found = check(GREENAI_BASE="no-such-ref")
    assert wrong.returncode == 2 and found == {"passed": "false"}
    assert "--base no-such-ref: no such branch" in wrong.stderr


def test_action_posts_one_comment_or_updates_its_own(tmp_path) -> None:
    run, log = _runner(tmp_path)
    step = _step("greenai comment on the pull request")
    assert step["if"] == "${{ !cancelled() && inputs.github-token != '' }}"  # no token: nothing
    comment = tmp_path / "comment.md"
    comment.write_text("<!-- greenai-check -->\nbody\n")
    env = {
        "GH_TOKEN": "t",
        "GREENAI_REPOSITORY": "owner/repo",
        "GREENAI_COMMENT": str(comment),
    }
    push = run(step, tmp_path, GREENAI_PR="", **env)
    assert push.returncode == 0 and "not a pull request" in push.stdout
    assert not log.exists()
    posted = run(step, tmp_path, GREENAI_PR="7", GH_FAKE_FOUND="", **env)
    assert posted.returncode == 0, posted.stderr
    calls = log.read_text().splitlines()
    assert calls[1].startswith("api --paginate repos/owner/repo/issues/7/comments --jq ")
    assert 'select(.user.login == "github-actions[bot]"' in calls[1]
    assert calls[2] == f"api --method POST repos/owner/repo/issues/7/comments -F body=@{comment}"
    log.unlink()
    updated = run(step, tmp_path, GREENAI_PR="7", GH_FAKE_FOUND="123\n456", **env)
    assert updated.returncode == 0, updated.stderr
    calls = log.read_text().splitlines()
    assert (
        calls[-1] == f"api --method PATCH repos/owner/repo/issues/comments/123 -F body=@{comment}"
    )
    assert not [c for c in calls if "POST" in c]
    log.unlink()
    comment.unlink()
    missing = run(step, tmp_path, GREENAI_PR="7", **env)
    assert missing.returncode == 0 and "no comment body" in missing.stdout
    assert not log.exists()


def test_action_deepens_a_shallow_clone_to_find_the_merge_base(tmp_path) -> None:
    """actions/checkout fetches one commit by default; the step fetches the history of HEAD
    and the base (by SHA, as GitHub allows) rather than fail on a missing merge base."""
    from tests.test_check_base import NEW, SMALL, commit, git

    source = tmp_path / "source"
    source.mkdir()
    git(source, "init", "-q", "-b", "main")
    commit(source, {"configs/small.yaml": SMALL}, "base")
    git(source, "checkout", "-q", "-b", "pr")
    commit(source, {"configs/new.yaml": NEW}, "head")
    base_sha = git(source, "rev-parse", "main").strip()
    git(tmp_path, "clone", "-q", "--bare", str(source), "origin.git")
    url = (tmp_path / "origin.git").as_uri()
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "pr", url, "work")
    work = tmp_path / "work"
    assert git(work, "rev-parse", "--is-shallow-repository").strip() == "true"
    run, _ = _runner(tmp_path)
    outputs = tmp_path / "output"
    done = run(
        _step("greenai check"),
        work,
        GREENAI_BASE=base_sha,
        GREENAI_COMMENT=str(tmp_path / "comment.md"),
        GITHUB_OUTPUT=str(outputs),
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "a shallow clone: fetching the history" in done.stdout
    assert "1 new, 0 removed, 1 unchanged" in (tmp_path / "summary.md").read_text()
    assert "passed=true" in outputs.read_text()
