"""Count a PyTorch model's FPO with PyTorch's own counter (`torch.utils.flop_counter`).

Green AI asks for the FPO of a result; for a model at hand the cheapest honest figure is the one
PyTorch counts while running it once on a dummy batch. Two settings make the count complete on a
CPU: attention runs through the "math" kernel of scaled_dot_product_attention (the fused CPU
kernel is not counted by FlopCounterMode), and the forward pass runs with autograd on (so that
nn.MultiheadAttention does not take its fused inference path, which is not counted either).
The counter counts a multiply-add as 2 FLOP, as greenai does. torch is an optional extra and is
imported only here, only when asked.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import importlib
import importlib.util
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from greenai.errors import GreenAIError, InputError, MissingExtraError

INPUT_DTYPES = ("float32", "float16", "bfloat16", "int64")
_SHAPE = re.compile(r"^\s*\d+(\s*[,x×]\s*\d+)*\s*$")


@dataclass(frozen=True, slots=True)
class Count:
    """FPO of one pass over a batch (forward, or forward + backward when training)."""

    target: str
    shapes: tuple[tuple[int, ...], ...]
    training: bool
    total: float  # FLOP for the whole batch
    by_operator: dict[str, float] = field(default_factory=dict)
    torch_version: str = ""

    @property
    def batch(self) -> int:
        """The first dimension of the first input: the examples in the batch."""
        return self.shapes[0][0] if self.shapes and self.shapes[0] else 1

    @property
    def per_example(self) -> float:
        return self.total / self.batch

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "input_shapes": [list(s) for s in self.shapes],
            "batch": self.batch,
            "pass": "forward+backward" if self.training else "forward",
            "fpo": self.total,
            "fpo_per_example": self.per_example,
            "by_operator": dict(self.by_operator),
            "counter": f"torch {self.torch_version} torch.utils.flop_counter.FlopCounterMode",
        }


def parse_shape(text: str) -> tuple[int, ...]:
    """'1,3,224,224' (or '1x3x224x224') -> (1, 3, 224, 224); every dimension at least 1."""
    if not _SHAPE.match(text):
        raise InputError(
            f"expected a shape of whole numbers such as 1,3,224,224, got {text!r}",
            key="--input-shape",
        )
    shape = tuple(int(part) for part in re.split(r"[,x×]", text))
    if any(d < 1 for d in shape):
        raise InputError(
            f"expected every dimension to be 1 or more, got {text!r}", key="--input-shape"
        )
    if _product(shape) > 1 << 31:
        raise InputError(
            f"{text!r} has {_product(shape):,} elements; count a smaller batch (FPO scale with it)",
            key="--input-shape",
        )
    return shape


def _product(shape: Sequence[int]) -> int:
    result = 1
    for d in shape:
        result *= d
    return result


def load_target(target: str) -> Callable[[], Any]:
    """MODULE:FACTORY, where MODULE is a dotted module name (imported as Python imports it,
    from the installed packages and PYTHONPATH; greenai adds nothing to sys.path) or a path to a
    .py file (run as a module of its own; its folder is not put on sys.path), and FACTORY an
    attribute of it: a function or class that builds the model with no arguments, or a model
    instance. Importing runs the module's code: it is the user's code, run on their behalf."""
    module_name, sep, attribute = target.rpartition(":")
    if not sep or not module_name or not attribute:
        raise InputError(
            f"expected MODULE:FACTORY (e.g. mypkg.models:build or models.py:build), got {target!r}"
        )
    module = _import(module_name, target)
    found: Any = module
    for part in attribute.split("."):
        if not hasattr(found, part):
            names = sorted(
                n for n in dir(found) if not n.startswith("_") and callable(getattr(found, n))
            )
            near = difflib.get_close_matches(part, names, n=1, cutoff=0.6)
            hint = f"did you mean {near[0]!r}? " if near else ""
            raise InputError(
                f"{module_name} has no {attribute!r}; {hint}it has: "
                f"{', '.join(names[:20]) or 'nothing callable'}",
                where=target,
            )
        found = getattr(found, part)
    return found


def is_path(name: str) -> bool:
    """A file to run rather than a module to import: it ends in .py or names a folder."""
    return name.endswith(".py") or "/" in name or (os.sep != "/" and os.sep in name)


def _import(name: str, target: str) -> Any:
    if is_path(name):
        return _import_file(Path(name), target)
    # The dotted name is imported as is: the current folder is not put first on sys.path, so
    # a ./socketserver.py or ./rich/ in a checkout cannot stand in for the standard library or
    # greenai's own dependencies.
    try:
        with _user_code(f"importing {target}", target, passing=(ModuleNotFoundError,)):
            return importlib.import_module(name)
    except ModuleNotFoundError as error:
        hint = ""
        if error.name and name.split(".")[0] == error.name.split(".")[0]:
            hint = (
                "; greenai fpo imports a dotted name only from the installed packages and "
                "PYTHONPATH, not from the current folder: give a path (models.py:build) or set "
                "PYTHONPATH"
            )
        raise InputError(f"cannot import {target}: {error}{hint}", where=target) from None


def _import_file(path: Path, target: str) -> Any:
    """Run a .py file as a module named after its resolved path (two models.py files in two
    folders stay two modules), registered in sys.modules while it runs (dataclasses need it)."""
    if not path.is_file():
        raise InputError(f"no such file: {path}", where=target)
    resolved = path.resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    stem = re.sub(r"\W", "_", resolved.stem)
    spec = importlib.util.spec_from_file_location(f"_greenai_fpo_{stem}_{digest}", resolved)
    if spec is None or spec.loader is None:
        raise InputError(f"cannot load {path} as a Python module", where=target)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        with _user_code(f"importing {target}", target, passing=(ModuleNotFoundError,)):
            spec.loader.exec_module(module)
    except ModuleNotFoundError as error:
        sys.modules.pop(spec.name, None)
        raise InputError(
            f"cannot import {target}: {error} (greenai fpo does not put {path.parent} on "
            "sys.path; set PYTHONPATH to the folder a sibling module is in)",
            where=target,
        ) from None
    except BaseException:
        sys.modules.pop(spec.name, None)
        raise
    return module


@contextmanager
def _user_code(
    doing: str, where: str = "", key: str = "", passing: tuple[type[BaseException], ...] = ()
) -> Iterator[None]:
    """Run the user's module, factory or model: whatever it raises becomes one InputError.

    SystemExit too (a module that calls sys.exit() must not choose greenai's exit status), and
    KeyboardInterrupt unless a real Ctrl-C arrived meanwhile. Its prints go to stderr, so that
    they cannot corrupt the JSON or YAML on stdout. os._exit() cannot be caught: it ends the
    process with the status it is given. `passing`: exceptions the caller words itself.
    """
    interrupted: list[int] = []
    previous = signal.getsignal(signal.SIGINT)

    def on_interrupt(signum: int, frame: Any) -> None:
        interrupted.append(signum)
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGINT, on_interrupt)
        installed = True
    except ValueError:  # not the main thread: no handler, and any KeyboardInterrupt is real
        installed = False
        interrupted.append(0)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    except (GreenAIError, *passing):
        raise
    except KeyboardInterrupt:
        if interrupted:
            raise
        raise InputError(f"{doing} failed: it raised KeyboardInterrupt", where=where,
                         key=key) from None  # fmt: skip
    except SystemExit as error:
        raise InputError(
            f"{doing} failed: it called sys.exit({error.code!r}); greenai fpo needs it to "
            "return a model",
            where=where,
            key=key,
        ) from None
    except BaseException as error:
        raise InputError(
            f"{doing} failed: {type(error).__name__}: {_first_line(error)}", where=where, key=key
        ) from None
    finally:
        if installed:
            signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


def torch_module() -> Any:
    try:
        import torch
    except ImportError:
        raise MissingExtraError(
            "greenai fpo needs PyTorch, which is not installed; install it with: "
            "pip install 'greenai-cost[torch]'"
        ) from None
    return torch


def count(
    target: str,
    shapes: Sequence[tuple[int, ...]],
    training: bool = False,
    dtype: str = "float32",
) -> Count:
    """The FPO PyTorch counts for one pass of the model built by `target` over dummy inputs."""
    torch = torch_module()
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    if dtype not in INPUT_DTYPES:
        raise InputError(
            f"expected one of {', '.join(INPUT_DTYPES)}, got {dtype!r}", key="--input-dtype"
        )
    if not shapes:
        raise InputError("give at least one --input-shape, e.g. 1,3,224,224", key="--input-shape")
    factory = load_target(target)
    model = _build(factory, target, torch)
    inputs = [
        torch.zeros(shape, dtype=torch.int64)
        if dtype == "int64"
        else torch.randn(shape, dtype=getattr(torch, dtype))
        for shape in shapes
    ]
    model.train(training)
    counter = FlopCounterMode(display=False)
    shown = " and ".join(",".join(map(str, s)) for s in shapes)
    with (
        _user_code(f"running {target} on input {shown} ({dtype})", key="--input-shape"),
        sdpa_kernel(SDPBackend.MATH),
        counter,
    ):
        output = model(*inputs)
        if training:
            _scalar(output, target, torch).backward()
    # "Global" is missing when nothing was counted
    counts = counter.get_flop_counts().get("Global", {})
    by_operator = {str(op): float(n) for op, n in counts.items() if n}
    if not by_operator:
        raise InputError(
            f"PyTorch counted no floating-point operations in {target}: its counter counts "
            "matrix products, convolutions and attention, not elementwise layers such as ReLU "
            "or normalization, so there is no FPO to price",
            where=target,
        )
    return Count(
        target=target,
        shapes=tuple(tuple(s) for s in shapes),
        training=training,
        total=float(counter.get_total_flops()),
        by_operator=dict(sorted(by_operator.items(), key=lambda item: -item[1])),
        torch_version=str(torch.__version__),
    )


def _build(factory: Any, target: str, torch: Any) -> Any:
    model = factory
    if not isinstance(factory, torch.nn.Module):
        if not callable(factory):
            raise InputError(
                f"{target} is a {type(factory).__name__}, not a model or a function that builds "
                "one",
                where=target,
            )
        with _user_code(f"calling {target}()", target):
            model = factory()
    if not isinstance(model, torch.nn.Module):
        raise InputError(
            f"{target}() returned a {type(model).__name__}, not a torch.nn.Module", where=target
        )
    return model


def _scalar(output: Any, target: str, torch: Any) -> Any:
    """A scalar to backpropagate from: the sum of the first floating-point tensor output."""
    stack = [output]
    while stack:
        item = stack.pop(0)
        if isinstance(item, torch.Tensor) and item.is_floating_point() and item.requires_grad:
            return item.sum()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif hasattr(item, "__dataclass_fields__"):
            stack.extend(getattr(item, name) for name in item.__dataclass_fields__)
    raise InputError(
        f"{target} returned no floating-point tensor with gradients to run backward from "
        "(--training)",
        where=target,
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else ""
