"""Bad input: one line naming file, line and key, exit code 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from greenai.status import ExitStatus

GOOD = """\
name: ok
hardware: 8 x V100
hours: 12
region: us
"""


def one_error_line(result, *fragments: str) -> str:
    assert result.code == ExitStatus.BAD_INPUT, (result.code, result.out, result.err)
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def test_good_file_passes(cli, write) -> None:
    assert cli("estimate", write(GOOD)).code == 0


def test_missing_file(cli, tmp_path) -> None:
    one_error_line(cli("estimate", tmp_path / "nope.yaml"), "nope.yaml", "no such file")


def test_invalid_yaml_names_the_line(cli, write) -> None:
    path = write("hardware: 8 x V100\nhours: [12\nregion: us\n")
    one_error_line(cli("estimate", path), f"{path}:", "invalid YAML")


def test_duplicate_key(cli, write) -> None:
    path = write(GOOD + "hours: 13\n")
    one_error_line(cli("estimate", path), f"{path}:5: hours: duplicate key (first given on line 3)")


def test_unknown_key_suggests_the_near_one(cli, write) -> None:
    path = write(GOOD + "huors: 3\n")
    one_error_line(cli("estimate", path), f"{path}:5: huors: unknown key; did you mean 'hours'?")


def test_unknown_nested_key(cli, write) -> None:
    path = write(GOOD + "cloud:\n  provider: gcp\n  prize: 2\n")
    one_error_line(
        cli("estimate", path), f"{path}:7: cloud.prize: unknown key; did you mean 'price'?"
    )


def test_wrong_type(cli, write) -> None:
    path = write(GOOD.replace("hours: 12", "hours: [1, 2]"))
    one_error_line(cli("estimate", path), f"{path}:3: hours: expected a duration", "got a list")


@pytest.mark.parametrize("value", ["0", "-3", "-2 h", "0 days"])
def test_zero_or_negative_duration(cli, write, value) -> None:
    path = write(GOOD.replace("hours: 12", f"hours: {value}"))
    one_error_line(cli("estimate", path), f"{path}:3: hours: expected a duration greater than zero")


@pytest.mark.parametrize("value", ["0", "-1", "2.5", "many"])
def test_runs_below_one_or_not_whole(cli, write, value) -> None:
    path = write(GOOD + f"runs: {value}\n")
    one_error_line(
        cli("estimate", path),
        f"{path}:5: runs: expected the number of runs (a whole number, 1 or more)",
    )


def test_pue_below_one(cli, write) -> None:
    path = write(GOOD + "pue: 0.9\n")
    one_error_line(cli("estimate", path), f"{path}:5: pue: expected a PUE of 1.0 or more")


def test_unknown_device_with_suggestions(cli, write) -> None:
    path = write(GOOD.replace("8 x V100", "8 x V1000"))
    line = one_error_line(cli("estimate", path), f"{path}:2: hardware: unknown device 'V1000'")
    assert "did you mean 'v100'" in line


def test_unknown_device_in_a_group(cli, write) -> None:
    path = write(
        GOOD.replace("hardware: 8 x V100", "hardware:\n  - device: A100 80G\n    count: 2")
    )
    line = one_error_line(cli("estimate", path), f"{path}:3: hardware.0.device: unknown device")
    assert "a100-sxm4-80gb" in line


def test_unknown_region_with_suggestions(cli, write) -> None:
    path = write(GOOD.replace("region: us", "region: gcp:us-centrl1"))
    line = one_error_line(
        cli("estimate", path), f"{path}:4: region: unknown region 'gcp:us-centrl1'"
    )
    assert "did you mean 'gcp:us-central1'" in line


def test_quantity_with_the_wrong_dimension(cli, write) -> None:
    path = write(GOOD.replace("hours: 12", "hours: 5 kg"))
    one_error_line(
        cli("estimate", path),
        f"{path}:3: hours: expected a duration (convertible to hour), got '5 kg'",
    )


def test_hours_and_duration_together(cli, write) -> None:
    path = write(GOOD + "duration: 3 days\n")
    one_error_line(cli("estimate", path), f"{path}:5: duration: give hours or duration, not both")


def test_utilization_given_as_percent_gets_a_hint(cli, write) -> None:
    path = write(GOOD.replace("hardware: 8 x V100", "hardware:\n  device: V100\n  utilization: 80"))
    one_error_line(cli("estimate", path), "hardware.utilization", "did you mean 0.8 (80 %)?")


def test_empty_file_and_non_mapping(cli, write) -> None:
    one_error_line(cli("estimate", write("")), "empty file")
    one_error_line(cli("estimate", write("- a\n- b\n")), "expected a mapping", "got a list")


def test_not_utf8(cli, tmp_path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    one_error_line(cli("estimate", path), f"{path}:1: not UTF-8 text")


def test_bad_set_override_names_the_key(cli, write) -> None:
    path = write(GOOD)
    one_error_line(
        cli("estimate", path, "--set", "hardware.count=zero"),
        f"{path} (--set): hardware.0.count: expected a device count",
    )
    one_error_line(
        cli("estimate", path, "--set", "regoin=fr"), "regoin: unknown key; did you mean 'region'?"
    )
    one_error_line(cli("estimate", path, "--set", "nonsense"), "--set expects KEY=VALUE")


def test_cloud_price_for_an_unpriced_device(cli, write) -> None:
    path = write(GOOD.replace("8 x V100", "2 x K80") + "cloud: gcp\n")
    one_error_line(cli("estimate", path), "cloud: no gcp price for k80")


def test_output_to_a_missing_folder(cli, write, tmp_path) -> None:
    one_error_line(
        cli("estimate", write(GOOD), "--output", tmp_path / "no" / "out.json"), "does not exist"
    )


def test_usage_error_is_exit_2(cli) -> None:
    result = cli("estimate", "--format", "yaml", "x.yaml")
    assert result.code == ExitStatus.BAD_INPUT
    assert "Traceback" not in result.err


def test_real_process_prints_no_traceback(write) -> None:
    path = write(GOOD + "huors: 3\n")
    done = subprocess.run(
        [sys.executable, "-m", "greenai", "estimate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip() == f"error: {path}:5: huors: unknown key; did you mean 'hours'?"


def test_exit_codes_are_documented_values() -> None:
    assert [int(s) for s in ExitStatus] == [0, 1, 2, 3, 4, 129, 130, 141, 143]


def test_device_without_tdp_asks_for_a_measured_power(cli, write) -> None:
    path = write(GOOD.replace("8 x V100", "4 x TPU v5e"))
    one_error_line(cli("estimate", path), f"{path}: hardware: no TDP known for Google TPU v5e")
    measured = write(
        GOOD.replace(
            "hardware: 8 x V100", "hardware:\n  device: TPU v5e\n  count: 4\n  power: 200 W"
        ),
        "measured.yaml",
    )
    assert cli("estimate", measured).code == 0
