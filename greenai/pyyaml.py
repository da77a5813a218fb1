"""PyYAML, imported without building the one pattern that cost a single estimate ~25 ms.

Importing `yaml` compiles `yaml.reader.Reader.NON_PRINTABLE`, the characters YAML does not
allow, written as a negated class whose ranges reach U+10FFFF. Python's `re` fills such a class
one code point at a time: some 60 million instructions, two thirds of what importing PyYAML costs
and more than any module of greenai's own (benchmarks/startup.py). Only PyYAML's pure-Python
reader uses the pattern; greenai reads with libyaml (CSafeLoader) wherever PyYAML has it.

So `yaml` is imported here with `re.compile` handing back, for that one pattern, the same class
written as its complement, which compiles in a millisecond; the pure-Python reader, where it
runs, finds the same characters at the same places (tests/test_pyyaml.py checks every code
point). `re.compile` is itself again before this module's import ends, and a `yaml` imported
earlier is used as it is. Every other module imports `yaml` from here (`from greenai.pyyaml
import yaml`) or after it.
"""

from __future__ import annotations

import re
import sys

__all__ = ["yaml"]

# Reader.NON_PRINTABLE as PyYAML (6.0) writes it, and the code points it matches, listed.
PYYAML_NON_PRINTABLE = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
NON_PRINTABLE = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"

_compile = re.compile


def _listed(pattern: str | bytes, flags: int = 0) -> re.Pattern:  # type: ignore[type-arg]
    if pattern == PYYAML_NON_PRINTABLE and not flags:
        pattern = NON_PRINTABLE
    return _compile(pattern, flags)


if "yaml" not in sys.modules:
    re.compile = _listed  # type: ignore[assignment]
try:
    import yaml
finally:
    re.compile = _compile
