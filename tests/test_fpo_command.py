"""`greenai fpo`: PyTorch's own FPO count, checked against models counted by hand."""

from __future__ import annotations

import builtins
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests import fpo_models as m
from tests.conftest import ROOT

MODELS = str(ROOT / "tests" / "fpo_models.py")


def counted(cli, factory: str, *args: str) -> dict:
    result = cli("fpo", f"{MODELS}:{factory}", *args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_linear_layers_forward_and_training(cli) -> None:
    forward = 2 * (m.IN * m.HIDDEN + m.HIDDEN * m.OUT)
    found = counted(cli, "mlp", "--input-shape", "4,64")
    assert found["fpo_per_example"] == forward == 5120
    assert found["fpo"] == 4 * forward and found["batch"] == 4
    assert found["by_operator"] == {"aten.addmm": 4 * forward}
    # backward: the weight gradients of both layers and the input gradient of the second
    # (the input itself needs no gradient): 2 I H + 2 H O + 2 H O
    backward = 2 * m.IN * m.HIDDEN + 2 * 2 * m.HIDDEN * m.OUT
    trained = counted(cli, "mlp", "--input-shape", "4,64", "--training")
    assert trained["fpo_per_example"] == forward + backward == 11264
    assert trained["pass"] == "forward+backward"


def test_convolution(cli) -> None:
    forward = 2 * m.FILTERS * m.SIDE**2 * m.CHANNELS * m.KERNEL**2
    found = counted(cli, "conv", "--input-shape", "2,3,32,32")
    assert found["fpo_per_example"] == forward == 442_368
    trained = counted(cli, "conv", "--input-shape", "2,3,32,32", "--training")
    assert trained["fpo_per_example"] == 2 * forward  # + the weight gradient, same size


@pytest.mark.parametrize("factory", ["SelfAttention", "TorchAttention"])
def test_attention_is_counted_on_a_cpu(cli, factory: str) -> None:
    length, width = m.LENGTH, m.WIDTH
    per_sequence = 8 * length * width**2 + 4 * length**2 * width  # projections + QK^T and AV
    found = counted(cli, factory, "--input-shape", f"3,{length},{width}")
    assert found["fpo_per_example"] == per_sequence == 26_880
    assert found["by_operator"]["aten.bmm"] == 3 * 4 * length**2 * width


def test_token_ids_as_input(cli) -> None:
    found = counted(cli, "language_model", "--input-shape", "2,10", "--input-dtype", "int64")
    assert found["fpo_per_example"] == 10 * 2 * m.WIDTH * m.VOCAB  # per sequence of 10 tokens


def test_an_instance_works_like_a_factory(cli) -> None:
    assert counted(cli, "instance", "--input-shape", "1,64")["fpo"] == 5120


def test_the_yaml_block_prices_as_an_experiment(cli, tmp_path) -> None:
    result = cli("fpo", f"{MODELS}:mlp", "--input-shape", "4,64", "--training",
                 "--examples", "1.2e9", "--format", "yaml")  # fmt: skip
    assert result.code == 0, result.err
    assert "  per_example: 11264 FLOP\n  examples: 1200000000\n" in result.out
    path = tmp_path / "exp.yaml"
    path.write_text("hardware: 1 x A100\nregion: fr\n" + result.out, encoding="utf-8")
    (row,) = json.loads(cli("estimate", path, "--format", "json").out)
    assert row["fpo"] == 11264 * 1.2e9
    assert row["hours"] == pytest.approx(11264 * 1.2e9 / (312e12 * 0.4) / 3600)
    assert yaml.safe_load(result.out)["fpo"]["per_example"] == "11264 FLOP"


def test_the_table_says_how_it_counted(cli) -> None:
    result = cli("fpo", f"{MODELS}:conv", "--input-shape", "2,3,32,32")
    assert result.code == 0, result.err
    assert result.out.startswith(f"FPO of {MODELS}:conv (forward, batch of 2):")
    assert "aten.convolution" in result.out and "885 kFLOP" in result.out
    assert "Per example:    442 kFLOP" in result.out
    assert "  per_example: 442368 FLOP\n  # examples: N" in result.out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([f"{MODELS}:nope", "--input-shape", "1,64"], f"error: {MODELS}:nope: {MODELS} has no "
         "'nope'; it has: Argmax, ExitsInForward, SelfAttention, Stop, TorchAttention, conv, "
         "exits, exits_with_3, exits_with_a_message, fails, gets_ctrl_c, instance, interrupts, "
         "language_model, mlp, noisy, normalized, only_relu, raises_a_base_exception, "
         "returns_a_string"),
        ([f"{MODELS}:mpl", "--input-shape", "1,64"], "has no 'mpl'; did you mean 'mlp'? it has:"),
        (["missing.py:mlp", "--input-shape", "1,64"], "error: missing.py:mlp: no such file: "
         "missing.py"),
        (["no_such_module:mlp", "--input-shape", "1,64"], "error: no_such_module:mlp: cannot "
         "import no_such_module:mlp: No module named 'no_such_module'"),
        ([MODELS, "--input-shape", "1,64"], "error: expected MODULE:FACTORY"),
        ([f"{MODELS}:mlp", "--input-shape", "1,a"], "error: --input-shape: expected a shape of "
         "whole numbers such as 1,3,224,224, got '1,a'"),
        ([f"{MODELS}:mlp", "--input-shape", "1,0"], "error: --input-shape: expected every "
         "dimension to be 1 or more, got '1,0'"),
        ([f"{MODELS}:mlp", "--input-shape", "1,65"], "error: --input-shape: running "
         f"{MODELS}:mlp on input 1,65 (float32) failed: RuntimeError: mat1 and mat2 shapes "
         "cannot be multiplied (1x65 and 64x32)"),
        ([f"{MODELS}:not_a_model", "--input-shape", "1,64"], f"error: {MODELS}:not_a_model: "
         f"{MODELS}:not_a_model is a int, not a model or a function that builds one"),
        ([f"{MODELS}:returns_a_string", "--input-shape", "1,64"], "returned a str, not a "
         "torch.nn.Module"),
        ([f"{MODELS}:fails", "--input-shape", "1,64"], f"calling {MODELS}:fails() failed: "
         "ValueError: no weights here"),
        ([f"{MODELS}:Argmax", "--input-shape", "1,64", "--training"], "returned no "
         "floating-point tensor with gradients to run backward from (--training)"),
        ([f"{MODELS}:mlp", "--input-shape", "1,64", "--input-dtype", "int8"], "error: "
         "--input-dtype: expected one of float32, float16, bfloat16, int64, got 'int8'"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line(cli, args: list[str], expected: str) -> None:
    result = cli("fpo", *args)
    assert result.code == 2 and result.out == ""
    (line,) = result.err.splitlines()
    assert line.startswith("error: ") and expected in line, line


def test_without_torch_it_says_how_to_install_it(cli, monkeypatch) -> None:
    real = builtins.__import__

    def no_torch(name: str, *args, **kwargs):
        if name == "torch" or name.startswith("torch."):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    result = cli("fpo", f"{MODELS}:mlp", "--input-shape", "1,64")
    assert result.code == 2 and result.out == ""
    assert result.err == (
        "error: greenai fpo needs PyTorch, which is not installed; install it with: "
        "pip install 'greenai-cost[torch]'\n"
    )


# ----------------------------------------------------------------------------- what code runs

SHADOWS = {  # a checkout whose modules would stand in for the standard library and rich
    "socketserver.py": "raise RuntimeError('shadow: the checkout socketserver.py ran')\n",
    "rich/__init__.py": "raise RuntimeError('shadow: the checkout rich/ ran')\n",
    "typing_extensions.py": "raise RuntimeError('shadow: the checkout typing_extensions ran')\n",
    "tests/__init__.py": "raise RuntimeError('shadow: the checkout tests/ ran')\n",
}


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    folder = tmp_path / "checkout"
    for name, text in SHADOWS.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    shutil.copy(MODELS, folder / "models.py")
    return folder


def run_from(folder: Path, *args: str, via: list[str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONSAFEPATH", None)
    command = [sys.executable, *(via or ["-m", "greenai"]), *args]
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip


@pytest.mark.parametrize(
    ("target", "form"),
    [("tests.fpo_models:mlp", "table"), ("./models.py:mlp", "json")],
)  # fmt: skip
def test_the_current_folder_does_not_shadow_installed_modules(
    checkout: Path, target: str, form: str
) -> None:
    done = run_from(checkout, "fpo", target, "--input-shape", "4,64", "--format", form)
    assert done.returncode == 0 and "shadow" not in done.stderr, done.stderr
    assert (
        "5.12 kFLOP" in done.stdout
        if form == "table"
        else json.loads(done.stdout)["fpo"] == 4 * 5120
    )


def test_a_console_script_does_not_add_the_current_folder(checkout: Path, tmp_path: Path) -> None:
    # the `greenai` command puts its own folder first on sys.path, not the current one
    script = tmp_path / "bin" / "greenai_script.py"
    script.parent.mkdir()
    script.write_text("from greenai.cli import main\nmain()\n", encoding="utf-8")
    done = run_from(checkout, "fpo", "tests.fpo_models:conv", "--input-shape", "2,3,32,32",
                    via=[str(script)])  # fmt: skip
    assert done.returncode == 0 and "shadow" not in done.stderr, done.stderr
    assert "Per example:    442 kFLOP" in done.stdout


def test_a_local_module_is_not_imported_by_dotted_name(checkout: Path) -> None:
    done = run_from(checkout, "fpo", "models:mlp", "--input-shape", "1,64")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "error: models:mlp: cannot import models:mlp: No module named 'models'; greenai fpo "
        "imports a dotted name only from the installed packages and PYTHONPATH, not from the "
        "current folder: give a path (models.py:build) or set PYTHONPATH\n"
    )


def test_sys_path_is_left_as_it_was(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # a folder that is not on sys.path already
    before = list(sys.path)
    assert cli("fpo", "tests.fpo_models:mlp", "--input-shape", "1,64").code == 0
    assert cli("fpo", f"{MODELS}:conv", "--input-shape", "1,3,32,32").code == 0
    assert sys.path == before


def test_files_of_the_same_name_are_separate_modules(cli, tmp_path: Path) -> None:
    for width in (8, 24):
        folder = tmp_path / f"w{width}"
        folder.mkdir()
        (folder / "models.py").write_text(
            f"from torch import nn\n\ndef build():\n    return nn.Linear({width}, 2)\n",
            encoding="utf-8",
        )
    names = set()
    for width in (8, 24):
        result = cli("fpo", f"{tmp_path}/w{width}/models.py:build", "--input-shape", f"1,{width}",
                     "--format", "json")  # fmt: skip
        assert result.code == 0, result.err
        assert json.loads(result.out)["fpo"] == 2 * width * 2
        path = str(tmp_path / f"w{width}" / "models.py")
        (module,) = (m for m in sys.modules.values() if getattr(m, "__file__", None) == path)
        names.add(module.__name__)
    assert len(names) == 2 and all(name.startswith("_greenai_fpo_models_") for name in names)


def test_a_file_does_not_see_its_siblings(cli, tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("WIDTH = 8\n", encoding="utf-8")
    model = tmp_path / "model.py"
    model.write_text("from helper import WIDTH\n", encoding="utf-8")
    result = cli("fpo", f"{model}:build", "--input-shape", "1,8")
    assert result.code == 2 and result.out == ""
    assert result.err == (
        f"error: {model}:build: cannot import {model}:build: No module named 'helper' (greenai "
        f"fpo does not put {tmp_path} on sys.path; set PYTHONPATH to the folder a sibling "
        "module is in)\n"
    )


@pytest.mark.parametrize(
    ("factory", "expected"),
    [
        ("exits", "calling {t}() failed: it called sys.exit(0); greenai fpo needs it to return a "
         "model"),
        ("exits_with_3", "calling {t}() failed: it called sys.exit(3); greenai fpo"),
        ("exits_with_a_message", "calling {t}() failed: it called sys.exit('no GPU, giving "
         "up'); greenai fpo needs it to return a model"),
        ("interrupts", "calling {t}() failed: it raised KeyboardInterrupt"),
        ("raises_a_base_exception", "calling {t}() failed: Stop: stop here"),
    ],
)  # fmt: skip
def test_a_factory_that_exits_does_not_choose_the_exit_status(
    cli, factory: str, expected: str
) -> None:
    target = f"{MODELS}:{factory}"
    result = cli("fpo", target, "--input-shape", "1,64")
    assert result.code == 2 and result.out == ""
    (line,) = result.err.splitlines()
    assert line.startswith(f"error: {target}: {expected.format(t=target)}"), line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("import sys\nsys.exit(0)\n", "importing {t} failed: it called sys.exit(0)"),
        ("raise SystemExit(4)\n", "importing {t} failed: it called sys.exit(4)"),
        ("raise KeyboardInterrupt\n", "importing {t} failed: it raised KeyboardInterrupt"),
        ("raise GeneratorExit('x')\n", "importing {t} failed: GeneratorExit: x"),
    ],
)  # fmt: skip
def test_a_module_that_exits_while_imported(cli, tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "model.py"
    path.write_text(text, encoding="utf-8")
    target = f"{path}:build"
    result = cli("fpo", target, "--input-shape", "1,64")
    assert result.code == 2 and result.out == ""
    assert result.err.startswith(f"error: {target}: {expected.format(t=target)}"), result.err
    assert len(result.err.splitlines()) == 1


def test_a_model_that_exits_while_running(cli) -> None:
    result = cli("fpo", f"{MODELS}:ExitsInForward", "--input-shape", "1,64")
    assert result.code == 2 and result.out == ""
    assert result.err == (f"error: --input-shape: running {MODELS}:ExitsInForward on input 1,64 "
                          "(float32) failed: it called sys.exit(0); greenai fpo needs it to "
                          "return a model\n")  # fmt: skip


@pytest.mark.parametrize(
    ("factory", "args"),
    [("only_relu", ["--input-shape", "2,64"]), ("normalized", ["--input-shape", "2,64"]),
     ("normalized", ["--input-shape", "2,64", "--training"])],
)  # fmt: skip
def test_a_model_with_no_counted_flop(cli, factory: str, args: list[str]) -> None:
    target = f"{MODELS}:{factory}"
    result = cli("fpo", target, *args)
    assert result.code == 2 and result.out == ""
    assert result.err == (
        f"error: {target}: PyTorch counted no floating-point operations in {target}: its "
        "counter counts matrix products, convolutions and attention, not elementwise layers "
        "such as ReLU or normalization, so there is no FPO to price\n"
    )


def test_the_models_prints_go_to_stderr(cli) -> None:
    result = cli("fpo", f"{MODELS}:noisy", "--input-shape", "1,64", "--format", "json")
    assert result.code == 0
    assert json.loads(result.out)["fpo"] == 5120
    assert result.err == "loading weights from nowhere\n"


@pytest.mark.parametrize("folder", ["models[v2]", "[bold]x", "[link=x]y"])
def test_a_path_with_brackets_is_shown_as_given(cli, tmp_path: Path, folder: str) -> None:
    path = tmp_path / folder / "m.py"
    path.parent.mkdir()
    shutil.copy(MODELS, path)
    result = cli("fpo", f"{path}:mlp", "--input-shape", "1,64")
    assert result.code == 0, result.err
    assert result.out.startswith(f"FPO of {path}:mlp (forward, batch of 1):\n")


def test_a_real_ctrl_c_still_interrupts(cli) -> None:
    result = cli("fpo", f"{MODELS}:gets_ctrl_c", "--input-shape", "1,64")
    assert result.code == 130 and result.out == ""  # greenai's own "Interrupted.", not an error
    assert "error" not in result.err
