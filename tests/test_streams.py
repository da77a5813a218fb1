"""Where the result goes: --output onto every kind of file, and standard streams that fail.

These run greenai as a real process (`python -m greenai`) where the behaviour lives in the
process itself: closed descriptors, a full disk, signals, the interpreter's flush at exit.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from greenai.checks import find, is_marked
from greenai.status import ExitStatus
from tests.conftest import CONFIGS, ROOT

ELMO = CONFIGS / "strubell2019" / "elmo.yaml"
NAMED = "name: Café ✓ run\nhardware: 1 x V100\nhours: 10\nregion: fr\n"


def greenai(*args: object, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run `python -m greenai ARGS` from this tree; stdout and stderr captured unless given."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **kwargs.pop("env", {})}  # type: ignore[dict-item]
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run(  # type: ignore[call-overload]
        [sys.executable, "-m", "greenai", *map(str, args)],
        text=True,
        timeout=120,
        env=env,
        **kwargs,
    )


def no_traceback(err: str) -> None:
    assert "Traceback" not in err and "Exception ignored" not in err, err


# ----------------------------------------------------------------------------- --output kinds


def test_output_onto_a_character_device_writes_through_it(cli, tmp_path) -> None:
    if os.geteuid() != 0:
        pytest.skip("mknod of a character device needs root")
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    result = cli("estimate", ELMO, "-o", null)
    assert result.code == 0, result.err
    assert stat.S_ISCHR(null.stat().st_mode)  # still a device, not a regular file
    assert [p.name for p in tmp_path.iterdir()] == ["null"]
    # and through a symlink to it, as /dev/stdout -> ... would be
    link = tmp_path / "link"
    link.symlink_to(null)
    assert cli("estimate", ELMO, "-o", link).code == 0
    assert link.is_symlink() and stat.S_ISCHR(null.stat().st_mode)


def test_output_onto_a_fifo_feeds_its_reader(cli, tmp_path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = cli("estimate", ELMO, "-o", fifo, "--format", "csv")
    reader.join(timeout=30)
    assert result.code == 0, result.err
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and received[0].decode().startswith("name,")
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_output_to_dev_stdout_goes_to_standard_output(tmp_path) -> None:
    # A private link like /dev/stdout (-> /proc/self/fd/1): code that renames over its output
    # would replace this link, not the machine's /dev/stdout.
    stdout = tmp_path / "stdout"
    stdout.symlink_to("/proc/self/fd/1")
    done = greenai("estimate", ELMO, "--format", "csv", "-o", stdout)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("name,") and "ELMo" in done.stdout
    assert stdout.is_symlink()
    # stdout redirected onto a file: the file gets the result, and stays the same file
    target = tmp_path / "shell.csv"
    with target.open("w") as stream:
        stream.write("before\n")
        stream.flush()
        inode = target.stat().st_ino
        done = greenai("estimate", ELMO, "--format", "csv", "-o", stdout, stdout=stream)
    assert done.returncode == 0, done.stderr
    assert target.stat().st_ino == inode
    assert target.read_text().startswith("before\nname,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shell.csv", "stdout"]


def test_output_through_a_symlink_replaces_the_target_and_keeps_the_link(cli, tmp_path) -> None:
    real = tmp_path / "sub" / "real.md"
    real.parent.mkdir()
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.md"
    link.symlink_to(Path("sub") / "real.md")  # relative, as people make them
    result = cli("estimate", ELMO, "--format", "markdown", "-o", link)
    assert result.code == 0, result.err
    assert link.is_symlink() and os.readlink(link) == str(Path("sub") / "real.md")
    assert real.read_text().startswith("| Model")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["real.md"]
    # a dangling symlink: the file it names is created
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "sub" / "new.md")
    assert cli("estimate", ELMO, "-o", dangling).code == 0
    assert dangling.is_symlink() and (tmp_path / "sub" / "new.md").read_text().strip()


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o664, 0o755])
def test_output_keeps_the_existing_files_mode(cli, tmp_path, mode) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    target.chmod(mode)
    assert cli("estimate", ELMO, "-o", target).code == 0
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert "ELMo" in target.read_text()


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_output_file_follows_the_umask(cli, tmp_path, umask) -> None:
    previous = os.umask(umask)
    try:
        target = tmp_path / "new.txt"
        assert cli("estimate", ELMO, "-o", target).code == 0
        plot = tmp_path / "new.json"
        assert cli("schema", "-o", plot).code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(plot.stat().st_mode) == 0o666 & ~umask


def test_writing_over_an_input_file_is_refused(cli, tmp_path, monkeypatch) -> None:
    experiment = tmp_path / "a.yaml"
    experiment.write_text(ELMO.read_text())
    original = experiment.read_text()
    (tmp_path / "link.yaml").symlink_to("a.yaml")
    os.link(experiment, tmp_path / "hard.yaml")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    cases = [
        ("estimate", experiment, "-o", experiment),
        ("estimate", "../a.yaml", "-o", "./../a.yaml"),  # another spelling
        ("estimate", "../link.yaml", "-o", "../a.yaml"),  # through a symlink
        ("estimate", "../a.yaml", "-o", "../hard.yaml"),  # a hard link: the same inode
        ("compare", "../a.yaml", "--vary", "region=fr,de", "-o", "../link.yaml"),
        ("check", "../a.yaml", "-o", "../a.yaml"),
    ]
    for args in cases:
        result = cli(*args)
        assert result.code == ExitStatus.BAD_INPUT, (args, result.err)
        assert "an input of this command" in result.err and result.err.count("\n") == 1, args
        assert experiment.read_text() == original, args
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "hard.yaml", "link.yaml", "sub"]
    # a different file beside it is fine
    assert cli("estimate", "../a.yaml", "-o", "../b.txt").code == 0


def test_curve_refuses_to_write_over_its_trials(cli, tmp_path) -> None:
    trials = tmp_path / "trials.csv"
    trials.write_text("score,hours\n0.5,1\n0.7,2\n")
    result = cli("curve", trials, "--metric", "score", "--cost", "hours", "-o", trials)
    assert result.code == ExitStatus.BAD_INPUT
    assert "an input of this command" in result.err
    assert trials.read_text() == "score,hours\n0.5,1\n0.7,2\n"


# ----------------------------------------------------------------------------- standard streams


def test_closed_stdout_is_an_output_error(tmp_path) -> None:
    done = greenai("estimate", ELMO, stdout=None, preexec_fn=lambda: os.close(1))
    assert done.returncode == ExitStatus.OUTPUT_ERROR
    assert done.stderr == "error: standard output is closed; write the result with --output FILE\n"
    # with --output the closed stdout does not matter, and nothing lands in the wrong file
    target = tmp_path / "out.txt"
    done = greenai("estimate", ELMO, "-o", target, stdout=None, preexec_fn=lambda: os.close(1))
    assert done.returncode == 0, done.stderr
    assert target.read_text().startswith("Model")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize("command", [["estimate", ELMO], ["regions"], ["schema"]])
def test_a_full_disk_on_stdout_is_an_output_error(command) -> None:
    with open("/dev/full", "w") as full:
        done = greenai(*command, stdout=full)
    assert done.returncode == ExitStatus.OUTPUT_ERROR
    assert done.stderr == "error: standard output: cannot write: No space left on device\n"


def private_full(folder: Path) -> Path:
    """A /dev/full of our own: -o onto it must never risk the machine's."""
    if os.geteuid() != 0:
        pytest.skip("mknod of a character device needs root")
    full = folder / "full"
    os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    return full


