"""`greenai check --base REF` (issue 17): a temporary git repository with a base and a head
commit, priced at both; the tiers, the pull-request comment, the GitHub outputs, and text from
files kept inert in all of them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from greenai import experiment, tables
from greenai.delta import parse_tier
from greenai.errors import InputError
from greenai.estimate import estimate
from greenai.render import escape
from greenai.render.pr_comment import MARKER
from tests.conftest import CONFIGS, ROOT

DATA = tables.load()
GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is needed for --base")
ZW = escape.ZERO_WIDTH_SPACE

# Strubell et al. 2019, Table 3: BERT base, 64 V100s, 79.2 h: 1,507 kWh x PUE, 1,438 lbs CO2e,
# $3,751-$12,571 of cloud compute
STRUBELL_BERT = (CONFIGS / "strubell2019" / "bert_base_v100.yaml").read_text(encoding="utf-8")


def bert(hours: float) -> str:
    return STRUBELL_BERT.replace("hours: 79.2", f"hours: {hours}")


SMALL = "# greenai\nname: small\nhardware: 1 x A100\nhours: 10\nregion: fr\n"
GONE = "# greenai\nname: gone\nhardware: 8 x H100\nhours: 5\nregion: pl\n"
NEW = "# greenai\nname: new\nhardware: 2 x A100\nhours: 3\nregion: de\n"
# a Hydra config in configs/ without the marker: not an experiment file, at either commit
HYDRA = "defaults:\n  - model: bert\n"
HOSTILE = (
    "::error::pwned <img src=x onerror=alert(1)> | pipe @someone ](javascript:alert(1)) "
    "![i](https://evil.example/x.png) #1 www.evil.example \x1b[31mred\x1b[0m\nline two"
)


def git(where: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=where, capture_output=True, text=True, check=True, env=_env()
    )
    return done.stdout


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def commit(where: Path, files: dict[str, str | None], message: str) -> None:
    """Write (or, for None, remove) files and commit them all."""
    for name, text in files.items():
        path = where / name
        if text is None:
            git(where, "rm", "-q", name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(where, "add", "-A")
    git(where, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """main: bert (79.2 h), small, gone, a Hydra config; branch pr: bert doubled to 158.4 h,
    gone removed, new added, small untouched."""
    where = tmp_path / "repo"
    where.mkdir()
    git(where, "init", "-q", "-b", "main")
    commit(
        where,
        {
            "configs/bert.yaml": bert(79.2),
            "configs/small.yaml": SMALL,
            "configs/gone.yaml": GONE,
            "configs/hydra/train.yaml": HYDRA,
        },
        "base",
    )
    git(where, "checkout", "-q", "-b", "pr")
    commit(
        where,
        {
            "configs/bert.yaml": bert(158.4),
            "configs/gone.yaml": None,
            "configs/new.yaml": NEW,
        },
        "head",
    )
    monkeypatch.chdir(where)
    for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    return where


def priced(text: str, name: str = "x.yaml"):
    return estimate(experiment.load_bytes(text.encode(), name, DATA), DATA).total


def by_file(report: dict) -> dict[str, dict]:
    return {item["file"]: item for item in report["files"]}


# ----------------------------------------------------------------------------- the comparison


def test_doubling_hours_doubles_every_figure_and_the_rest_is_paired(cli, repo) -> None:
    head_before = git(repo, "rev-parse", "HEAD")
    result = cli("check", "--base", "main", "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["base"] == {
        "ref": "main",
        "commit": git(repo, "merge-base", "main", "HEAD").strip(),
    }
    files = by_file(report)
    assert {f: i["status"] for f, i in files.items()} == {
        "configs/bert.yaml": "changed",
        "configs/small.yaml": "unchanged",
        "configs/gone.yaml": "removed",
        "configs/new.yaml": "new",
    }
    # by hand: twice the hours on the same hardware and grid is twice the energy: +100%
    moved = files["configs/bert.yaml"]["changes"]
    base = priced(bert(79.2))
    assert moved["energy"]["percent"] == pytest.approx(100.0)
    assert moved["energy"]["delta"]["value"] == pytest.approx(base.energy_kwh)
    # the published figures at the base, and twice them as the change
    assert moved["energy"]["base"]["value"] == pytest.approx(1507, rel=1e-3)
    assert moved["energy"]["delta"]["value"] == pytest.approx(1507, rel=1e-3)
    assert moved["co2e"]["delta"]["value"] == pytest.approx(1438 * 0.45359237, rel=1e-3)
    assert moved["cost"]["delta"] == pytest.approx(
        {"value": 12571, "low": 3751, "high": 12571}, abs=1
    )
    for metric, name in (("co2e", "co2e_kg"), ("energy", "energy_kwh")):
        low, high = base.ranges[name]  # same end at both commits: the range doubles too
        assert moved[metric]["delta"] == pytest.approx(
            {"value": getattr(base, name), "low": low, "high": high}
        )
    # new and removed: the whole figure, no share; the total is the sum of the changes
    new, gone = priced(NEW), priced(GONE)
    assert files["configs/new.yaml"]["changes"]["co2e"]["delta"]["value"] == pytest.approx(
        new.co2e_kg
    )
    assert files["configs/new.yaml"]["changes"]["co2e"]["percent"] is None
    assert files["configs/gone.yaml"]["changes"]["co2e"]["percent"] == pytest.approx(-100.0)
    expected = base.co2e_kg + new.co2e_kg - gone.co2e_kg
    assert report["total"]["co2e"]["delta"]["value"] == pytest.approx(expected)
    small = priced(SMALL)
    assert report["total"]["co2e"]["base"]["value"] == pytest.approx(
        base.co2e_kg + small.co2e_kg + gone.co2e_kg
    )
    assert files["configs/small.yaml"]["changes"]["co2e"]["delta"]["value"] == 0
    # nothing was checked out, nothing written: the work tree and HEAD are as they were
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "rev-parse", "HEAD") == head_before
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "pr"


def test_merge_base_not_the_tip_of_the_base_branch(cli, repo) -> None:
    """What landed on main after the branch point is not the pull request's change."""
    git(repo, "checkout", "-q", "main")
    commit(repo, {"configs/small.yaml": SMALL.replace("hours: 10", "hours: 1000")}, "later")
    git(repo, "checkout", "-q", "pr")
    report = json.loads(cli("check", "--base", "main", "--format", "json").out)
    assert by_file(report)["configs/small.yaml"]["status"] == "unchanged"


