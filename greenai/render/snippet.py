"""Text to paste into an experiment file: the `fpo:` block that `greenai fpo` counted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from greenai.render import escape
from greenai.render.numbers import flop_value

if TYPE_CHECKING:
    from greenai.flops import Count


def fpo_block(count: Count, examples: float | None, command: str) -> str:
    """The `fpo:` block of an experiment file, ready to paste (the command as a comment)."""
    what = "forward + backward" if count.training else "forward"
    lines = [
        f"# {escape.terminal(command)}",
        f"# counted by PyTorch {count.torch_version} (FlopCounterMode), {what} pass, "
        f"batch of {count.batch}",
        "fpo:",
        f"  per_example: {flop_value(count.per_example)}",
    ]
    if examples is not None:
        lines.append(f"  examples: {examples:.10g}")
    else:
        lines.append("  # examples: N  (examples per run; needed with per_example)")
    return "\n".join(lines) + "\n"