def test_a_full_disk_on_output_keeps_the_device(cli, tmp_path) -> None:
    full = private_full(tmp_path)
    result = cli("estimate", ELMO, "-o", full)
    assert result.code == ExitStatus.OUTPUT_ERROR
    assert result.err == f"error: {full}: cannot write: No space left on device\n"
    assert stat.S_ISCHR(full.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["full"]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["estimate", "missing.yaml"], ExitStatus.BAD_INPUT),
        (["estimate", ELMO, "--budget", "co2e=1kg"], ExitStatus.OVER_BUDGET),
        (["estimate", ELMO], ExitStatus.OK),
        (["estimate", "--no-such-option"], ExitStatus.BAD_INPUT),
    ],
)
def test_closed_stderr_keeps_the_exit_status(args, code) -> None:
    done = greenai(*args, stderr=None, preexec_fn=lambda: os.close(2))
    assert done.returncode == code


@pytest.mark.parametrize(
    "command", [["regions"], ["regions", "--help"], ["hardware", "-f", "json"]]
)
def test_a_reader_that_leaves_is_a_quiet_broken_pipe(command) -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before greenai writes: EPIPE on the first write
    try:
        done = greenai(*command, stdout=write)
    finally:
        os.close(write)
    assert done.returncode == ExitStatus.BROKEN_PIPE
    assert done.stderr == ""


