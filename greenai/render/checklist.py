"""Answers to the compute questions of the NeurIPS paper checklist and the ACL checklist.

The questions are quoted word for word:

- NeurIPS Paper Checklist, item 8, "Experiments compute resources"
  (https://neurips.cc/public/guides/PaperChecklist; the same text is in the checklist of the
  NeurIPS LaTeX template and of the papers that answer it, read through search 2026-12-02):
  "For each experiment, does the paper provide sufficient information on the computer resources
  (type of compute workers, memory, time of execution) needed to reproduce the experiments?"
  Its guidelines ask for the type of compute workers ("CPU or GPU, internal cluster, or cloud
  provider, including relevant memory and storage"), "the amount of compute required for each
  of the individual experimental runs as well as estimate the total compute", and whether the
  project used more compute than the experiments reported.
- ACL Responsible NLP Research checklist (ACL Rolling Review,
  https://aclrollingreview.org/responsibleNLPresearch/; the checklist's text, e.g. arXiv
  2308.06385, read through search 2026-12-02), C1: "Did you report the number of parameters in
  the models used, the total computational budget (e.g., GPU hours), and computing
  infrastructure used?"

The answers come from the experiment files and the estimate; what a file does not determine is
said to be "not given in the file", never guessed. Text from files is escaped for Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence

from greenai.estimate import Estimate, total
from greenai.render import escape
from greenai.render.model_card import hardware_words
from greenai.render.numbers import count, flop, hours, number
from greenai.render.sheet import PER_WORDS, sci_notes

NOT_GIVEN = "not given in the file"
NEURIPS_URL = "https://neurips.cc/public/guides/PaperChecklist"
NEURIPS_QUESTION = (
    "For each experiment, does the paper provide sufficient information on the computer "
    "resources (type of compute workers, memory, time of execution) needed to reproduce the "
    "experiments?"
)
NEURIPS_TOTAL = (
    "The paper should provide the amount of compute required for each of the individual "
    "experimental runs as well as estimate the total compute."
)
NEURIPS_MORE = (
    "The paper should disclose whether the full research project required more compute than "
    "the experiments reported in the paper (e.g., preliminary or failed experiments that didn't "
    "make it into the paper)."
)
ACL_URL = "https://aclrollingreview.org/responsibleNLPresearch/"
ACL_QUESTION = (
    "C1. Did you report the number of parameters in the models used, the total computational "
    "budget (e.g., GPU hours), and computing infrastructure used?"
)


def workers(estimate: Estimate) -> str:
    """The hardware, and where it ran (cloud region or grid) when the file says."""
    where = estimate.region
    place = f", {where}" if where else ", location " + NOT_GIVEN
    return f"{hardware_words(estimate)}{place}"


def memory(estimate: Estimate) -> str:
    """Host memory as the file gives it (a `memory:` key priced as memory power)."""
    for item in estimate.assumptions:
        if item.what == "memory power":
            return "host " + item.value.split(" x ")[0]
    return f"host memory {NOT_GIVEN}; device memory: that of the hardware named"


def time(estimate: Estimate) -> str:
    f = estimate.total
    derived = estimate.work is not None and estimate.work.hours_derived
    said = []
    if f.hours is not None:
        per_run = estimate.per_run.hours
        runs = f" ({hours(per_run)} h x {estimate.runs} runs)" if estimate.runs != 1 else ""
        said.append(
            f"{hours(f.hours)} h wall-clock{runs}"
            + (" (derived from the FPO at peak FLOP/s x MFU)" if derived else "")
        )
    else:
        said.append(f"wall-clock {NOT_GIVEN}")
    if f.device_hours is not None:
        said.append(f"{number(f.device_hours)} device-hours")
    return "; ".join(said)


def compute(estimate: Estimate) -> str:
    f = estimate.total
    fpo = f"{flop(f.fpo)} ({f.fpo:.3g} FLOP)" if f.fpo is not None else f"FPO {NOT_GIVEN}"
    return f"{fpo}; {number(f.energy_kwh)} kWh (PUE {estimate.pue:.3g})"


def parameters(estimate: Estimate) -> str:
    return count(estimate.parameters) if estimate.parameters is not None else NOT_GIVEN


def budget(estimate: Estimate) -> str:
    f = estimate.total
    gpu = f"{number(f.device_hours)} device-hours" if f.device_hours is not None else None
    parts = [gpu or f"device-hours {NOT_GIVEN}"]
    if f.fpo is not None:
        parts.append(f"{f.fpo:.3g} FLOP")
    parts.append(f"{number(f.energy_kwh)} kWh")
    return "; ".join(parts)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(escape.markdown(c) for c in cells) + " |"


def estimates(items: Sequence[Estimate]) -> str:
    from greenai import __version__

    md = escape.markdown
    lines = [
        f"<!-- greenai {__version__}: paper checklist answers on compute -->",
        "",
        "## NeurIPS Paper Checklist, 8. Experiments compute resources",
        "",
        f"> Question: {NEURIPS_QUESTION}",
        "",
        f"Source: {NEURIPS_URL}",
        "",
        "| Experiment | Type of compute workers | Memory | Time of execution | Compute |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [_row([e.name, workers(e), memory(e), time(e), compute(e)]) for e in items]
    if len(items) > 1:
        summed = total(items)
        fpo = (
            flop(summed.fpo) if summed.fpo is not None else "FPO unknown (not every file gives it)"
        )
        lines += [
            "",
            f"Total compute of these experiments: {fpo}; {number(summed.energy_kwh)} kWh; "
            + (
                f"{number(summed.device_hours)} device-hours."
                if summed.device_hours is not None
                else "device-hours unknown (not every file gives them)."
            ),
        ]
    lines += [
        "",
        f"> {NEURIPS_TOTAL}",
        "",
        "Per run: " + "; ".join(f"{md(e.name)}: {_per_run(e)}" for e in items) + ".",
        "",
        f"> {NEURIPS_MORE}",
        "",
        f"Compute beyond these experiments (preliminary or failed runs): {NOT_GIVEN}s; add them "
        "as files (or `runs:`) to have them counted.",
        "",
        "## ACL Responsible NLP Research checklist, C1",
        "",
        f"> {ACL_QUESTION}",
        "",
        f"Source: {ACL_URL}",
        "",
        "| Experiment | Parameters | Total computational budget | Computing infrastructure |",
        "| --- | --- | --- | --- |",
    ]
    lines += [_row([e.name, parameters(e), budget(e), workers(e)]) for e in items]
    lines += [
        "",
        "Figures from greenai estimate (energy = PUE x IT power x hours, Strubell et al. 2019); "
        "device-hours count every accelerator or CPU named in the file. "
        f"Where a cell says {NOT_GIVEN!r}, the experiment file does not determine it.",
    ]
    notes = sci_notes(items)
    if notes:
        lines += ["", *(escape.markdown(note) for note in notes)]
        lines += [
            f"- {md(e.name)}: {e.total.sci_g:.4g} g CO2e per {PER_WORDS[e.total.per_unit.per][0]}"
            for e in items
            if e.total.per_unit is not None and e.total.sci_g is not None
        ]
    return "\n".join(lines) + "\n"


def _per_run(estimate: Estimate) -> str:
    f = estimate.per_run
    parts = [f"{hours(f.hours)} h" if f.hours is not None else f"hours {NOT_GIVEN}"]
    if f.fpo is not None:
        parts.append(flop(f.fpo))
    parts.append(f"{number(f.energy_kwh)} kWh")
    return ", ".join(parts)