def test_rename_is_paired_and_the_table_shows_it(cli, repo) -> None:
    git(repo, "mv", "configs/small.yaml", "configs/small_fr.yaml")
    git(repo, "commit", "-q", "-m", "rename")
    report = json.loads(cli("check", "--base", "main", "--format", "json").out)
    files = by_file(report)
    assert "configs/small.yaml" not in files
    moved = files["configs/small_fr.yaml"]
    assert moved["renamed_from"] == "configs/small.yaml"
    assert moved["changes"]["co2e"]["delta"]["value"] == 0
    table = cli("check", "--base", "main")
    assert table.code == 0
    assert "renamed from configs/small.yaml" in table.out
    assert "Against main (merge base" in table.out


def test_an_invalid_base_file_is_reported_and_the_check_goes_on(cli, repo) -> None:
    git(repo, "checkout", "-q", "main")
    commit(
        repo, {"configs/broken.yaml": "# greenai\nhardware: 1 x V100\nhours: 1\nregoin: fr\n"}, "b"
    )
    git(repo, "checkout", "-q", "-b", "fix")
    commit(
        repo, {"configs/broken.yaml": "# greenai\nhardware: 1 x V100\nhours: 1\nregion: fr\n"}, "f"
    )
    result = cli("check", "--base", "main", "--format", "json")
    assert result.code == 0, result.err  # the change fixes it: not a failure
    item = by_file(json.loads(result.out))["configs/broken.yaml"]
    assert item["status"] == "base invalid"
    assert item["base_error"].startswith("configs/broken.yaml (at base ")
    assert "regoin: unknown key; did you mean 'region'?" in item["base_error"]
    assert "invalid at base" in result.err
    assert json.loads(result.out)["left_out_of_total"] == ["configs/broken.yaml"]
    github = cli("check", "--base", "main", "--format", "github")
    assert github.code == 0
    (line,) = [x for x in github.out.splitlines() if x.startswith("::warning")]
    assert line.startswith(
        "::warning file=configs/broken.yaml,title=greenai%3A invalid at the base"
    )
    assert line.endswith(": line 4: regoin: unknown key; did you mean 'region'?")