def test_head_reads_one_line_and_greenai_exits_quietly() -> None:
    done = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m greenai regions | head -1; exit ${{PIPESTATUS[0]}}'],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.stdout.startswith("key ") and done.stdout.count("\n") == 1
    assert done.stderr == ""
    assert done.returncode in (ExitStatus.OK, ExitStatus.BROKEN_PIPE)  # who won the race


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": "latin-1"}])
def test_a_stdout_that_cannot_show_every_character(tmp_path, env) -> None:
    path = tmp_path / "café.yaml"
    path.write_text(NAMED, encoding="utf-8")
    encoding = env["PYTHONIOENCODING"]
    done = greenai("estimate", path, "--format", "csv", env=env, encoding=encoding)
    assert done.returncode == 0, done.stderr
    no_traceback(done.stderr)
    expected = "Café ✓ run".encode(encoding, "replace").decode(encoding)
    assert f"\n{expected}," in done.stdout
    assert done.stderr.startswith("warning: standard output is ")  # ascii, iso8859-1
    assert "cannot show some characters; they are written as '?'" in done.stderr
    # the same with -o: UTF-8, whole, no warning
    target = tmp_path / "out.csv"
    done = greenai("estimate", path, "--format", "csv", "-o", target, env=env)
    assert done.returncode == 0 and done.stderr == ""
    assert "\nCafé ✓ run," in target.read_text(encoding="utf-8")


def test_a_c_locale_still_prints_names_whole(tmp_path) -> None:
    path = tmp_path / "named.yaml"
    path.write_text(NAMED, encoding="utf-8")
    env = {"LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": ""}
    done = greenai("estimate", path, "--format", "csv", env=env)
    assert done.returncode == 0, done.stderr
    no_traceback(done.stderr)
    assert "Café ✓ run" in done.stdout or "Caf? ? run" in done.stdout


@pytest.mark.parametrize("kind", ["folder", "unwritable", "missing folder"])
def test_an_unwritable_job_summary_keeps_the_verdict(tmp_path, kind) -> None:
    heavy = tmp_path / "heavy.yaml"
    heavy.write_text("hardware: 8 x H100\nhours: 300\nregion: pl\n")
    summary = {
        "folder": tmp_path,
        "unwritable": Path("/proc/version"),  # exists, refuses writes even to root
        "missing folder": tmp_path / "no" / "summary.md",
    }[kind]
    done = greenai(
        "check", heavy, "--format", "github", "--budget", "co2e=1kg",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )  # fmt: skip
    assert done.returncode == ExitStatus.OVER_BUDGET
    no_traceback(done.stderr)
    assert done.stderr.startswith(f"warning: GITHUB_STEP_SUMMARY {summary}: cannot write")
    assert "title=greenai%3A over budget" in done.stdout
    assert "## greenai check" in done.stdout  # printed instead


# ----------------------------------------------------------------------------- signals


STOP_DURING_WRITE = textwrap.dedent(
    """
    import os, signal, sys
    from greenai import cli
    real = os.replace
    def replace(source, target):
        os.kill(os.getpid(), signal.{name})  # arrives while the temporary file exists
        return real(source, target)
    os.replace = replace
    cli.main(sys.argv[1:])
    """
)


@pytest.mark.parametrize(
    ("name", "code"), [("SIGTERM", ExitStatus.TERMINATED), ("SIGHUP", ExitStatus.HANGUP)]
)
def test_a_signal_during_output_leaves_no_temporary_file(tmp_path, name, code) -> None:
    target = tmp_path / "out.md"
    target.write_text("old\n")
    done = subprocess.run(
        [sys.executable, "-c", STOP_DURING_WRITE.format(name=name), "estimate", ELMO,
         "-o", target],
        capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == code
    assert done.stderr == f"stopped by {name}\n"
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]


def test_sigterm_while_waiting_for_input(tmp_path) -> None:
    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)
    writer = os.open(fifo, os.O_RDWR)  # a writer that sends nothing: greenai waits mid-read
    process = subprocess.Popen(
        [sys.executable, "-m", "greenai", "estimate", fifo, "-o", tmp_path / "out.txt"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    wchan = Path(f"/proc/{process.pid}/wchan")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until it blocks reading the pipe (Linux names the wait)
        time.sleep(0.2)
        if wchan.exists() and wchan.read_text().endswith(("pipe_read", "pipe_wait")):
            break
    time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    os.close(writer)
    assert process.returncode == ExitStatus.TERMINATED
    assert err == "stopped by SIGTERM\n" and out == ""
    assert [p.name for p in tmp_path.iterdir()] == ["plan.yaml"]


def test_main_restores_the_callers_signal_handlers(cli) -> None:
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)
    assert cli("estimate", ELMO).code == 0
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)) == before


