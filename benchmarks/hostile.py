"""How fast greenai refuses hostile files, measured in one run.

    python benchmarks/hostile.py [--repeat 5]

Writes a 10 MB file, a 1,000-level nested file, a "billion laughs" alias bomb and a 250 kB file
(just under the size limit) to a temporary folder, runs `greenai estimate` on each in a fresh
process, and prints the median wall time next to `python -m greenai estimate` on a good file.
The project's promise: each answers (with one error line) in under a second.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOOD = "hardware: 8 x V100\nhours: 10\nregion: fr\n"


def files(folder: Path) -> dict[str, Path]:
    laughs = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    laughs += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    texts = {
        "good file": GOOD,
        "10 MB file": GOOD + "# padding\n" * 1_000_000,
        "1,000-level nesting": GOOD + "fpo: " + "[" * 1_000 + "]" * 1_000 + "\n",
        "billion laughs": GOOD + "\n".join(laughs) + "\n",
        "250 kB of keys": GOOD + "".join(f"k{i}: {i}\n" for i in range(17_000)),
    }
    paths = {}
    for index, (name, text) in enumerate(texts.items()):
        paths[name] = folder / f"case{index}.yaml"
        paths[name].write_text(text)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name, path in files(Path(folder)).items():
            command = [sys.executable, "-m", "greenai", "estimate", str(path)]
            times, done = [], None
            for _ in range(args.repeat):
                start = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True, timeout=60)
                times.append(time.perf_counter() - start)
            assert done is not None
            answer = done.stderr.strip().splitlines()[0][:70] if done.stderr else "priced"
            print(
                f"{name:22s} {statistics.median(times) * 1000:7.0f} ms  exit {done.returncode}  "
                f"{answer}"
            )


if __name__ == "__main__":
    main()