def test_explicit_paths_folders_and_globs_at_both_commits(cli, repo) -> None:
    report = json.loads(cli("check", "--base", "main", "configs/bert.yaml", "--format", "json").out)
    assert list(by_file(report)) == ["configs/bert.yaml"]
    globbed = json.loads(cli("check", "--base", "main", "configs/*.yaml", "-f", "json").out)
    assert set(by_file(globbed)) == {
        "configs/bert.yaml",
        "configs/small.yaml",
        "configs/new.yaml",
        "configs/gone.yaml",
    }
    folder = cli("check", "--base", "main", "configs", "--exclude", "configs/hydra", "-f", "json")
    assert set(by_file(json.loads(folder.out))) == set(by_file(globbed))


def test_from_a_subfolder_paths_are_the_shells(cli, repo, monkeypatch) -> None:
    monkeypatch.chdir(repo / "configs")
    report = json.loads(cli("check", "--base", "main", ".", "--exclude", "hydra", "-f", "json").out)
    assert by_file(report)["bert.yaml"]["status"] == "changed"
    assert by_file(report)["gone.yaml"]["status"] == "removed"


@pytest.mark.parametrize(
    ("where", "ref", "said"),
    [
        ("plain", "main", "is not inside a git repository"),
        ("repo", "nosuchbranch", "--base nosuchbranch: no such branch, tag or commit"),
        ("repo", "--output=x", "--base expects a branch, tag or commit"),
    ],
)
def test_not_a_repository_or_an_unknown_ref_exits_2_with_one_line(
    cli, repo, tmp_path, monkeypatch, where, ref, said
) -> None:
    if where == "plain":
        plain = tmp_path / "plain"
        (plain / "configs").mkdir(parents=True)
        (plain / "configs" / "a.yaml").write_text(SMALL)
        monkeypatch.chdir(plain)
        monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = cli("check", f"--base={ref}")
    assert result.code == 2
    assert said in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err


def test_options_that_need_a_base_say_so(cli, repo) -> None:
    for args in (["--fail-above", "co2e=+1kg"], ["--format", "pr-comment"]):
        result = cli("check", *args)
        assert result.code == 2
        assert "compares with a base commit: give --base REF too" in result.err


# ----------------------------------------------------------------------------- tiers


def test_warn_tier_passes_with_annotations_fail_tier_fails(
    cli, repo, tmp_path, monkeypatch
) -> None:
    base = priced(bert(79.2))
    outputs = tmp_path / "out.txt"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    warned = cli("check", "--base", "main", "--format", "github", "--warn-above", "co2e=+10%")
    assert warned.code == 0, warned.out
    (line,) = [x for x in warned.out.splitlines() if "tier" in x]
    assert line.startswith(
        "::warning file=configs/bert.yaml,title=greenai%3A change above the warn"
    )
    assert "(+100%25) is above --warn-above co2e=+10%25" in line
    failed = cli(
        "check",
        "--base",
        "main",
        "-f",
        "github",
        "--fail-above",
        f"co2e=+{base.co2e_kg * 0.99:.0f}kg",
    )
    assert failed.code == 1
    assert (
        "::error file=configs/bert.yaml,title=greenai%3A change above the fail tier::" in failed.out
    )
    # outputs were written by both runs, the second one failing
    runs = outputs.read_text().strip().split("passed=")
    assert [r.split("\n")[0] for r in runs[1:]] == ["true", "false"]
    # a share does not apply to a new file; an absolute tier does
    new = priced(NEW)
    assert cli("check", "--base", "main", "configs/new.yaml", "--fail-above", "co2e=+1%").code == 0
    tight = cli(
        "check", "--base", "main", "configs/new.yaml", "--fail-above", f"co2e=+{new.co2e_kg / 2}kg"
    )
    assert tight.code == 1
    assert "configs/new.yaml: CO2e +" in tight.err


def test_delta_total_applies_tiers_to_the_total(cli, repo) -> None:
    base, new, gone = priced(bert(79.2)), priced(NEW), priced(GONE)
    change = base.energy_kwh + new.energy_kwh - gone.energy_kwh
    args = ["check", "--base", "main", "--delta-total", "-f", "json"]
    over = cli(*args, "--fail-above", f"energy=+{change * 0.999}kWh")
    assert over.code == 1
    (crossing,) = json.loads(over.out)["crossings"]
    assert crossing["subject"] == "total" and crossing["level"] == "fail"
    assert cli(*args, "--fail-above", f"energy=+{change * 1.001 / 1000}MWh").code == 0


