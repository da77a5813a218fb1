"""Small PyTorch models whose FPO is known in closed form, for `greenai fpo` tests."""

from __future__ import annotations

import os
import signal
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

# one multiply-add = 2 FLOP throughout
IN, HIDDEN, OUT = 64, 32, 16
CHANNELS, FILTERS, SIDE, KERNEL = 3, 8, 32, 3
LENGTH, WIDTH, HEADS = 10, 16, 2
VOCAB = 100


def mlp() -> nn.Module:
    """Forward: 2 (IN HIDDEN + HIDDEN OUT) per example."""
    return nn.Sequential(nn.Linear(IN, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, OUT))


def conv() -> nn.Module:
    """Forward: 2 FILTERS SIDE^2 CHANNELS KERNEL^2 per example (padding keeps the side)."""
    return nn.Conv2d(CHANNELS, FILTERS, KERNEL, padding=1)


class SelfAttention(nn.Module):
    """One attention layer: q, k, v and output projections (8 L E^2) and the two batched
    products QK^T and AV (4 L^2 E), per sequence."""

    def __init__(self) -> None:
        super().__init__()
        self.qkv = nn.Linear(WIDTH, 3 * WIDTH)
        self.out = nn.Linear(WIDTH, WIDTH)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, width = x.shape
        q, k, v = (
            t.view(batch, length, HEADS, width // HEADS).transpose(1, 2)
            for t in self.qkv(x).chunk(3, dim=-1)
        )
        y = F.scaled_dot_product_attention(q, k, v)
        return self.out(y.transpose(1, 2).reshape(batch, length, width))


class TorchAttention(nn.Module):
    """The same FPO through nn.MultiheadAttention."""

    def __init__(self) -> None:
        super().__init__()
        self.attention = nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.attention(x, x, x)[0]


def language_model() -> nn.Module:
    """Token ids in: an embedding lookup (no FLOP) and an output projection, 2 WIDTH VOCAB per
    token."""
    return nn.Sequential(nn.Embedding(VOCAB, WIDTH), nn.Linear(WIDTH, VOCAB))


instance = mlp()
not_a_model = 42


def returns_a_string() -> str:
    return "model"


def fails() -> nn.Module:
    raise ValueError("no weights here")


class Argmax(nn.Module):
    """Returns class ids: nothing to run backward from."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(IN, OUT)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).argmax(dim=-1)


# Models and factories that misbehave, for the error paths


def only_relu() -> nn.Module:
    """Elementwise only: PyTorch's counter counts no FLOP here."""
    return nn.ReLU()


def normalized() -> nn.Module:
    return nn.Sequential(nn.LayerNorm(IN), nn.ReLU(), nn.Dropout(0.1))


def exits() -> nn.Module:
    sys.exit(0)


def exits_with_3() -> nn.Module:
    sys.exit(3)


def exits_with_a_message() -> nn.Module:
    sys.exit("no GPU, giving up")


def interrupts() -> nn.Module:
    raise KeyboardInterrupt


class Stop(BaseException):
    """Not an Exception: caught only by code that catches everything."""


def raises_a_base_exception() -> nn.Module:
    raise Stop("stop here")


class ExitsInForward(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        sys.exit(0)


def noisy() -> nn.Module:
    print("loading weights from nowhere")  # must not end up in the JSON on stdout
    return mlp()


def gets_ctrl_c() -> nn.Module:
    """A real Ctrl-C while the factory runs (SIGINT sent to this process)."""
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(5)  # the signal arrives before this ends
    return mlp()