# ----------------------------------------------------------------------------- check: which files

HYDRA = "defaults:\n  - model: resnet\n  - _self_\ntrainer:\n  max_epochs: 10\n"
MARKED = "# greenai\nhardware: 1 x V100\nhours: 10\nregion: fr\n"


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    (tmp_path / "configs" / "model").mkdir(parents=True)
    (tmp_path / "configs" / "plans").mkdir()
    (tmp_path / "configs" / "model" / "train.yaml").write_text(HYDRA)
    (tmp_path / "configs" / "plans" / "base.yaml").write_text(MARKED)
    (tmp_path / "configs" / "plans" / "starter.yml").write_text(
        (ROOT / "greenai" / "starter.yaml").read_text()
    )
    (tmp_path / "configs" / "plans" / "schema.yaml").write_text(
        "# yaml-language-server: $schema=./greenai.schema.json\n" + MARKED.split("\n", 1)[1]
    )
    (tmp_path / "configs" / "plans" / "unmarked.yaml").write_text(MARKED.split("\n", 1)[1])
    return tmp_path


def test_default_check_skips_hydra_configs(cli, repository, monkeypatch) -> None:
    monkeypatch.chdir(repository)
    result = cli("check", "--format", "json")
    assert result.code == 0, result.err
    assert '"configs/model/train.yaml"' not in result.out
    assert [str(p) for p in find([])] == [
        "configs/plans/base.yaml",
        "configs/plans/schema.yaml",
        "configs/plans/starter.yml",
    ]
    # given explicitly, every file is checked: the Hydra one is invalid
    explicit = cli("check", "configs")
    assert explicit.code == ExitStatus.BAD_INPUT
    assert "configs/model/train.yaml:1: defaults: unknown key" in explicit.err
    globbed = cli("check", "configs/*/*.yaml", "--format", "json")
    assert globbed.code == ExitStatus.BAD_INPUT
    assert '"configs/plans/unmarked.yaml"' in globbed.out


def test_exclude(cli, repository, monkeypatch) -> None:
    monkeypatch.chdir(repository)
    for pattern in ("configs/model", "configs/model/*", "*/train.yaml", "configs/model/"):
        result = cli("check", "configs", "--exclude", pattern)
        assert result.code == 0, (pattern, result.err)
        assert "4 files: 4 within budget" in result.out, pattern
    both = cli("check", "configs", "--exclude", "*/model/*", "--exclude", "*unmarked*")
    assert "3 files: 3 within budget" in both.out
    assert [str(p) for p in find([], exclude=["*/base.yaml"])] == [
        "configs/plans/schema.yaml",
        "configs/plans/starter.yml",
    ]
    everything = cli("check", "configs/model/train.yaml", "--exclude", "configs")
    assert everything.code == ExitStatus.BAD_INPUT
    assert "excluded by --exclude" in everything.err


def test_default_check_says_why_nothing_was_found(cli, tmp_path, monkeypatch) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "train.yaml").write_text(HYDRA)
    monkeypatch.chdir(tmp_path)
    result = cli("check")
    assert result.code == ExitStatus.BAD_INPUT
    assert "1 file match configs/**/*.y*ml" in result.err
    assert "none is marked as a greenai experiment file" in result.err


def test_every_shipped_config_and_the_starter_carry_the_marker() -> None:
    assert all(is_marked(p) for p in CONFIGS.rglob("*.yaml"))
    assert is_marked(ROOT / "greenai" / "starter.yaml")


@pytest.mark.parametrize(
    ("head", "marked"),
    [
        ("# greenai\n", True),
        ("# GreenAI plan\n", True),
        ("\n---\n# priced by greenai\n", True),
        ("# trains the model\n", False),
        ("key: 1\n# greenai\n", False),  # after the first YAML line: not the opening comment
        ("# greenaix\n", False),
    ],
)
def test_the_marker_rule(tmp_path, head, marked) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(head + "hardware: 1 x V100\n")
    assert is_marked(path) is marked