def test_budgets_keep_working_beside_the_tiers(cli, repo) -> None:
    result = cli("check", "--base", "main", "--budget", "co2e=1t", "--warn-above", "co2e=+1t")
    assert result.code == 1  # BERT for 158.4 h: 1.3 t over a 1 t budget
    assert "1 over budget" in result.out


@pytest.mark.parametrize(
    ("text", "amount", "relative"),
    [
        ("co2e=+5kg", 5.0, False),
        ("co2e=5 t", 5000.0, False),
        ("energy=+1MWh", 1000.0, False),
        ("cost=+100USD", 100.0, False),
        ("water=+1000 L", 1000.0, False),
        ("co2e=+10%", 0.1, True),
    ],
)
def test_tier_parsing(text, amount, relative) -> None:
    tier = parse_tier(text, "warn")
    assert tier.amount == pytest.approx(amount) and tier.relative is relative


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("carbon=+5kg", "--fail-above expects one of co2e=+5kg"),
        ("co2e=-5kg", "a tier is an increase"),
        ("co2e=+5kWh", "expected a mass of CO2e"),
        ("co2e=+x%", "expected a share such as +10%"),
        ("co2e=", "--fail-above expects one of"),
    ],
)
def test_bad_tiers_exit_2(cli, repo, text, said) -> None:
    with pytest.raises(InputError, match=re.escape(said)):
        parse_tier(text, "fail")
    result = cli("check", "--base", "main", "--fail-above", text)
    assert result.code == 2 and said in result.err


@given(st.text(max_size=30))
@example("+1e400%")
@example("nan%")
def test_tier_parser_raises_only_input_errors(text) -> None:
    try:
        tier = parse_tier(f"co2e={text}", "warn")
    except InputError:
        return
    assert tier.amount >= 0 and tier.amount == tier.amount


# ----------------------------------------------------------------------------- outputs


def test_github_outputs_are_plain_numbers(cli, repo, tmp_path, monkeypatch) -> None:
    outputs = tmp_path / "out.txt"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    assert cli("check", "--base", "main", "--format", "github").code == 0
    found = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    head = [priced(t) for t in (bert(158.4), SMALL, NEW)]
    base = priced(bert(79.2))
    assert float(found["co2e-kg"]) == pytest.approx(sum(h.co2e_kg for h in head), abs=1e-6)
    assert float(found["energy-kwh"]) == pytest.approx(sum(h.energy_kwh for h in head), abs=1e-6)
    delta = base.co2e_kg + head[2].co2e_kg - priced(GONE).co2e_kg
    assert float(found["delta-co2e-kg"]) == pytest.approx(delta, abs=1e-6)
    assert found["water-l"] == ""  # no WUE for these regions: unknown, not 0
    assert found["passed"] == "true"
    assert all(re.fullmatch(r"-?\d+(\.\d+)?|", v) for k, v in found.items() if k != "passed")
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("## greenai check\n\nAgainst main (merge base ")


# ----------------------------------------------------------------------------- the comment


def render(markdown: str):
    """GitHub-flavoured Markdown as a renderer reads it: CommonMark with tables, raw HTML on."""
    return MarkdownIt("commonmark").enable("table").parse(markdown)


def test_pr_comment_renders_as_a_table_biggest_change_first(cli, repo, tmp_path) -> None:
    path = tmp_path / "comment.md"
    result = cli("check", "--base", "main", "--format", "pr-comment", "--output", str(path))
    assert result.code == 0, result.err
    body = path.read_text(encoding="utf-8")
    assert body.startswith(MARKER + "\n### greenai: CO2e +")
    tokens = render(body)
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) == (1 + 3 + 1) + (1 + 4 + 1)  # on top: changed + total; folded: every file
    first_table = body.split("<details>")[0]
    order = [n for n in ("bert", "gone", "new") if f"configs/{n}.yaml" in first_table]
    assert order == ["bert", "gone", "new"]
    assert first_table.index("bert") < first_table.index("gone") < first_table.index("new.yaml")
    assert "small.yaml" not in first_table  # unchanged: folded
    html = [t.content.strip() for t in tokens if t.type == "html_block"]
    assert html[0] == MARKER
    assert all(h.startswith(("<!--", "<details>", "</details>")) for h in html)


