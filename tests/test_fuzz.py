"""Hostile input, generated: the property greenai promises for any file and any command line.

For every generated experiment file (valid, near-valid, garbage, raw bytes) and every generated
command line, greenai exits 0 with a correct result, 1 over a budget, or 2 with one error line
that names the file (and, for a key's value, the key and its line); never a traceback, never an
"internal error", never another exit code. Examples are bounded so the suite stays well under a
minute; hypothesis keeps failing examples in .hypothesis/ and replays them first.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from greenai.cli import main
from greenai.experiment import TOP_KEYS
from tests.conftest import CONFIGS, ROOT

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
ELMO = str(CONFIGS / "strubell2019" / "elmo.yaml")


def run(*argv: str) -> tuple[int, str, str]:
    """greenai ARGV in process, as a shell would run it; (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(argv))
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def assert_contract(code: int, out: str, err: str, path: Path | None = None) -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    lines = err.strip().splitlines()
    if code == 2 and path is not None:
        assert len(lines) == 1, err
        assert lines[0].startswith(f"error: {path}"), err
        assert out == ""
    if code == 0 and path is not None:
        assert all(line.startswith("warning: ") for line in lines), err


# ----------------------------------------------------------------------------- valid files

# Independent of greenai's loaders: the figures straight from the shipped CSV files.
with (ROOT / "data" / "hardware.csv").open(encoding="utf-8") as stream:
    TDP = {row["key"]: float(row["tdp_w"]) for row in csv.DictReader(stream) if row["tdp_w"]}
with (ROOT / "data" / "regions.csv").open(encoding="utf-8") as stream:
    INTENSITY = {
        row["key"]: float(row["carbon_intensity_g_per_kwh"])
        for row in csv.DictReader(stream)
        if row["kind"] == "country" and row["carbon_intensity_g_per_kwh"] and not row["pue"]
    }
DEVICES = ["v100", "a100-sxm4-80gb", "h100-sxm5-80gb", "tpu-v3", "mi300x", "k80"]
REGIONS = ["fr", "de", "pl", "us", "in", "br", "no", "za", "au", "cn"]


def _written(hours: float) -> st.SearchStrategy[tuple[float, object]]:
    """The same duration as a bare number, in hours, in minutes or in days."""
    forms = [hours, f"{hours!r} h", f"{hours * 60!r} min", f"{hours / 24!r} days"]
    return st.sampled_from([(hours, form) for form in forms])


durations = st.floats(min_value=1e-3, max_value=5e3, allow_nan=False).flatmap(_written)


@st.composite
def valid_experiments(draw: st.DrawFn) -> tuple[dict, float, float]:
    """A valid file and its energy (kWh) and CO2e (kg), computed here from the CSV rows."""
    device = draw(st.sampled_from(DEVICES))
    count = draw(st.integers(1, 512))
    hours, written = draw(durations)
    runs = draw(st.integers(1, 50))
    region = draw(st.sampled_from(REGIONS))
    document: dict = {"hours": written, "region": region, "runs": runs}
    utilization = draw(st.none() | st.floats(0.05, 1.0))
    if utilization is None:
        document["hardware"] = f"{count} x {device}"
        utilization = 1.0
    else:
        document["hardware"] = {"device": device, "count": count, "utilization": utilization}
    pue = draw(st.none() | st.floats(1.0, 3.0))
    if pue is not None:
        document["pue"] = pue
    energy = count * TDP[device] * utilization * hours * runs * (pue or 1.58) / 1000
    return document, energy, energy * INTENSITY[region] / 1000


@SETTINGS
@given(case=valid_experiments())
def test_valid_files_give_the_right_figures(tmp_path: Path, case) -> None:
    document, energy, co2e = case
    path = tmp_path / "valid.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    code, out, err = run("estimate", str(path), "--format", "json")
    assert_contract(code, out, err, path)
    assert code == 0, err
    (row,) = json.loads(out)
    assert math.isclose(row["energy_kwh"], energy, rel_tol=1e-9)
    assert math.isclose(row["co2e_kg"], co2e, rel_tol=1e-9)


