"""`greenai batch` and `greenai init --cluster` as a user runs them: formats, files, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "batch"
LOG = DATA / "sacct.txt"
CLUSTER = DATA / "cluster.yaml"
GA4HPC = DATA / "ga4hpc.yaml"


def test_the_terminal_summary(cli) -> None:
    result = cli("batch", LOG, "--cluster", CLUSTER)
    assert result.code == 0, result.err
    out = result.out
    for part in ("Totals:", "By user:", "By account:", "By partition:", "By state:", "By month:"):
        assert part in out
    assert "Example HPC: 7 jobs from 14 log rows (6 priced, 1 unpriced, 2 malformed rows)" in out
    assert "bigmem (1 job)" in out
    assert "sacct.txt:14: Elapsed -01:00:00" in out


def test_json_is_the_contract_and_csv_its_table(cli) -> None:
    import jsonschema

    from greenai.batch.summary import SCHEMA

    found = json.loads(cli("batch", LOG, "--cluster", CLUSTER, "-f", "json").out)
    jsonschema.validate(found, SCHEMA)
    assert found["greenai"]["command"] == "batch"
    assert found["cluster"] == {"name": "Example HPC", "file": str(CLUSTER)}
    assert set(found["groups"]) == {"user", "account", "partition", "state", "month"}
    only = json.loads(cli("batch", LOG, "--cluster", CLUSTER, "-f", "json", "--by", "user").out)
    assert set(only["groups"]) == {"user", "partition", "state", "month"}  # always these four
    top = json.loads(cli("batch", LOG, "--cluster", CLUSTER, "-f", "json", "--top", "1").out)
    assert [g["key"] for g in top["groups"]["user"]] == ["bob"]
    rows = list(
        csv.DictReader(io.StringIO(cli("batch", LOG, "--cluster", CLUSTER, "-f", "csv").out))
    )
    total = next(r for r in rows if r["group"] == "total")
    assert float(total["energy_kwh"]) == pytest.approx(found["totals"]["energy_kwh"]["value"])
    users = {r["key"]: r for r in rows if r["group"] == "user"}
    assert int(users["alice"]["jobs"]) == 4
    markdown = cli("batch", LOG, "--cluster", CLUSTER, "-f", "markdown", "--by", "state").out
    assert "### By state" in markdown and "| FAILED | 1 |" in markdown


def test_engines_from_the_command_line(cli) -> None:
    duck = json.loads(cli("batch", LOG, "--cluster", CLUSTER, "-f", "json").out)
    pandas = json.loads(
        cli("batch", LOG, "--cluster", CLUSTER, "-f", "json", "--engine", "pandas").out
    )
    assert pandas["totals"]["energy_kwh"]["value"] == pytest.approx(
        duck["totals"]["energy_kwh"]["value"]
    )


def test_ga4hpc_file_is_read_as_it_is(cli) -> None:
    result = cli("batch", LOG, "--cluster", GA4HPC, "-f", "json")
    assert result.code == 0, result.err
    found = json.loads(result.out)
    assert any("GA4HPC" in a["source"] for a in found["assumptions"])


def test_output_jobs_parquet_and_csv(cli, tmp_path) -> None:
    import pyarrow.parquet as pq

    summary = json.loads(cli("batch", LOG, "--cluster", CLUSTER, "-f", "json").out)
    table = tmp_path / "jobs.parquet"
    assert (
        cli(
            "batch", LOG, "--cluster", CLUSTER, "--output-jobs", table, "-o", tmp_path / "s.txt"
        ).code
        == 0
    )
    jobs = pq.read_table(table).to_pandas()
    assert len(jobs) == 8  # 7 jobs, the heterogeneous one as two components
    priced = jobs[jobs["priced"]]
    assert priced["energy_kwh"].sum() == pytest.approx(summary["totals"]["energy_kwh"]["value"])
    assert set(jobs["job"]) >= {"1001", "1004+0", "1004+1", "1003_[3-5]"}
    text = tmp_path / "jobs.csv"
    assert (
        cli("batch", LOG, "--cluster", CLUSTER, "--output-jobs", text, "--engine", "pandas").code
        == 0
    )
    rows = list(csv.DictReader(text.open()))
    assert len(rows) == 8 and rows[0]["energy_kwh_low"]


def test_strict_fails_and_writes_nothing(cli, tmp_path) -> None:
    table = tmp_path / "jobs.parquet"
    result = cli("batch", LOG, "--cluster", CLUSTER, "--strict", "--output-jobs", table)
    assert result.code == 2
    assert f"{LOG}:14: malformed row (2 in all): Elapsed -01:00:00" in result.err
    assert result.out == ""
    assert list(tmp_path.iterdir()) == []  # no jobs file, no temporary file left


def test_strict_refuses_an_unknown_partition(cli, tmp_path) -> None:
    log = tmp_path / "log.txt"
    lines = LOG.read_text().splitlines()
    log.write_text("\n".join(line for line in lines[:14] if "-01:00:00" not in line) + "\n")
    result = cli("batch", log, "--cluster", CLUSTER, "--strict")
    assert result.code == 2
    assert "partition(s) bigmem are not in the cluster file" in result.err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--by", "users", "--cluster", CLUSTER], "unknown group 'users'"),
        ([], "--cluster is required for sacct logs"),
        (["--cluster", DATA / "nowhere.yaml"], "no such file"),
    ],
)
def test_bad_command_lines(cli, args, says) -> None:
    result = cli("batch", LOG, *args)
    assert result.code == 2, result
    assert says in result.err


def test_report_is_the_page_of_the_summary_dated_by_source_date_epoch(
    cli, tmp_path, monkeypatch
) -> None:
    """--report writes the page of the same summary that --format json prints, dated by
    SOURCE_DATE_EPOCH where it is set (reproducible), so it is that renderer's page byte for
    byte."""
    import json

    from greenai.render.batch_html import render

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    report = tmp_path / "r.html"
    result = cli("batch", LOG, "--cluster", CLUSTER, "--report", report, "-f", "json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert report.read_text(encoding="utf-8") == render(summary, generated="2026-01-01")
    assert "2026-01-01" in report.read_text(encoding="utf-8")


def test_a_comma_separated_log_is_refused(cli, tmp_path) -> None:
    log = tmp_path / "log.csv.txt"
    log.write_text("JobID,User,Partition,State,Elapsed,NCPUS\n1,a,cpu,COMPLETED,01:00,1\n")
    result = cli("batch", log, "--cluster", CLUSTER)
    assert result.code == 2
    assert (
        f"{log}:1: fields are separated by commas; expected '|' (sacct --parsable2)" in result.err
    )


def test_init_cluster_writes_a_file_that_prices(cli, tmp_path) -> None:
    path = tmp_path / "cluster.yaml"
    result = cli("init", "--cluster", path)
    assert result.code == 0
    assert f"greenai batch jobs.txt --cluster {path}" in result.out
    assert path.read_text().startswith("# A cluster for greenai")
    priced = cli("batch", LOG, "--cluster", path, "-f", "json")
    assert priced.code == 0, priced.err
    assert json.loads(priced.out)["jobs"]["priced"] == 6
    assert cli("init", "--cluster", path).code == 2  # never overwrites without --force


def test_batch_is_listed_in_help(cli) -> None:
    from greenai.cli import COMMANDS

    assert ("batch", "batch", "Price a cluster's job log (SLURM sacct).") in COMMANDS
    assert "Price a cluster's job log" in cli("--help").out


def test_without_duckdb_the_pandas_path_says_so(cli, monkeypatch) -> None:
    import greenai.cli.batch as command

    monkeypatch.setattr(command, "_has", lambda module: module not in ("duckdb", "pyarrow"))
    result = cli("batch", LOG, "--cluster", CLUSTER, "-f", "json")
    assert result.code == 0, result.err
    found = json.loads(result.out)
    assert found["notices"][0].startswith("DuckDB or pyarrow is not installed")
    assert found["jobs"]["priced"] == 6
    refused = cli("batch", LOG, "--cluster", CLUSTER, "--output-jobs", "jobs.parquet")
    assert refused.code == 2 and "--output-jobs needs pyarrow" in refused.err


def test_a_pipe_is_refused_with_a_hint(cli, tmp_path) -> None:
    import os

    fifo = tmp_path / "log.fifo"
    os.mkfifo(fifo)
    result = cli("batch", fifo, "--cluster", CLUSTER)
    assert result.code == 2
    assert "not a regular file; save the log first" in result.err


def test_a_broken_parquet_and_a_bad_table_row(cli, tmp_path) -> None:
    broken = tmp_path / "jobs.parquet"
    broken.write_text("not parquet")
    result = cli("batch", broken)
    assert result.code == 2
    assert f"{broken}: cannot read the log:" in result.err
    table = tmp_path / "jobs.csv"
    table.write_text("hardware,count,hours,region\nH100,8,x,fr\nH100,8,-1,fr\nH100,1,2,fr\n")
    found = json.loads(cli("batch", table, "-f", "json").out)
    assert (found["jobs"]["rows_read"], found["jobs"]["malformed"], found["jobs"]["priced"]) == (
        3,
        2,
        1,
    )


def test_text_from_the_log_is_inert_in_every_format(cli, tmp_path) -> None:
    log = tmp_path / "log.txt"
    header = LOG.read_text().splitlines()[0]
    tail = "|2026-01-01T00:00:00|2026-01-01T00:00:00|2026-01-01T01:00:00|n1|"
    log.write_text(
        header + "\n"
        "1|\x1b[31mevil|=HYPERLINK(1)|cpu|COMPLETED|01:00:00|01:00:00|1|1|1G||cpu=1" + tail + "\n"
        "2|::error::x|a|cpu|COMPLETED|01:00:00|01:00:00|1|1|1G||cpu=1" + tail + "\n"
        "3|u|a|cp\x1b]8;;u|COMPLETED|01:00:00|01:00:00|1|1|1G||cpu=1" + tail + "\n"
    )
    table = cli("batch", log, "--cluster", CLUSTER)
    assert table.code == 0, table.err
    assert "\x1b" not in table.out and "\\x1b[31mevil" in table.out
    # a runner would obey "::error::"; a zero-width space keeps it text
    assert "::error::" not in table.out and ":\u200b:error:\u200b:x" in table.out
    rows = cli("batch", log, "--cluster", CLUSTER, "-f", "csv").out
    assert "'=HYPERLINK(1)" in rows and "\x1b" not in rows
    markdown = cli("batch", log, "--cluster", CLUSTER, "-f", "markdown").out
    assert "\x1b" not in markdown
    found = json.loads(cli("batch", log, "--cluster", CLUSTER, "-f", "json").out)
    # JSON keeps text exact; job 3's partition is not in the cluster file: a notice names it
    assert {g["key"] for g in found["groups"]["user"]} == {"\x1b[31mevil", "::error::x"}
    assert any("cp\x1b]8;;u (1 job)" in n for n in found["notices"])


def test_top_cuts_users_but_never_months(cli) -> None:
    """--top keeps the biggest users (a centre has thousands); every month stays, since a trend
    cut to its last months would hide where it started."""
    import json

    result = cli("batch", LOG, "--cluster", CLUSTER, "--top", "1", "-f", "json")
    assert result.code == 0, result.err
    groups = json.loads(result.out)["groups"]
    assert [entry["key"] for entry in groups["month"]] == ["2026-01", "2026-02"]
    assert len(groups["user"]) == 1