def test_comment_summary_annotations_and_outputs_stay_inert(
    cli, repo, tmp_path, monkeypatch
) -> None:
    hostile_name = HOSTILE.replace("\n", "\\n")  # a YAML double-quoted string keeps both
    commit(
        repo,
        {"configs/evil.yaml": NEW.replace("name: new", "name: " + json.dumps(HOSTILE))},
        "evil",
    )
    assert hostile_name
    comment = tmp_path / "comment.md"
    outputs = tmp_path / "out.txt"
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = cli(
        "check",
        "--base",
        "main",
        "-f",
        "github",
        "--comment",
        str(comment),
        "--fail-above",
        "co2e=+0.1kg",
    )
    assert result.code == 1
    for text in (comment.read_text(encoding="utf-8"), summary.read_text(encoding="utf-8")):
        tokens = render(text)
        inline = [c for t in tokens if t.children for c in t.children]
        assert not [c for c in inline if c.type in ("link_open", "image", "html_inline")]
        assert all(
            t.content.strip().startswith(("<!--", "<details>", "</details>"))
            for t in tokens
            if t.type == "html_block"
        )
        widths = {
            len([c for c in row if c.type in ("th_open", "td_open")]) for row in _rows(tokens)
        }
        assert len(widths) <= 2  # the table on top has no Note column; no cell split by a |
        assert "\x1b" not in text and "pwned <img" not in text
        assert not re.search(r"@\w", text) and "://" not in text and "www." not in text
        assert "evil.yaml" in text
    for line in result.out.splitlines():  # annotations: one line each, no command inside
        assert line.startswith(("::error ", "::warning ")) and line.count("::") == 2
    assert all(
        re.fullmatch(r"[a-z0-9-]+=(-?[\d.]*|true|false)", x)
        for x in outputs.read_text().splitlines()
    )


def _rows(tokens):
    row: list = []
    for token in tokens:
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            yield row
        else:
            row.append(token)


@given(st.text(max_size=60))
@example(HOSTILE)
@example("a@b.co #12 owner/repo#3 https://x.y www.z.org ::set-output:: <!-- x")
def test_github_markdown_is_inert(text) -> None:
    shown = escape.github_markdown(text)
    assert "\n" not in shown and "\r" not in shown and "<" not in shown and ">" not in shown
    assert not re.search(r"@[^\u200b]", shown) and not re.search(r"#[^\u200b]", shown)
    assert "://" not in shown and not re.search("www\\.", shown, re.IGNORECASE)
    assert "::" not in shown
    assert not re.search(r"(?<!\\)(\\\\)*\|", shown)  # every pipe escaped
    table = f"| a |\n| --- |\n| {shown} |\n"
    tokens = render(table)
    inline = [c for t in tokens if t.children for c in t.children]
    assert not [c for c in inline if c.type in ("link_open", "image", "html_inline")]
    assert len([t for t in tokens if t.type == "td_open"]) == 1


def test_subprocess_like_a_ci_step(repo, tmp_path) -> None:
    env = {**_env(), "PYTHONPATH": str(ROOT), "GITHUB_OUTPUT": str(tmp_path / "o.txt")}
    env.pop("GITHUB_STEP_SUMMARY", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "greenai",
            "check",
            "--base",
            "main",
            "--format",
            "github",
            "--fail-above",
            "energy=+10%",
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert (
        "::error file=configs/bert.yaml,title=greenai%3A change above the fail tier::"
        in done.stdout
    )
    assert "## greenai check" in done.stdout  # no job summary file: the summary on stdout
    assert "passed=false" in (tmp_path / "o.txt").read_text()


def test_a_huge_comment_is_cut_to_githubs_limit() -> None:
    from greenai.delta import Delta, FileDelta, changes
    from greenai.render import pr_comment
    from greenai.status import ExitStatus

    figures = priced(SMALL)
    source = estimate(experiment.load_bytes(SMALL.encode(), "s.yaml", DATA), DATA)
    files = [
        FileDelta(
            f"configs/{'x' * 200}{i}.yaml", "removed", base=source, changes=changes(figures, None)
        )
        for i in range(400)
    ]
    delta = Delta("main", "0" * 40, files, changes(None, None))
    body = pr_comment.render(delta, ExitStatus.OK, version="0")
    assert len(body) <= pr_comment.MAX_CHARS
    assert body.startswith(MARKER) and body.count("<details>") == body.count("</details>") == 1
    left = int(re.search(r"_(\d+) more files left out", body).group(1))
    assert 0 < left < 400
    shown = len([t for t in render(body) if t.type == "tr_open"])
    assert shown == (1 + 10 + 1) + (1 + 400 - left + 1)