# ----------------------------------------------------------------------------- garbage

ODD_TEXT = [
    "8 x V100", "0 x V100", "-3 x H100", "79.2 h", "3 days", "-1 h", "0", "1e309", "-0.0",
    "0.954 lb/kWh", "433 gCO2e/kWh", "300 W", "5 parsecs", "80 %", "$3", "3 USD/h", "nan", "inf",
    "fr", "France", "gcp:us-central1", "atlantis", "H100", "h100 sxm", "TPU v3", "[1, 2]",
    "{a: 1}", "*alias", "&anchor", "!!python/object:os.system", "é", "\u202e", "\x00", "1_000",
    "2024-13-45", "yes", "~", "training", "7B", "1T", "1.2e21 FLOP", "3.3 GMAC",
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e-300, max_value=1e-300),
    st.sampled_from(ODD_TEXT),
    st.text(max_size=20),
    st.text(min_size=2_000, max_size=4_000, alphabet="ab \n:#-"),
)
KEYS = [*TOP_KEYS, "device", "count", "power", "utilization", "provider", "price", "as_of",
        "total", "per_example", "examples", "parameters", "tokens", "mode", "co2e", "cost",
        "energy", "huors", "regoin", ""]  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
BASE = {"hardware": "8 x V100", "hours": 10, "region": "fr"}


@st.composite
def hostile_documents(draw: st.DrawFn) -> tuple[str, str | None]:
    """YAML text, and the key whose value was spoiled (None when the whole file is)."""
    kind = draw(st.sampled_from(["near", "near", "garbage", "list", "missing"]))
    if kind == "near":  # a valid file with one value replaced by anything at all
        document = dict(BASE, runs=2, budget={"co2e": "1 t"})
        key = draw(st.sampled_from(list(TOP_KEYS)))
        document[key] = draw(values)
        if key == "hours":
            document.pop("duration", None)
        return yaml.safe_dump(document, allow_unicode=True), key
    if kind == "garbage":
        document = draw(st.dictionaries(st.sampled_from(KEYS), values, max_size=6))
        return yaml.safe_dump(document, allow_unicode=True), None
    if kind == "list":
        return yaml.safe_dump(draw(values), allow_unicode=True), None
    document = dict(BASE)
    document.pop(draw(st.sampled_from(list(BASE))))
    return yaml.safe_dump(document), None


@SETTINGS
@given(case=hostile_documents())
@example(case=("hours: .nan\nhardware: 8 x V100\nregion: fr\n", "hours"))
@example(case=("hours: 1e400\nhardware: 8 x V100\nregion: fr\n", "hours"))
@example(case=("hardware: 8 x V100\nhours: 1\nregion: fr\nruns: 99999999999999999999\n", None))
def test_any_file_is_priced_or_refused_in_one_line(tmp_path: Path, case) -> None:
    text, spoiled = case
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run("estimate", str(path), "--format", "json")
    assert_contract(code, out, err, path)
    if code == 0:
        for row in json.loads(out):
            numbers = [v for v in row.values() if isinstance(v, float)]
            assert all(math.isfinite(v) for v in numbers), row
    if code == 2 and spoiled is not None:
        message = err.strip()
        if not re.match(
            rf"error: {re.escape(str(path))}: (empty file|expected a mapping)", message
        ):
            assert re.search(rf"\b{spoiled}\b", message), message  # the key that was spoiled


