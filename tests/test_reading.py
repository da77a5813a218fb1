"""Reading experiment files as a person means them: clock times, YAML 1.1's surprises, commas,
unit-expression bombs, --set limits, values the loader used to crash on, unbounded reads, and
key names people type. Each test tries several variants of its issue."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greenai import checks, experiment, tables, units
from greenai.errors import InputError
from greenai.files import read_limited
from greenai.status import ExitStatus

HEAD = "hardware: 8 x V100\nregion: fr\n"


def figures(cli, path: Path, *args: str) -> dict:
    result = cli("estimate", path, "--format", "json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)[0]


def refused(cli, path: Path, expected: str, *args: str) -> str:
    """The one error line of `greenai estimate PATH ARGS`, which must contain `expected`."""
    result = cli("estimate", path, *args)
    assert result.code == 2, result.out
    assert result.out == ""
    assert result.err.count("\n") == 1 and "Traceback" not in result.err, result.err
    assert expected in result.err, result.err
    return result.err


def greenai(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """A real process; the timeout turns a hang into a failure."""
    return subprocess.run(
        [sys.executable, "-m", "greenai", *args], capture_output=True, text=True, timeout=timeout
    )


# ----------------------------------------------------------------------------- 12.2 clock times


@pytest.mark.parametrize(
    ("line", "hours"),
    [
        ("hours: 1:30", 1.5),  # YAML 1.1: base-60 int 90
        ('hours: "1:30"', 1.5),  # pint: 30
        ("hours: '0:45'", 0.75),
        ("duration: 2:30:00", 2.5),  # YAML 1.1: 9,000
        ("hours: 02:30:00", 2.5),  # was refused as "not greater than zero"
        ("duration: 1-12:00:00", 36.0),  # SLURM
        ("duration: 2-12", 60.0),
        ("duration: 1-06:30", 30.5),
        ("hours: 100:00:00", 100.0),
        ("hours: 0:00:36", 0.01),
    ],
)
def test_clock_times_are_durations(cli, write, line: str, hours: float) -> None:
    assert figures(cli, write(HEAD + line + "\n"))["hours"] == pytest.approx(hours)


@pytest.mark.parametrize(
    ("value", "expected"), [("1:30", 1.5), ("02:30:00", 2.5), ("1-12:00:00", 36)]
)
def test_clock_times_in_set_are_durations(cli, write, value: str, expected: float) -> None:
    path = write(HEAD + "hours: 10\n")
    assert figures(cli, path, "--set", f"hours={value}")["hours"] == pytest.approx(expected)
    assert figures(cli, path, "--set", f"duration={value}")["hours"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "hours: 1:75",
            "hours: expected a duration (e.g. '79.2 h'), could not read a clock time: "
            "'1:75': minutes must be 00 to 59",
        ),
        ("hours: 1:5", "minutes and seconds take two digits: 1:05, not 1:5"),
        ("hours: 0:00", "hours: expected a duration greater than zero, got '0:00'"),
        ("hours: -1:30", "a duration has no sign"),
        ("hours: 1:30 h", "a clock time is H:MM[:SS] or D-HH:MM:SS, with no unit"),
        ("duration: 1:30:00:00", "too many fields"),
        ("duration: 3-24", "hours after 'D-' must be 0 to 23"),
    ],
)
def test_malformed_clock_times_are_refused(cli, write, line: str, expected: str) -> None:
    path = write(HEAD + line + "\n")
    assert refused(cli, path, expected).startswith(f"error: {path}:3: ")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("power: 1:30", "power"),
        ("memory: 2:00", "memory"),
        ("pue: 1:30", "pue"),
        ("carbon_intensity: 4:33", "carbon_intensity"),
        ("electricity_price: 0:12", "electricity_price"),
        ("cloud: {provider: gcp, price: '2:48'}", "cloud.price"),
        ("fpo: {total: '1:30'}", "fpo.total"),
    ],
)
def test_clock_times_elsewhere_are_refused_with_a_hint(cli, write, text: str, key: str) -> None:
    path = write(HEAD + "hours: 1\n" + text + "\n")
    error = refused(cli, path, "looks like a clock time")
    assert f":4: {key}: " in error and "read only where a duration is expected" in error


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("runs: 1:30", "runs"),
        ("hardware: {device: V100, count: '1:30'}", "hardware.count"),
        ("fpo: {per_example: 1 GFLOP, examples: '2:00'}", "fpo.examples"),
    ],
)
def test_clock_times_as_counts_are_refused_with_a_hint(cli, write, text: str, key: str) -> None:
    path = write(
        "region: fr\nhours: 1\n"
        + ("hardware: 1 x V100\n" if "hardware" not in text else "")
        + text
        + "\n"
    )
    error = refused(cli, path, "a clock time (H:MM) is read only where a duration is expected")
    assert f": {key}: " in error


def test_a_clock_time_in_a_budget_is_refused(cli, write) -> None:
    path = write(HEAD + "hours: 1\n")
    refused(cli, path, "looks like a clock time", "--budget", "energy=1:30")


# ----------------------------------------------------------------------------- 13.14 YAML 1.1


@pytest.mark.parametrize(
    ("lines", "key", "value"),
    [
        ("hours: 012\n", "hours", 12.0),  # YAML 1.1: octal 10
        ("hours: 010\nruns: 010\n", "runs", 10),  # octal 8
        ("hours: 1\nruns: 010\n", "runs", 10),
        ("hours: 0012.5\n", "hours", 12.5),
        ("hours: 1_000\n", "hours", 1000.0),  # digit grouping stays a number
        ("hours: 1\nruns: 07\n", "runs", 7),
    ],
)
def test_leading_zeros_are_decimal(cli, write, lines: str, key: str, value: float) -> None:
    assert figures(cli, write(HEAD + lines))[key] == value


def test_hex_and_octal_forms_are_not_numbers(cli, write) -> None:
    for text in ("0x10", "0o12", "0b11"):
        refused(cli, write(HEAD + f"hours: {text}\n"), "numbers are read as decimal only")


@pytest.mark.parametrize(("word", "key"), [("NO", "no"), ("no", "no"), ("No", "no")])
def test_norway_is_a_region_not_a_boolean(write, word: str, key: str) -> None:
    path = write(f"hardware: 8 x V100\nhours: 1\nregion: {word}\n")
    loaded = experiment.load(path, tables.load())
    assert loaded.region is not None and loaded.region.key == key


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "OFF"])
def test_yaml_11_booleans_are_text_where_text_is_expected(write, word: str) -> None:
    path = write(f"hardware: 8 x V100\nhours: 1\nregion: fr\nname: {word}\n")
    assert experiment.load(path, tables.load()).name == word


def test_true_and_false_are_still_booleans_and_refused_as_names(cli, write) -> None:
    path = write(HEAD + "hours: 1\nname: true\n")
    refused(cli, path, "name: expected a name (text), got bool True")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "power: 2,5 kW",
            "power: expected a power (e.g. '300 W'), got '2,5 kW': decimal comma? write 2.5 kW",
        ),  # was 25,000 W
        ("duration: 1,5 days", "got '1,5 days': decimal comma? write 1.5 days"),  # was 360 h
        ("hours: 1,5", "decimal comma? write 1.5"),
        ("memory: 0,5 GB", "decimal comma? write 0.5 GB"),
        ("pue: 1,58", "decimal comma? write 1.58"),
        (
            "power: 1,234 W",
            "is '1,234' 1234 (thousands separator) or 1.234 (decimal comma)? write 1234 or 1.234",
        ),
        ("power: 1,23,456 W", "read only as a thousands separator (1,234.5); write 123456"),
        ("carbon_intensity: 0,954 lb/kWh", "decimal comma? write 0.954 lb/kWh"),
    ],
)
def test_a_comma_that_could_be_decimal_is_refused(cli, write, line: str, expected: str) -> None:
    path = write(
        HEAD
        + ("hours: 1\n" if "hours" not in line and "duration" not in line else "")
        + line
        + "\n"
    )
    refused(cli, path, expected)


@pytest.mark.parametrize(
    ("line", "key", "value"),
    [
        ("power: 1,234.5 W", "power_w", 1234.5),
        ("power: 1,234,567 W", "power_w", 1234567.0),
        ("power: '12,345.0'", "power_w", 12345.0),
    ],
)
def test_thousands_separators_are_read(cli, write, line: str, key: str, value: float) -> None:
    assert figures(cli, write(HEAD + "hours: 1\n" + line + "\n"))[key] == value


def test_thousands_separators_in_counts(write) -> None:
    path = write(HEAD + "hours: 1\nfpo: {per_example: 1 GFLOP, examples: '1,200,000'}\n")
    loaded = experiment.load(path, tables.load())
    assert loaded.fpo is not None and loaded.fpo.examples == 1.2e6
    path = write(HEAD + "hours: 1\nfpo: {per_example: 1 GFLOP, examples: '1,2'}\n")
    with pytest.raises(InputError, match="decimal comma"):
        experiment.load(path, tables.load())


# ----------------------------------------------------------------------------- 13.7 bombs

BOMBS = [
    "9**9**9 h",  # hung forever
    "2**2**2**2**2 h",  # OverflowError
    "(2**99)**99 h",
    "((9**99)**99)**99 h",
    "9^9^9 h",
    "9 ** 9 ** 9 h",
    "9**999999 h",
    "h**100",
    "2**-999 h",
    "1" * 101 + " h",
    "1 h + 2 h",
    "2-12 h",
    "9" * 40 + "**99 h",
]


@pytest.mark.parametrize("bomb", BOMBS)
def test_unit_expression_bombs_are_refused_in_files(cli, write, bomb: str) -> None:
    path = write(HEAD + f"hours: '{bomb}'\n")
    start = time.monotonic()
    error = refused(cli, path, f"{path}:3: hours: expected a duration")
    assert time.monotonic() - start < 5, error


@pytest.mark.parametrize("bomb", ["9**9**9", "2**2**2**2**2", "10^100^100"])
def test_bombs_are_refused_in_every_quantity_key_set_and_budget(cli, write, bomb: str) -> None:
    path = write(HEAD + "hours: 1\n")
    for key in (
        "power",
        "memory",
        "pue",
        "carbon_intensity",
        "electricity_price",
        "hours",
        "cloud.price",
        "fpo.total",
        "hardware.power",
    ):
        shown = key.replace("hardware.", "hardware.0.")  # the group the value went to
        refused(cli, path, f"(--set): {shown}: expected", "--set", f"{key}={bomb}")
    for metric, unit in (("co2e", "kg"), ("cost", "USD"), ("energy", "kWh")):
        refused(cli, path, f"--budget {metric}: expected", "--budget", f"{metric}={bomb} {unit}")


def test_the_bomb_that_hung_is_refused_by_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(HEAD + "hours: '9**9**9 h'\n")
    done = greenai("estimate", str(path), timeout=30)
    assert done.returncode == 2 and "power applies to a unit or a number, once" in done.stderr


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("3.3 days", 79.2),
        ("2 * 3 h", 6.0),
        ("90 min", 1.5),
        ("5400 s", 1.5),
        ("1e-3 h", 1e-3),
        ("(1/2) h", 0.5),
        ("2**3 h", 8.0),
        ("10^2 min", 100 / 60),
    ],
)
def test_ordinary_expressions_still_read(text: str, hours: float) -> None:
    assert units.to(units.parse(text, "hour"), "hour") == pytest.approx(hours)


def test_powers_of_units_still_read() -> None:
    assert units.to(units.parse("3.3*10^9 FLOP", "FLOP"), "FLOP") == pytest.approx(3.3e9)
    assert units.to(units.parse("0.5 W*h/h", "watt"), "watt") == pytest.approx(0.5)
    assert units.to(units.parse("4 W**2/W", "watt"), "watt") == pytest.approx(4)


QUANTITY_TEXT = st.text(alphabet="0123456789.eE+-*/^() :,%hWkgGBs$", max_size=40) | st.text(
    max_size=40
)


@settings(deadline=2_000, max_examples=300)
@given(text=QUANTITY_TEXT, unit=st.sampled_from(["hour", "watt", "FLOP", "g/kWh", "USD/hour"]))
def test_parse_raises_only_quantity_error(text: str, unit: str) -> None:
    try:
        value = units.to(units.parse(text, unit), unit)
    except units.QuantityError as error:
        assert str(error).startswith("expected")
    else:
        assert math.isfinite(value)


@settings(deadline=2_000)
@given(
    base=st.integers(min_value=0, max_value=10**40),
    exponents=st.lists(st.integers(min_value=-(10**6), max_value=10**6), min_size=1, max_size=4),
    brackets=st.booleans(),
)
def test_towers_of_powers_never_hang_or_crash(base: int, exponents: list[int], brackets) -> None:
    text = str(base)
    for exponent in exponents:
        text = f"({text})**{exponent}" if brackets else f"{text}**{exponent}"
    try:
        value = units.to(units.parse(text + " h", "hour"), "hour")
    except units.QuantityError:
        return
    assert math.isfinite(value)


@pytest.mark.parametrize("value", [10**400, -(10**400), 10**309, float("inf"), [1, 2], {"a": 1}])
def test_parse_of_odd_python_values_is_a_quantity_error(value) -> None:
    with pytest.raises(units.QuantityError):
        units.parse(value, "hour")


# ----------------------------------------------------------------------------- 13.8 --set


def test_set_values_go_through_the_alias_bomb_guard(cli, write) -> None:
    path = write(HEAD + "hours: 1\n")
    bomb = "[&a [x,x,x,x,x,x,x,x,x,x]"
    for level in "bcdef":
        previous = chr(ord(level) - 1)
        bomb += f", &{level} [" + ",".join([f"*{previous}"] * 10) + "]"
    bomb += "]"
    error = refused(cli, path, "refusing a YAML alias bomb", "--set", f"name={bomb}")
    assert error.startswith(f"error: {path} (--set): name: aliases expand")


def test_set_values_go_through_the_nesting_guard(cli, write) -> None:
    path = write(HEAD + "hours: 1\n")
    refused(cli, path, "nested more than 32 levels deep", "--set", "name=" + "[" * 40 + "]" * 40)


@pytest.mark.parametrize("size", [4_001, 100_000, 10_000_000])
def test_a_huge_set_value_is_refused_quickly(cli, write, size: int) -> None:
    path = write(HEAD + "hours: 1\n")
    start = time.monotonic()
    refused(cli, path, "characters; at most 4,000 are read", "--set", "name=" + "x" * size)
    assert time.monotonic() - start < 5


def test_set_values_follow_the_file_rules(cli, write) -> None:
    path = write(HEAD + "hours: 1\n")
    assert figures(cli, path, "--set", "runs=010")["runs"] == 10
    assert figures(cli, path, "--set", "name=NO")["name"] == "NO"
    refused(
        cli, path, "(--set): hours: !!int 'abc' is not a whole number", "--set", "hours=!!int abc"
    )
    refused(cli, path, "decimal comma? write 2.5 kW", "--set", "power=2,5 kW")


# ----------------------------------------------------------------------------- 13.11 loader


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("hours: !!int abc", "3: hours: !!int 'abc' is not a whole number"),
        ("hours: !!int 0x1G", "3: hours: !!int '0x1G' is not a whole number"),
        ("hours: !!float x", "3: hours: !!float 'x' is not a number"),
        ("hours: !!bool maybe", "3: hours: !!bool 'maybe' is not true or false"),
        ("name: !!timestamp abc", "3: name: !!timestamp 'abc' is not a date (YYYY-MM-DD)"),
        ("name: !!timestamp 2019-02-30", "3: name: !!timestamp '2019-02-30' is not a date"),
        ("hours: !!map [a]", "3: hours: !!map expects a mapping, got a sequence"),
        ("hours: !!map abc", "3: hours: !!map expects a mapping, got a scalar"),
        ("hours: !!seq {a: 1}", "3: hours: !!seq expects a list, got a mapping"),
        ("hours: !!seq abc", "3: hours: !!seq expects a list, got a scalar"),
        ("hours: !!binary '###'", "3: hours: !!binary: no key of an experiment file takes"),
        ("hours: !!int [1]", "3: hours: !!int expects a single value, got a sequence"),
        ("hours: !!str [1]", "3: invalid YAML"),
        ("hours: 1" + "0" * 300, "3: hours: a number of 301 digits; greenai reads up to 30"),
        ("hours: -1" + "0" * 300, "3: hours: a number of 301 digits"),
        ("hours: 1\nruns: 1" + "0" * 400, "4: runs: a number of 401 digits"),
        ("hours: 1\nruns: 1e300", "4: runs: expected the number of runs up to 1,000,000,000"),
        ("hours: 1\nruns: 1e400", "4: runs: expected the number of runs (a whole number"),
        ("hours: 1\nfpo: {total: 1" + "0" * 400 + "}", "4: fpo.total: a number of 401 digits"),
        ("hours: 1\n<<: {runs: 2}", "4: YAML merge keys (<<) are not read"),
    ],
)
def test_values_the_loader_crashed_on_are_one_files_error(
    cli, write, line: str, expected: str
) -> None:
    path = write(HEAD + line + "\n")
    refused(cli, path, f"{path}:{expected}")


@pytest.mark.parametrize(
    "hardware",
    [
        "hardware: {device: V100, count: 1" + "0" * 400 + "}",
        "hardware: {device: V100, count: 1e300}",
        "hardware: [{device: V100, count: 10000000000}]",
    ],
)
def test_huge_device_counts_are_one_files_error(cli, write, hardware: str) -> None:
    path = write(f"region: fr\nhours: 1\n{hardware}\n")
    refused(cli, path, f"{path}:3: hardware.")


@pytest.mark.parametrize("date", ["2019-02-30", "2019-13-01", "2019-02-28", "2019-06-05 12:00"])
def test_dates_are_text_until_a_key_reads_them(write, date: str) -> None:
    path = write(HEAD + f"hours: 1\nname: {date}\n")
    assert experiment.load(path, tables.load()).name == date


def test_an_impossible_as_of_date_is_refused_by_its_key(cli, write) -> None:
    path = write(HEAD + "hours: 1\ncloud:\n  provider: gcp\n  as_of: 2019-02-30\n")
    refused(cli, path, f"{path}:6: cloud.as_of: expected a date (YYYY-MM-DD), got '2019-02-30'")
    path = write(HEAD + "hours: 1\ncloud:\n  provider: gcp\n  as_of: 2019-06-05\n")
    loaded = experiment.load(path, tables.load())
    assert loaded.cloud is not None and str(loaded.cloud.as_of) == "2019-06-05"


BAD_FILES = {
    "date.yaml": HEAD + "hours: 1\nname: 2019-02-30\nruns: 1:30\n",
    "int.yaml": HEAD + "hours: !!int abc\n",
    "float.yaml": HEAD + "hours: !!float x\n",
    "map.yaml": HEAD + "hours: !!map [a]\n",
    "binary.yaml": HEAD + "hours: !!binary '###'\n",
    "stamp.yaml": HEAD + "hours: 1\nname: !!timestamp abc\n",
    "digits.yaml": HEAD + "hours: 1" + "0" * 300 + "\n",
    "runs.yaml": HEAD + "hours: 1\nruns: 1" + "0" * 400 + "\n",
    "bomb.yaml": HEAD + "hours: '9**9**9 h'\n",
}


def test_check_reports_every_bad_file_and_goes_on(cli, tmp_path: Path) -> None:
    good = HEAD + "hours: 1\n"
    names = ["a.yaml", *BAD_FILES, "z.yaml"]
    for name in names:
        (tmp_path / name).write_text(BAD_FILES.get(name, good))
    result = cli("check", *(tmp_path / n for n in names), "--format", "json")
    assert result.code == 2, result.err
    outcomes = {Path(o["file"]).name: o for o in json.loads(result.out)}
    assert list(outcomes) == names
    assert outcomes["a.yaml"]["status"] == outcomes["z.yaml"]["status"] == "ok"
    for name in BAD_FILES:
        error = outcomes[name]["error"]
        assert outcomes[name]["status"] == "invalid" and error["line"] is not None, name
        assert "internal error" not in error["message"], error
    assert outcomes["date.yaml"]["error"]["key"] == "runs"


def test_check_goes_on_after_an_internal_error(tmp_path: Path, monkeypatch) -> None:
    real = experiment.load

    def crash_on_b(path, *args, **kwargs):
        if Path(path).name == "b.yaml":
            raise ZeroDivisionError("a bug")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(experiment, "load", crash_on_b)
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        (tmp_path / name).write_text(HEAD + "hours: 1\n")
    outcomes = checks.run([tmp_path / n for n in ("a.yaml", "b.yaml", "c.yaml")], tables.load())
    assert [o.status for o in outcomes] == ["ok", "invalid", "ok"]
    assert "internal error: ZeroDivisionError: a bug" in str(outcomes[1].error)
    assert str(outcomes[1].error).startswith(str(tmp_path / "b.yaml"))
    assert checks.exit_status(outcomes) == ExitStatus.INTERNAL_ERROR  # not 2: a bug, not a file


# ----------------------------------------------------------------------------- 13.6 reads


def test_dev_zero_is_refused_after_the_limit(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="more than 256,000 bytes"):
        read_limited(link, 256_000, "an experiment file")
    done = greenai("estimate", str(link), timeout=30)
    assert done.returncode == 2 and "more than 256,000 bytes" in done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_nobody_writes_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)
    start = time.monotonic()
    done = greenai("estimate", str(fifo), timeout=30)
    assert done.returncode == 2, done.stderr
    assert f"{fifo}: is a pipe with nothing written to it" in done.stderr
    assert time.monotonic() - start < 20


def _write_to(fifo: Path, data: bytes, forever: bool = False) -> threading.Thread:
    def write() -> None:
        try:
            with open(fifo, "wb") as handle:  # blocks until the reader opens
                handle.write(data)
                while forever:
                    handle.write(b"# " + b"x" * 65_000 + b"\n")
        except BrokenPipeError:
            pass  # the reader stopped at its limit

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_being_written_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)
    thread = _write_to(fifo, (HEAD + "hours: 2\n").encode())
    time.sleep(0.2)  # the writer waits in open() for the reader
    data = read_limited(fifo, 256_000, "an experiment file")
    thread.join(5)
    assert data.decode() == HEAD + "hours: 2\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_an_endless_fifo_is_refused_after_the_limit(tmp_path: Path) -> None:
    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)
    thread = _write_to(fifo, HEAD.encode(), forever=True)
    time.sleep(0.2)
    with pytest.raises(InputError, match="more than 256,000 bytes"):
        read_limited(fifo, 256_000, "an experiment file")
    thread.join(5)
    assert not thread.is_alive()


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        read_limited(tmp_path, 256_000, "an experiment file")


# ----------------------------------------------------------------------------- 12.8 key names


@pytest.mark.parametrize(
    ("text", "key", "suggestion"),
    [
        ("location: fr", "location", "did you mean 'region'?"),  # said 'duration'
        ("zone: fr", "zone", "did you mean 'region'?"),
        ("country: fr", "country", "did you mean 'region'?"),
        ("datacenter: fr", "datacenter", "did you mean 'region'?"),
        ("gpu: V100", "gpu", "did you mean 'hardware'?"),  # said 'pue'
        ("gpus: 8 x V100", "gpus", "did you mean 'hardware'?"),
        ("accelerator: V100", "accelerator", "did you mean 'hardware'?"),
        ("devices: V100", "devices", "did you mean 'hardware'?"),
        ("time: 3", "time", "did you mean 'hours' or 'duration'?"),
        ("walltime: 3", "walltime", "did you mean 'hours' or 'duration'?"),
        ("wall_time: 3", "wall_time", "did you mean 'hours' or 'duration'?"),
        ("training_time: 3", "training_time", "did you mean 'hours' or 'duration'?"),
        ("co2: 400", "co2", "did you mean 'carbon_intensity' or 'co2e' under budget:?"),
        ("carbon: 400", "carbon", "did you mean 'carbon_intensity'"),
        ("price: 0.2", "price", "did you mean 'electricity_price' or 'price' under cloud:?"),
        ("repeats: 3", "repeats", "did you mean 'runs'?"),
        ("trials: 3", "trials", "did you mean 'runs'?"),
        ("seeds: 3", "seeds", "did you mean 'runs'?"),
        ("provider: gcp", "provider", "did you mean 'provider' under cloud:?"),
        ("ram: 64 GB", "ram", "did you mean 'memory'?"),
        ("Hours: 3", "Hours", "did you mean 'hours'?"),
        ("carbon-intensity: 400", "carbon-intensity", "did you mean 'carbon_intensity'?"),
        ("hourz: 3", "hourz", "did you mean 'hours'?"),  # spelling still works
        ("params: 7B", "params", "did you mean 'parameters' under fpo:?"),
    ],
)
def test_top_level_keys_are_suggested_by_meaning(
    cli, write, text: str, key: str, suggestion: str
) -> None:
    path = write("hardware: 8 x V100\nregion: fr\nhours: 1\n" + text + "\n")
    if key in ("gpu", "gpus", "accelerator", "devices"):
        path = write("region: fr\nhours: 1\n" + text + "\n")
    if key in ("location", "zone", "country", "datacenter"):
        path = write("hardware: 8 x V100\nhours: 1\n" + text + "\n")
    error = refused(cli, path, f": {key}: unknown key; {suggestion}")
    assert ":4:" in error or ":3:" in error


@pytest.mark.parametrize(
    ("group", "key", "suggestion"),
    [
        ("{gpu: V100}", "hardware.gpu", "did you mean 'device'?"),
        ("{accelerator: V100}", "hardware.accelerator", "did you mean 'device'?"),
        ("{device: V100, gpus: 8}", "hardware.gpus", "did you mean 'device'?"),
        ("{device: V100, num_gpus: 8}", "hardware.num_gpus", "did you mean 'count'?"),
        ("{device: V100, n: 8}", "hardware.n", "did you mean 'count'?"),
        ("{device: V100, tdp: 250 W}", "hardware.tdp", "did you mean 'power'?"),
        ("{device: V100, watts: 250}", "hardware.watts", "did you mean 'power'?"),
        ("{device: V100, util: 0.5}", "hardware.util", "did you mean 'utilization'?"),
        ("[{device: V100, util: 0.5}]", "hardware.0.util", "did you mean 'utilization'?"),
    ],
)
def test_hardware_keys_are_suggested_by_meaning(cli, write, group, key, suggestion) -> None:
    path = write(f"region: fr\nhours: 1\nhardware: {group}\n")
    refused(cli, path, f"{key}: unknown key; {suggestion}")


@pytest.mark.parametrize(
    ("block", "key", "suggestion"),
    [
        ("cloud: {vendor: gcp}", "cloud.vendor", "did you mean 'provider'?"),
        ("cloud: {provider: gcp, cost: 2}", "cloud.cost", "did you mean 'price'?"),
        ("cloud: {provider: gcp, rate: 2}", "cloud.rate", "did you mean 'price'?"),
        ("cloud: {provider: gcp, date: 2019-06-05}", "cloud.date", "did you mean 'as_of'?"),
        ("fpo: {flops: 1e21}", "fpo.flops", "did you mean 'total'?"),
        ("fpo: {params: 7B, tokens: 1T}", "fpo.params", "did you mean 'parameters'?"),
        ("fpo: {parameters: 7B, num_tokens: 1T}", "fpo.num_tokens", "did you mean 'tokens'?"),
        ("fpo: {per_example: 1 GFLOP, samples: 1e6}", "fpo.samples", "did you mean 'examples'?"),
        ("fpo: {total: 1e21, dtype: bf16}", "fpo.dtype", "did you mean 'precision'?"),
        ("fpo: {total: 1e21, util: 0.4}", "fpo.util", "did you mean 'mfu'?"),
        ("budget: {carbon: 5 kg}", "budget.carbon", "did you mean 'co2e'?"),
        ("budget: {money: 5 USD}", "budget.money", "did you mean 'cost'?"),
        ("budget: {kwh: 5}", "budget.kwh", "did you mean 'energy'?"),
    ],
)
def test_nested_keys_are_suggested_by_meaning(cli, write, block, key, suggestion) -> None:
    path = write(HEAD + "hours: 1\n" + block + "\n")
    refused(cli, path, f"{key}: unknown key; {suggestion}")


@pytest.mark.parametrize(
    ("hardware", "fix"),
    [
        ("H100 x 8", "8 x H100"),
        ("H100x8", "8 x H100"),
        ("A100 * 4", "4 x A100"),
        ("V100 × 16", "16 x V100"),
        ("h100 X 2", "2 x h100"),
    ],
)
def test_count_after_the_name_says_write_it_first(cli, write, hardware: str, fix: str) -> None:
    path = write(f"hardware: {hardware}\nregion: fr\nhours: 1\n")
    refused(
        cli, path, f"{path}:1: hardware: expected 'N x DEVICE' with the count first; write {fix}"
    )
    path = write(f"hardware:\n  - {hardware}\nregion: fr\nhours: 1\n")
    refused(cli, path, f"write {fix}")


def test_suggest_key_prefers_meaning_then_spelling() -> None:
    assert experiment.suggest_key("location", experiment.TOP_KEYS) == ["'region'"]
    assert experiment.suggest_key("durration", experiment.TOP_KEYS) == ["'duration'"]
    assert experiment.suggest_key("qqq", experiment.TOP_KEYS) == []
    # a meaning that has no key at this level falls through to spelling
    assert experiment.suggest_key("location", experiment.FPO_KEYS) == []


def test_a_quoted_list_of_prices_says_how_to_write_a_list(cli, tmp_path: Path) -> None:
    path = tmp_path / "exp.yaml"
    path.write_text(HEAD + 'hours: 2\ncloud:\n  provider: gcp\n  price: "[0.74, 2.48] USD/h"\n')
    result = cli("estimate", str(path))
    assert result.code == 2
    assert "a list is written in YAML, each value with its unit: [0.74 USD/h, 2.48 USD/h]" in (
        result.err
    )


def test_a_count_first_name_with_an_x_in_it_is_not_read_backwards(cli, tmp_path: Path) -> None:
    path = tmp_path / "exp.yaml"
    path.write_text("hardware: 8 x opteronx2170\nhours: 2\nregion: fr\n")
    result = cli("estimate", str(path))
    assert result.code == 2
    assert "count first" not in result.err and "2170 x 8" not in result.err
    assert "opteronx2170" in result.err
