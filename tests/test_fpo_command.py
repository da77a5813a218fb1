"""`greenai fpo`: PyTorch's own FPO count, checked against models counted by hand."""

from __future__ import annotations

import builtins
import json

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
         "'nope'; it has: Argmax, SelfAttention, TorchAttention, conv, fails, instance, "
         "language_model, mlp, returns_a_string"),
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