@SETTINGS
@given(data=st.binary(max_size=300))
@example(data=b"\xff\xfe\x00h\x00a")
@example(data=b"")
@example(data=b"hardware: caf\xe9\n")
def test_any_bytes_are_refused_in_one_line(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bytes.yaml"
    path.write_bytes(data)
    code, out, err = run("estimate", str(path))
    assert_contract(code, out, err, path)
    assert code == 2


# ----------------------------------------------------------------------------- command lines

FORMATS = ["table", "json", "csv", "markdown", "latex", "model-card", "github", "yaml", ""]
OPTIONS = {
    "estimate": ["--format", "--units", "--set", "--assumptions", "--budget", "--budget-total",
                 "--training-type", "--output"],
    "fpo": ["--input-shape", "--training", "--input-dtype", "--examples", "--format", "--output"],
    "curve": ["--metric", "--cost", "--experiment", "--minimize", "--set", "--plot", "--format",
              "--output"],
    "compare": ["--vary", "--sort", "--top", "--scale-hours-by", "--format", "--units", "--set",
                "--assumptions", "--budget", "--output"],
    "check": ["--budget", "--budget-total", "--set", "--format", "--units", "--output"],
    "schema": ["--output"],
    "init": ["--force"],
    "regions": ["--format", "--output"],
    "hardware": ["--format", "--output"],
    "prices": ["--format", "--output"],
}  # fmt: skip
OPTION_VALUES = {
    "--format": st.sampled_from(FORMATS),
    "--units": st.sampled_from(["metric", "imperial", "furlongs"]),
    "--set": st.sampled_from(
        [
            "region=de",
            "hardware.count=2",
            "runs=0",
            "regoin=fr",
            "pue=0.5",
            "hours=-1",
            "cloud.provider=aws",
            "x",
            "hardware.7.count=1",
            "fpo.total=1e400",
            "budget.co2e=1 kg",
        ]
    ),
    "--vary": st.sampled_from(
        [
            "region=fr,de",
            "region=@cloud:gcp",
            "runs=1,2",
            "hardware=H100,A100",
            "hardware.count=1,0",
            "pue=1.1,9",
            "region=@mars",
            "nonsense",
            "cloud.provider=gcp,aws",
            "hours=1,1e400",
        ]
    ),
    "--sort": st.sampled_from(["co2e", "energy", "cost", "none", "vibes"]),
    "--training-type": st.sampled_from(["pre-training", "fine-tuning", "both"]),
    "--input-shape": st.sampled_from(["4,64", "1,64", "2,3,32,32", "0,64", "x", "4,65"]),
    "--input-dtype": st.sampled_from(["float32", "int64", "int8"]),
    "--examples": st.sampled_from(["1e6", "-1", "many"]),
    "--metric": st.sampled_from(["accuracy", "acc", "gpu_hours", ""]),
    "--cost": st.sampled_from(["gpu_hours", "co2e", "energy", "watts"]),
    "--experiment": st.sampled_from([ELMO, "missing.yaml", str(CONFIGS)]),
    "--plot": st.sampled_from(["curve.png", "curve.jpg", "no/such/dir/curve.svg"]),
    "--top": st.sampled_from(["1", "3", "0", "-2", "many"]),
    "--scale-hours-by": st.sampled_from(["peak_flops", "vibes"]),
    "--budget": st.sampled_from(
        ["co2e=1kg", "co2e=1t", "cost=10USD", "energy=1MWh", "co2e=5W", "carbon=1", "co2e=-1kg"]
    ),
}
FILES = [ELMO, str(CONFIGS / "today"), "missing.yaml", str(CONFIGS), "-"]
TRIALS = str(ROOT / "tests" / "data" / "trials.csv")
_MODELS = ROOT / "tests" / "fpo_models.py"
MODELS = [f"{_MODELS}:mlp", f"{_MODELS}:conv", f"{_MODELS}:nope", "tests.fpo_models:fails",
          "nomodule:x", str(_MODELS)]  # fmt: skip
QUERIES = ["h100", "fr", "gcp", "zzzz", "é"]  # (a full listing is 5,000 rows: slow, not hostile)


@st.composite
def command_lines(draw: st.DrawFn, out_dir: Path) -> list[str]:
    command = draw(st.sampled_from(list(OPTIONS)))
    argv = [command]
    if command in ("estimate", "compare", "check"):
        argv += draw(st.lists(st.sampled_from(FILES), min_size=command != "check", max_size=2))
    elif command in ("regions", "hardware", "prices"):
        argv.append(draw(st.sampled_from(QUERIES)))
    elif command == "init":
        argv.append(str(out_dir / draw(st.sampled_from(["new.yaml", "nested/new.yaml", ""]))))
    elif command == "fpo":
        argv.append(draw(st.sampled_from(MODELS)))
    elif command == "curve":
        argv.append(draw(st.sampled_from([TRIALS, ELMO, "missing.csv", str(CONFIGS)])))
    for option in draw(st.lists(st.sampled_from(OPTIONS[command]), max_size=3)):
        argv.append(option)
        if option == "--output":
            argv.append(str(out_dir / draw(st.sampled_from(["out.txt", "no/such/dir/out.txt"]))))
        elif option == "--plot":
            argv.append(str(out_dir / draw(OPTION_VALUES[option])))
        elif option in OPTION_VALUES:
            argv.append(draw(OPTION_VALUES[option]))
    return argv


@settings(SETTINGS, max_examples=100)
@given(data=st.data())
def test_any_command_line_exits_0_1_or_2_without_a_traceback(tmp_path: Path, data) -> None:
    argv = data.draw(command_lines(tmp_path))
    code, out, err = run(*argv)
    assert_contract(code, out, err)


# ----------------------------------------------------------------------------- no silent reading

# A plausible-but-wrong way to write one key, and what a person writing it means (None where the
# meaning is unclear, so greenai must refuse or warn). The property: greenai refuses, warns, or
# gives exactly the figure a hand computation of that meaning gives; never another figure silently.
WRONG_FORMS: list[tuple[str, str, float | None]] = [
    ("carbon_intensity", "0.4", None),  # kg/kWh meant, read as g/kWh
    ("carbon_intensity", "0.4 kg/kWh", 400.0),
    ("carbon_intensity", "0.954 lb/kWh", 0.954 * 453.59237),
    ("carbon_intensity", "433 gCO2e/kWh", 433.0),
    ("hours", "1:30", 1.5),  # clock time, not 90 (YAML 1.1) or 30
    ("hours", "02:30:00", 2.5),
    ("hours", "1-00:00:00", 24.0),  # SLURM's D-HH:MM:SS
    ("hours", "012", 12.0),  # not octal 10
    ("hours", "90 min", 1.5),
    ("hours", "1,5", None),  # a decimal comma
    ("hours", "1,500", None),  # 1500 or 1.5?
    ("runs", "010", 10.0),
    ("power", "2,5 kW", None),  # 2.5 kW, not 25,000 W
    ("power", "50 W", 50.0),  # the whole machine, as documented (warned when below idle)
    ("power", "5 W", None),  # below any GPU's idle draw: per device? or kW?
]


@st.composite
def wrong_forms(draw: st.DrawFn) -> tuple[dict, str, str, float | None, dict]:
    device = draw(st.sampled_from(["v100", "a100-sxm4-80gb", "h100-sxm5-80gb", "mi300x"]))
    parts = {
        "count": draw(st.integers(1, 64)),
        "tdp": TDP[device],
        "hours": draw(st.floats(0.5, 500)),
        "runs": draw(st.integers(1, 20)),
        "region": draw(st.sampled_from(REGIONS)),
        "pue": draw(st.floats(1.0, 2.0)),
    }
    document = {
        "hardware": f"{parts['count']} x {device}",
        "hours": parts["hours"],
        "runs": parts["runs"],
        "region": parts["region"],
        "pue": parts["pue"],
    }
    key, text, meant = draw(st.sampled_from(WRONG_FORMS))
    return document, key, text, meant, parts


def _hand(parts: dict, key: str, meant: float) -> tuple[float, float]:
    """Energy (kWh) and CO2e (kg) of the file with `key` set to what the person meant."""
    hours, runs = parts["hours"], parts["runs"]
    intensity = INTENSITY[parts["region"]]
    power = parts["count"] * parts["tdp"]
    if key == "hours":
        hours = meant
    elif key == "runs":
        runs = int(meant)
    elif key == "power":
        power = meant
    elif key == "carbon_intensity":
        intensity = meant
    energy = power * hours * runs * parts["pue"] / 1000
    return energy, energy * intensity / 1000


@settings(SETTINGS, max_examples=80)
@given(case=wrong_forms())
def test_a_plausible_wrong_form_is_refused_warned_or_read_as_meant(tmp_path: Path, case) -> None:
    document, key, text, meant, parts = case
    path = tmp_path / "valid.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    code, out, err = run("estimate", str(path), "--format", "json", "--set", f"{key}={text}")
    assert code in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2 or "warning:" in err:
        return  # refused, or said out loud
    assert meant is not None, f"{key}={text} was priced without a word: {out}"
    (row,) = json.loads(out)
    energy, co2e = _hand(parts, key, meant)
    assert math.isclose(row["energy_kwh"], energy, rel_tol=1e-9), (key, text)
    assert math.isclose(row["co2e_kg"], co2e, rel_tol=1e-9), (key, text)


# ----------------------------------------------------------------------------- inert text

COMMANDS = [
    "\n::add-mask::secret", "\r\n::stop-commands::x", "\n  ::error file=a::pwned", "##[error]x",
    "\x1b]8;;file:///etc/passwd\x07link\x1b]8;;\x07", "\x1b[2J", "[bold red]x[/]", "[/bold]",
    "[link=file:///etc/passwd]x[/link]", "<!-- hidden", "<script>x</script>", "| a | b |",
    "\n# All within budget", "\\input{/etc/passwd}", "\n\\write18{id}", "\x07\x08\x00",
    "\u2028::warning::x", "${{ secrets.X }}", "`rm -rf /`",
]  # fmt: skip
hostile_text = st.one_of(
    st.sampled_from(COMMANDS),
    st.builds(lambda a, b: a + b, st.sampled_from(COMMANDS), st.text(max_size=8)),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
)
UNIT_BOMBS = ["9**9**9 h", "2**2**2**2**2 h", "1e999999 h", "(1 h)**99", "h" * 300, "1 h + 2 h",
              "__import__('os') h", "1 h\n::error::x", "10 ** -400 h"]  # fmt: skip
QUANTITY_KEYS = ["hours", "power", "memory", "carbon_intensity", "electricity_price", "pue",
                 "runs", "fpo.total", "budget.co2e"]  # fmt: skip
TEXT_KEYS = ["name", "region", "hardware", "cloud.provider", "site"]
EVERY_FORMAT = ["table", "json", "csv", "markdown", "latex", "model-card"]
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u2028\u2029\u202a-\u202e]")


