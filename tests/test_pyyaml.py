"""greenai imports PyYAML with yaml.reader's pattern of non-printable characters written as its
complement (greenai/pyyaml.py: it compiles in a millisecond, not ~25 ms). The two must be the
same set, and PyYAML must still write the pattern the way greenai/pyyaml.py looks for."""

from __future__ import annotations

import re
import subprocess
import sys

import yaml

from greenai import pyyaml

EVERY_CODE_POINT = "".join(map(chr, range(sys.maxunicode + 1)))


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_listed_pattern_matches_the_same_code_points() -> None:
    theirs = re.compile(pyyaml.PYYAML_NON_PRINTABLE).findall(EVERY_CODE_POINT)
    ours = re.compile(pyyaml.NON_PRINTABLE).findall(EVERY_CODE_POINT)
    assert ours == theirs
    # C0 but tab, LF and CR; DEL; C1 but NEL; the surrogates; U+FFFE and U+FFFF
    assert len(ours) == 29 + 1 + 31 + 2048 + 2


def test_pyyaml_writes_the_pattern_greenai_replaces() -> None:
    plain = "import yaml; print(repr(yaml.reader.Reader.NON_PRINTABLE.pattern))"
    assert run(plain) == repr(pyyaml.PYYAML_NON_PRINTABLE)


def test_importing_greenai_gives_pyyaml_the_listed_pattern_and_leaves_re_as_it_was() -> None:
    probe = (
        "import re; compile = re.compile\n"
        "import greenai.experiment, yaml\n"
        "print(yaml.reader.Reader.NON_PRINTABLE.pattern == greenai.pyyaml.NON_PRINTABLE,"
        " re.compile is compile)"
    )
    assert run(probe) == "True True"


def test_the_pure_python_reader_refuses_the_same_character_at_the_same_place() -> None:
    text = "name: ok\nnote: a\x07b\n"
    refused = []
    for pattern in (pyyaml.PYYAML_NON_PRINTABLE, pyyaml.NON_PRINTABLE):
        reader = yaml.reader.Reader("")
        reader.NON_PRINTABLE = re.compile(pattern)
        try:
            reader.check_printable(text)
        except yaml.reader.ReaderError as error:
            refused.append((error.position, error.character, str(error)))
    assert len(refused) == 2 and refused[0] == refused[1]
    assert refused[0][1] == 7
