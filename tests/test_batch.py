"""`greenai batch`: sacct's fields read two ways (Python and DuckDB SQL) that must agree, the
cluster files (greenai's and GA4HPC's), the engines that must agree, and batch against estimate.

The fixture log (tests/data/batch/sacct.txt) holds: a job with .batch and .extern steps, a
FAILED GPU job with typed gres and ReqMem per CPU (`4000Mc`) and ConsumedEnergyRaw, an array
job's tasks (one CANCELLED by a user, one pending range), a heterogeneous job (+0 on cpu, +1 on
gpu) that TIMEOUT, a job of a partition the cluster file does not list, a negative Elapsed and
a short row. Expected figures are worked by hand below from the published inputs: AMD EPYC 7763
280 W TDP / 64 cores (Green Algorithms' TDP_cpu.csv), A100 SXM4 80GB 400 W (Epoch AI), memory
0.3725 W/GB (Green Algorithms), PUE 1.3 and Great Britain's 176 g/kWh (data/regions.csv).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greenai import tables
from greenai.batch import cluster, engine, sacct
from greenai.batch import summary as summaries
from greenai.errors import InputError

DATA = Path(__file__).parent / "data" / "batch"
LOG = DATA / "sacct.txt"
CLUSTER = DATA / "cluster.yaml"
GA4HPC = DATA / "ga4hpc.yaml"
HEADER = (LOG.read_text().splitlines()[0]) + "\n"
PER_CORE = 280 / 64  # AMD EPYC 7763: TDP / cores
A100 = 400.0
MEMORY = 0.3725
PUE = 1.3
GB_INTENSITY = 176.0


@pytest.fixture(scope="module")
def data() -> tables.Tables:
    return tables.load()


@pytest.fixture(scope="module")
def site(data) -> cluster.Cluster:
    return cluster.load(CLUSTER, data)


@pytest.fixture(scope="module")
def con():
    return duckdb.connect()


# ----------------------------------------------------------------------------- fields


def _clock(days: int, hours: int, minutes: int, secs: int) -> str:
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}-{clock}" if days else clock


@given(st.integers(0, 365), st.integers(0, 23), st.integers(0, 59), st.integers(0, 59))
def test_elapsed_in_every_slurm_form(days, hours, minutes, secs) -> None:
    expected = days * 86400 + hours * 3600 + minutes * 60 + secs
    assert sacct.seconds(_clock(days, hours, minutes, secs)) == expected
    if not days and not hours:  # MM:SS, and TotalCPU's MM:SS.mmm
        assert sacct.seconds(f"{minutes:02d}:{secs:02d}") == minutes * 60 + secs
        assert sacct.seconds(f"{minutes:02d}:{secs:02d}.250") == minutes * 60 + secs + 0.25


@pytest.mark.parametrize(
    "text", ["-01:00:00", "1-24:00:00", "00:61", "00:60:00", "1:2:3:4", "abc", "", "367-00:00:00"]
)
def test_elapsed_refuses_what_slurm_never_writes(text) -> None:
    assert sacct.seconds(text) is None


def _sql(con, layers, column: str, values: list[str]) -> list:
    """Each value through the SQL layers, in order."""
    rows = ", ".join(f"({i}, {engine._quote(v)})" for i, v in enumerate(values))
    source = f"(SELECT * FROM (VALUES {rows}) v(i, e))"
    query = f"SELECT {column} FROM {sacct.select_layers(source, [layers])} ORDER BY i"
    return [r[0] for r in con.execute(query).fetchall()]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text("0123456789:-.", max_size=12), min_size=1, max_size=20))
def test_sql_reads_elapsed_as_python_does(con, texts) -> None:
    found = _sql(con, sacct.sql_seconds("e", "x"), "x", texts)
    for text, value in zip(texts, found, strict=True):
        expected = sacct.seconds(text)
        assert (value is None) == (expected is None), text
        if expected is not None:
            assert value == pytest.approx(expected), text


@given(
    st.floats(0, 1e5, allow_nan=False).map(lambda x: round(x, 2)),
    st.sampled_from(["", "K", "M", "G", "T"]),
    st.sampled_from(["", "n", "c"]),
    st.integers(1, 256),
    st.integers(1, 16),
)
def test_reqmem_units_and_old_suffixes(amount, unit, per, cpus, nodes) -> None:
    factor = {"": 1 / 1024, "K": 1 / 1024**2, "M": 1 / 1024, "G": 1.0, "T": 1024.0}[unit]
    times = {"": 1, "n": nodes, "c": cpus}[per]
    expected = amount * factor * times
    found = sacct.memory_gb(f"{amount:.2f}{unit}{per}", cpus, nodes)
    if expected > sacct.MAX_MEMORY_GB:
        assert found is None
    else:
        assert found == pytest.approx(expected)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text("0123456789.KMGTPncx-", max_size=10), min_size=1, max_size=20))
def test_sql_reads_memory_as_python_does(con, texts) -> None:
    found = _sql(con, sacct.sql_memory_gb("e", "4", "2", "x"), "x", texts)
    for text, value in zip(texts, found, strict=True):
        expected = sacct.memory_gb(text, 4, 2)
        assert (value is None) == (expected is None), text
        if expected is not None:
            assert value == pytest.approx(expected), text


_TRES = st.lists(
    st.one_of(
        st.builds(lambda n: f"gres/gpu={n}", st.integers(0, 64)),
        st.builds(
            lambda t, n: f"gres/gpu:{t}={n}", st.sampled_from(["a100", "h100"]), st.integers(0, 64)
        ),
        st.sampled_from(["cpu=4", "mem=16G", "node=1", "billing=8", "gres/gpumem=40G"]),
    ),
    max_size=5,
)


@settings(max_examples=60, deadline=None)
@given(_TRES)
def test_gpus_of_alloctres(con, items) -> None:
    text = ",".join(items)
    untyped = [int(i.split("=")[1]) for i in items if i.startswith("gres/gpu=")]
    typed = [int(i.split("=")[1]) for i in items if i.startswith("gres/gpu:")]
    expected = untyped[0] if untyped else sum(typed)
    assert sacct.gpus(text) == expected
    (found,) = con.execute(f"SELECT {sacct.sql_gpus(engine._quote(text))}").fetchall()[0]
    assert found == expected


def test_job_ids_and_states() -> None:
    assert sacct.job_and_step("123.batch") == ("123", "batch")
    assert sacct.job_and_step("123_4.0") == ("123_4", "0")
    assert sacct.job_and_step("123_[5-9%2]") == ("123_[5-9%2]", "")
    assert sacct.job_and_step("123+1.extern") == ("123+1", "extern")
    assert sacct.job_and_step("abc") is None
    assert sacct.state("CANCELLED by 123") == "CANCELLED"
    assert sacct.state("completed") == "COMPLETED"


# ----------------------------------------------------------------------------- the fixture


def _run(kind: str, logs, site):
    if kind == "duckdb":
        return engine.duckdb_run(logs, site)
    if kind == "pandas":
        return engine.pandas_run(logs, site)
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, processes=False, dashboard_address=None) as local:
        return engine.dask_run(logs, site, local.scheduler_address)


@pytest.fixture(scope="module")
def summaries_by_engine(site) -> dict[str, dict]:
    return {
        kind: summaries.build(_run(kind, [LOG], site), site, [LOG], ("account",))
        for kind in ("duckdb", "pandas", "dask")
    }


def test_every_engine_gives_the_same_summary(summaries_by_engine) -> None:
    first = summaries_by_engine["duckdb"]
    for kind in ("pandas", "dask"):
        other = summaries_by_engine[kind]
        assert other["jobs"] == first["jobs"], kind
        assert json.dumps(other["totals"]) == json.dumps(first["totals"]) or _close(
            other["totals"], first["totals"]
        ), kind
        assert _close(other["waste"], first["waste"]), kind
        for dim in ("user", "account", "partition", "state", "month"):
            assert _close(other["groups"][dim], first["groups"][dim]), (kind, dim)


def _close(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def test_the_fixture_priced_by_hand(summaries_by_engine) -> None:
    found = summaries_by_engine["duckdb"]
    jobs = found["jobs"]
    # 1001, 1002, 1003_1, 1003_2, 1003_[3-5], 1004 (two components, one job); 1005 unpriced
    assert (jobs["jobs"], jobs["priced"], jobs["unpriced"], jobs["malformed"]) == (7, 6, 1, 2)
    assert jobs["rows_read"] == 14
    assert [(e["line"], e["reason"][:8]) for e in jobs["malformed_examples"]] == [
        (14, "Elapsed "),
        (15, "expected"),
    ]
    # job 1001: 32 cores x 4.375 W x utilization 32 h / (2 h x 32) + 64 GiB x 0.3725 W, 2 h
    power_1001 = 32 * PER_CORE * 0.5 + 64 * MEMORY
    # job 1002: 8 cores at 12 h / (24 h x 8), 2 A100 (typed gres), ReqMem 4000M per CPU x 8
    power_1002 = 8 * PER_CORE * 12 / (24 * 8) + 2 * A100 + 4000 / 1024 * 8 * MEMORY
    # 1003_1: 4 cores at 10:00.5 / (30 min x 4), 8 GiB per node; 1003_2: 4 h / (1 h x 4)
    power_1003_1 = 4 * PER_CORE * (600.5 / 7200) + 8 * MEMORY
    power_1003_2 = 4 * PER_CORE * 1.0 + 8 * MEMORY
    # 1004+0: 16 cores, TotalCPU 48 h over 64 core-hours; 1004+1: 4 cores at 8 h / 16, 1 GPU
    power_1004_0 = 16 * PER_CORE * 48 / 64 + 32 * MEMORY
    power_1004_1 = 4 * PER_CORE * 0.5 + A100 + 16 * MEMORY
    watt_hours = (
        power_1001 * 2
        + power_1002 * 24
        + power_1003_1 * 0.5
        + power_1003_2 * 1
        + power_1004_0 * 4
        + power_1004_1 * 4
    )
    energy = PUE * watt_hours / 1000
    assert found["totals"]["energy_kwh"]["value"] == pytest.approx(energy)
    assert found["totals"]["co2e_kg"]["value"] == pytest.approx(energy * GB_INTENSITY / 1000)
    # the GPUs' defaulted range: 0.15 x TDP at the low end (resolve.UTILIZATION_LOW)
    low = energy - PUE * (2 * 24 + 1 * 4) * A100 * 0.85 / 1000
    assert found["totals"]["energy_kwh"]["low"] == pytest.approx(low)
    assert found["totals"]["cpu_hours"] == pytest.approx(
        32 * 2 + 8 * 24 + 4 * 0.5 + 4 + 16 * 4 + 4 * 4
    )
    assert found["totals"]["gpu_hours"] == pytest.approx(2 * 24 + 1 * 4)
    failed = found["waste"]["failed"]
    assert failed["jobs"] == 3  # FAILED 1002, CANCELLED 1003_1, TIMEOUT 1004 (once)
    failed_wh = power_1002 * 24 + power_1003_1 * 0.5 + power_1004_0 * 4 + power_1004_1 * 4
    assert failed["energy_kwh"]["value"] == pytest.approx(PUE * failed_wh / 1000)
    # unused memory: 1001 (64 - 20 GiB) x 2 h, 1002 (31.25 - 30) x 24 h, 1003_1 (8 - 2) x 0.5 h
    unused = found["waste"]["unused_memory"]
    assert unused["gb_hours"] == pytest.approx(44 * 2 + 1.25 * 24 + 6 * 0.5)
    assert unused["energy_kwh"]["value"] == pytest.approx(PUE * 121 * MEMORY / 1000)
    # measured: 1002's job line, 72 MJ = 20 kWh of IT energy, x PUE
    totals = found["totals"]
    assert totals["measured_jobs"] == 1
    assert totals["measured_energy_kwh"] == pytest.approx(20 * PUE)
    assert totals["measured_over_estimated"] == pytest.approx(20 / (power_1002 * 24 / 1000))
    assert any("bigmem (1 job)" in n for n in found["notices"])
    # electricity at 0.25 GBP/kWh in USD by data/currencies.csv's rate
    from greenai import currency

    usd = currency.rates()["GBP"].usd_per_unit * 0.25
    assert totals["electricity_cost_usd"]["value"] == pytest.approx(energy * usd)
    months = [g["key"] for g in found["groups"]["month"]]
    assert months == ["2026-01", "2026-02"]
    users = [(g["key"], g["jobs"]) for g in found["groups"]["user"]]
    assert users == [("bob", 1), ("carol", 1), ("alice", 4)]  # by CO2e, highest first


def test_summary_matches_its_schema(summaries_by_engine) -> None:
    import jsonschema

    for found in summaries_by_engine.values():
        jsonschema.validate(json.loads(json.dumps(found, allow_nan=False)), summaries.SCHEMA)
    broken = dict(summaries_by_engine["duckdb"], totals={"energy_kwh": 1})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, summaries.SCHEMA)


def test_ga4hpc_cluster_info_prices_as_the_same_cluster(data, site) -> None:
    ga = cluster.load(GA4HPC, data)
    assert ga.kind == "GA4HPC" and ga.name == "Example HPC"
    assert ga.partitions["gpu"].gpu_w == (400.0, 400.0, 400.0)  # given: no range
    assert ga.partitions["cpu"].cpu_w[0] == pytest.approx(PER_CORE)
    ours = summaries.build(engine.duckdb_run([LOG], site), site, [LOG])
    theirs = summaries.build(engine.duckdb_run([LOG], ga), ga, [LOG])
    assert theirs["totals"]["energy_kwh"]["value"] == pytest.approx(
        ours["totals"]["energy_kwh"]["value"]
    )
    from greenai import currency

    assert ga.electricity_price_usd_per_kwh == pytest.approx(
        0.34 * currency.rates()["GBP"].usd_per_unit
    )


# ----------------------------------------------------------------------------- batch vs estimate


def test_a_job_priced_by_batch_and_by_estimate_agree(tmp_path, site, data) -> None:
    from greenai import experiment
    from greenai.estimate import estimate

    log = tmp_path / "one.txt"
    log.write_text(
        HEADER + "7|ann|lab|gpu|COMPLETED|10:00:00|20:00:00|8|1|32G||"
        "cpu=8,gres/gpu=2,node=1|2026-03-01T00:00:00|2026-03-01T00:00:00|"
        "2026-03-01T10:00:00|g1|\n"
    )
    plan = tmp_path / "one.yaml"
    plan.write_text(
        "hardware:\n"
        "  - device: AMD EPYC 7763\n"
        "    count: 1\n"
        f"    utilization: {8 / 64 * 20 / (10 * 8)!r}\n"  # 8 of 64 cores, 25 % busy
        "  - device: A100 SXM4 80GB\n"
        "    count: 2\n"
        "memory: 32 GB\n"
        "hours: 10\n"
        "region: gb\n"
        "pue: 1.3\n"
        "electricity_price: 0.25 GBP/kWh\n"
    )
    batch = summaries.build(engine.duckdb_run([log], site), site, [log])
    single = estimate(experiment.load(plan, data), data).total
    for name in ("energy_kwh", "co2e_kg", "electricity_cost_usd"):
        found = batch["totals"][name]
        expected = tuple(single.bound(name, b) for b in ("value", "low", "high"))
        assert (found["value"], found["low"], found["high"]) == pytest.approx(expected), name


def test_a_job_table_of_experiment_keys_prices_as_estimate(tmp_path, data) -> None:
    from greenai import experiment
    from greenai.estimate import estimate

    table = tmp_path / "jobs.csv"
    table.write_text("hardware,count,hours,region,user\nH100,8,12.5,fr,ann\nH100,8,12.5,fr,ann\n")
    plan = tmp_path / "p.yaml"
    plan.write_text("hardware: 8 x H100\nhours: 12.5\nregion: fr\npue: 1.58\n")
    empty = cluster.Cluster(None, "", {}, 1.58, math.nan, math.nan, MEMORY, None, [])
    found = summaries.build(engine.duckdb_run([table], empty), empty, [table])
    single = estimate(experiment.load(plan, data), data).total
    assert found["jobs"]["jobs"] == 2
    energy = found["totals"]["energy_kwh"]
    assert energy["value"] == pytest.approx(2 * single.bound("energy_kwh"))
    assert energy["low"] == pytest.approx(2 * single.bound("energy_kwh", "low"))
    assert found["totals"]["co2e_kg"]["value"] == pytest.approx(2 * single.bound("co2e_kg"))


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty first line"),
        ("1001|alice|bio\n", "no header line"),
        ("JobID,User,Partition,State,Elapsed,NCPUS\n1,a,b,c,d,e\n", "separated by commas"),
        ("JobID\tUser\tPartition\n", "separated by tabs"),
        ("JobID|User|Partition|State\n", "missing field(s) Elapsed, NCPUS"),
    ],
)
def test_a_log_without_a_header_or_with_the_wrong_separator(tmp_path, text, says) -> None:
    log = tmp_path / "bad.txt"
    log.write_text(text)
    with pytest.raises(InputError) as caught:
        engine.sacct_header(log)
    assert says in str(caught.value)
    assert caught.value.where == str(log)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("9|u|a|cpu|COMPLETED|01:00:00|00:10:00|-4|1|4G||cpu=4", "NCPUS -4"),
        ("9|u|a|cpu|COMPLETED|01:00:00|00:10:00|99999999999|1|4G||cpu=4", "NCPUS 99999999999"),
        ("9|u|a|cpu|COMPLETED|01:00:00|00:10:00|4|1|999999999999G||cpu=4", "ReqMem"),
        ("9|u|a|cpu|COMPLETED|01:00:00|00:10:00|4|1|4Q||cpu=4", "ReqMem 4Q"),
        ("9|u|a|cpu|COMPLETED|01:00:00|00:10:00|4|1|4G|12345|cpu=4", "needs default_unit_rss"),
        ("9|u|a|cpu|COMPLETED|400-00:00:00|00:10:00|4|1|4G||cpu=4", "under 366 days"),
        ("x9|u|a|cpu|COMPLETED|01:00:00|00:10:00|4|1|4G||cpu=4", "not a SLURM job id"),
    ],
)
def test_a_bad_row_is_counted_with_its_line(tmp_path, site, row, reason) -> None:
    log = tmp_path / "log.txt"
    good = "8|u|a|cpu|COMPLETED|01:00:00|00:10:00|4|1|4G||cpu=4"
    tail = "|2026-01-01T00:00:00|2026-01-01T00:00:00|2026-01-01T01:00:00|n1|"
    log.write_text(HEADER + good + tail + "\n" + row + tail + "\n")
    for run in (engine.duckdb_run, engine.pandas_run):
        result = run([log], site)
        assert result.malformed == 1 and result.rows_read == 2
        (example,) = result.examples
        assert example["line"] == 3 and reason in example["reason"], example
        assert result.accumulator.totals[0] == 1  # the good job priced


def test_an_unknown_device_in_the_cluster_file_names_file_line_and_key(tmp_path, data) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("region: gb\npartitions:\n  gpu:\n    cpu: AMD EPYC 7763\n    gpu: A1000 SXM\n")
    with pytest.raises(InputError) as caught:
        cluster.load(path, data)
    error = caught.value
    assert (error.where, error.line, error.key) == (str(path), 5, "partitions.gpu.gpu")
    assert "unknown device 'A1000 SXM'" in error.message


@pytest.mark.parametrize(
    ("text", "key", "says"),
    [
        ("region: gb\npartitions:\n  cpu:\n    cpu: A100\n", "partitions.cpu.cpu", "is a GPU"),
        ("region: gb\npartitions:\n  cpu:\n    cpus: x\n", "partitions.cpu.cpus", "unknown key"),
        ("region: gb\npue: 0.8\npartitions:\n  c:\n    cpu_power: 4 W\n", "pue", "1 or more"),
        ("partitions:\n  c:\n    cpu_power: 4 W\n", "region", "missing key 'region'"),
        ("region: gb\npartitions:\n  c:\n    cpu_power: -4 W\n", "partitions.c.cpu_power", ""),
        (
            "cluster_name: x\nPUE: 1.2\nCI: 100\npartitions:\n  p:\n    type: TPU\n    TDP: 5\n",
            "partitions.p.type",
            "CPU or GPU",
        ),
        (
            "cluster_name: x\nPUE: 1.2\nCI: 100\npartitions:\n  p:\n    type: GPU\n    TDP: 300\n",
            "partitions.p",
            "TDP_CPU",
        ),
    ],
)
def test_a_bad_cluster_file_is_refused_by_key(tmp_path, data, text, key, says) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        cluster.load(path, data)
    assert caught.value.key == key and says in caught.value.message, str(caught.value)


def test_steps_without_their_job_and_sentinel_energy(tmp_path, site) -> None:
    log = tmp_path / "log.txt"
    tail = "|2026-01-01T00:00:00|2026-01-01T00:00:00|2026-01-01T01:00:00|n1|"
    log.write_text(
        HEADER
        + "5.batch||||COMPLETED|01:00:00|00:10:00|4|1||1G|cpu=4"
        + tail
        + "\n"
        + "6|u|a|cpu|COMPLETED|01:00:00|04:00:00|4|1|4G||cpu=4"
        + tail
        + "18446744073709551614\n"
    )
    for run in (engine.duckdb_run, engine.pandas_run):
        result = run([log], site)
        assert result.orphan_steps == 1
        found = summaries.build(result, site, [log])
        assert found["jobs"]["priced"] == 1
        assert found["totals"]["measured_jobs"] == 0  # SLURM's NO_VAL is no reading
        assert any("steps but no job line" in n for n in found["notices"])


def test_profiles_keep_the_calculators_ranges(site) -> None:
    from greenai.batch.price import Profiles, price

    profiles = Profiles.of(site)
    jobs = {
        "pidx": np.array([1, 0, -1]),
        "cpus": np.array([8.0, 4.0, 4.0]),
        "util": np.array([np.nan, 0.5, 0.5]),
        "gpus": np.array([1.0, 0.0, 0.0]),
        "mem_gb": np.array([0.0, 0.0, 0.0]),
        "rss_gb": np.array([np.nan, np.nan, np.nan]),
        "hours": np.array([1.0, 1.0, 1.0]),
        "energy_j": np.array([np.nan] * 3),
        "weight": np.ones(3),
    }
    figures = price(jobs, profiles)
    energy = figures["energy_kwh"]
    # unknown utilization: TDP x 1.0 with the 0.15 x TDP low end, as `estimate` defaults it
    assert energy[0] == pytest.approx(
        [
            PUE * (8 * PER_CORE + A100) / 1000,
            PUE * 0.15 * (8 * PER_CORE + A100) / 1000,
            PUE * (8 * PER_CORE + A100) / 1000,
        ]
    )
    assert energy[1] == pytest.approx([PUE * 4 * PER_CORE * 0.5 / 1000] * 3)
    assert np.isnan(energy[2]).all() and not figures["known"][2]


def test_progress_counts_every_job_row(site) -> None:
    seen: list[int] = []
    for run in (engine.duckdb_run, engine.pandas_run):
        seen.clear()
        run([LOG], site, seen.append)
        assert sum(seen) == 8  # 7 jobs, the heterogeneous one as its two components


def test_dask_reads_the_log_in_blocks_and_keeps_line_numbers(site, summaries_by_engine) -> None:
    """Blocks of ~300 bytes: a job's lines fall in different partitions (the shuffle on the job
    id brings them together) and each malformed row keeps its line number."""
    result = engine.dask_run([LOG], site, None, blocksize=300)
    found = summaries.build(result, site, [LOG], ("account",))
    assert [e["line"] for e in found["jobs"]["malformed_examples"]] == [14, 15]
    assert _close(found["totals"], summaries_by_engine["duckdb"]["totals"])
    assert found["jobs"] == summaries_by_engine["duckdb"]["jobs"]


def test_group_sums_over_joint_codes_equal_each_dimension_summed_alone(data) -> None:
    """Dimensions are summed in bundles over their joint code (price._joint); each group's sums
    must be what summing that dimension alone gives, for bundles of several dimensions and for
    one too large to join (more labels than JOINT_CELLS)."""
    from greenai.batch import cluster as clusters
    from greenai.batch import price as pricing

    site = clusters.load(DATA / "cluster.yaml", data)
    profiles = pricing.Profiles.of(site)
    rng = np.random.default_rng(7)
    n = 5_000
    jobs = {
        "pidx": rng.integers(0, len(profiles.names), n),
        "cpus": rng.integers(1, 64, n).astype(float),
        "util": rng.random(n),
        "gpus": rng.integers(0, 4, n).astype(float),
        "mem_gb": rng.random(n) * 64,
        "rss_gb": rng.random(n) * 32,
        "hours": rng.random(n) * 10,
        "energy_j": np.full(n, np.nan),
        "weight": np.ones(n),
        "failed": rng.random(n) < 0.2,
    }
    sizes = {"user": pricing.JOINT_CELLS + 5, "account": 3, "partition": 4, "state": 5, "month": 7}
    keys = {
        dim: (rng.integers(0, size, n), [f"{dim}{i}" for i in range(size)])
        for dim, size in sizes.items()
    }
    assert [len(b) for b in pricing._joint(keys)] == [4, 1]
    found = pricing.Accumulator.of(jobs, keys, profiles)
    _, rows = pricing._sums(jobs, pricing.price(jobs, profiles))
    for dim, (codes, labels) in keys.items():
        for code in np.unique(codes)[:50]:
            expected = rows[:, codes == code].sum(axis=1)
            assert found.groups[dim][labels[code]] == pytest.approx(expected, rel=1e-12), dim
        assert len(found.groups[dim]) == len(np.unique(codes))


def test_progress_is_told_how_many_jobs_are_coming(site, tmp_path) -> None:
    """The DuckDB engine tells a progress bar the rows it will price before the first batch:
    the sacct log's jobs (a heterogeneous job's two components) and a job table's good rows."""

    class Bar:
        def __init__(self) -> None:
            self.total: int | None = None
            self.seen = 0

        def expect(self, total: int) -> None:
            assert self.seen == 0
            self.total = total

        def __call__(self, rows: int) -> None:
            self.seen += rows

    bar = Bar()
    engine.duckdb_run([LOG], site, bar)
    assert bar.total == bar.seen == 8
    table = tmp_path / "jobs.csv"
    table.write_text(
        "hardware,count,hours,region\nA100 SXM4 80GB,2,3,gb\nA100 SXM4 80GB,1,-1,gb\n"
        "AMD EPYC 7763,1,5,fr\n"
    )
    bar = Bar()
    engine.duckdb_run([table], site, bar)
    assert bar.total == bar.seen == 2  # the row of -1 hours is malformed, not priced