def assert_inert(*outputs: str, annotations: int = 0) -> None:
    """No line a GitHub runner would obey, no control character a terminal would obey; only
    greenai's own annotations (`annotations` of them, one per file) are workflow commands."""
    own = re.compile(r"::(error|warning|notice) [^:\n]*::")
    for text in outputs:
        assert "##[" not in text, text
        commands = [line for line in text.splitlines() if line.lstrip().startswith("::")]
        assert all(own.match(line) for line in commands), commands
        assert len(commands) <= annotations, commands
        assert not _CONTROL.search(text), repr(text)


@settings(SETTINGS, max_examples=60)
@given(
    key=st.sampled_from(TEXT_KEYS + QUANTITY_KEYS),
    text=hostile_text | st.sampled_from(UNIT_BOMBS),
    form=st.sampled_from(EVERY_FORMAT),
)
def test_no_consumer_sees_a_command(tmp_path: Path, key: str, text: str, form: str) -> None:
    document = dict(BASE, name="exp")
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    code, out, err = run("estimate", str(path), "--format", form, "--assumptions",
                         "--set", f"{key}={text}")  # fmt: skip
    assert code in (0, 1, 2), err
    assert "Traceback" not in err and "internal error" not in err, err
    assert_inert(out, err)
    summary = tmp_path / "summary.md"
    os.environ["GITHUB_STEP_SUMMARY"] = str(summary)
    try:
        code, out, err = run("check", str(path), "--format", "github", "--set", f"{key}={text}")
    finally:
        del os.environ["GITHUB_STEP_SUMMARY"]
    assert code in (0, 1, 2), err
    assert_inert(out, err, annotations=1)
    if summary.exists():
        written = summary.read_text(encoding="utf-8")
        assert "<!--" not in written and "<script" not in written, written
        assert_inert(written)
