"""Carbon per functional unit: the Software Carbon Intensity (SCI) of an estimate, `--per`.

The Green Software Foundation's SCI specification (ISO/IEC 21031:2024) scores software as a rate,

    SCI = (E x I + M) per R

with E the energy, I the carbon intensity of that energy, M the embodied emissions of the
hardware, and R a functional unit that the reporter declares; "It is a score rather than a
total". Sources, read through search 2026-12-02: the specification,
https://github.com/Green-Software-Foundation/sci/blob/dev/SPEC.md (version 1.1.0, written there
"SCI = (E * I) + M per R"), and the repository's README, https://github.com/Green-Software-Foundation/sci
("Software Carbon Intensity (SCI) specification ISO/IEC 21031:2024"; published text at
https://sci.greensoftware.foundation/).

greenai has E x I (operational CO2e) and M (embodied CO2e, where data/embodied.csv knows the
device) from the calculator: their sum is `Figures.total_co2e_kg`. This module only counts R from
the experiment file, the way the file says it; where the file does not say it, it refuses with
the key that is missing, never a guess:

- token: `fpo.tokens` x runs (the tokens the runs processed);
- example: `fpo.examples` x runs;
- pflop: the FPO of all runs / 10^15 (any form of the fpo block; 1 PFLOP = 10^15 FLOP);
- run: the file's runs;
- parameter: `fpo.parameters` (all runs' CO2e per parameter of the model).

A staged file (pre-training then fine-tuning) is priced whole; tokens, examples, runs and
parameters of different stages are different things, so only pflop (FPO adds up) is offered.
"""

from __future__ import annotations

from dataclasses import replace

from greenai.errors import InputError
from greenai.estimate import PER, Estimate, PerUnit, per_unit
from greenai.experiment import Experiment

PFLOP = 1e15  # FLOP in one PFLOP (SI prefix peta = 10^15)


def _missing(experiment: Experiment, key: str, per: str, wanted: str) -> InputError:
    return InputError(
        f"--per {per} needs {wanted}; the file does not give it "
        f"(add it to the fpo block, or choose another --per: {', '.join(PER)})",
        where=experiment.file,
        key=key,
    )


def _counted(key: str, value: float, runs: int) -> str:
    return f"{key} {value:.4g} x {runs} run" + ("" if runs == 1 else "s")


def count(experiment: Experiment, estimate: Estimate, per: str) -> PerUnit:
    """R for `per` from the file (and the estimate's FPO for pflop), or an InputError naming
    the key the file lacks."""
    if per not in PER:
        raise InputError(f"expected one of {', '.join(PER)}, got {per!r}", key="--per")
    runs = experiment.runs
    fpo = experiment.fpo
    embodied = estimate.total.embodied_co2e_kg is not None
    if per == "pflop":
        if estimate.total.fpo is None:
            raise _missing(experiment, "fpo", per, "the compute (an fpo block)")
        return PerUnit(per, estimate.total.fpo / PFLOP, "FPO of all runs / 10^15", embodied)
    if experiment.stages:
        raise InputError(
            f"--per {per} is not defined for a staged file (its stages count different "
            f"{per}s); use --per pflop, or price each stage as a file of its own",
            where=experiment.file,
            key="stages",
        )
    if per == "run":
        return PerUnit(per, float(runs), f"runs: {runs}", embodied)
    if per == "token":
        if fpo is None or fpo.tokens is None:
            raise _missing(experiment, "fpo.tokens", per, "the tokens per run (fpo.tokens)")
        return PerUnit(per, fpo.tokens * runs, _counted("fpo.tokens", fpo.tokens, runs), embodied)
    if per == "example":
        if fpo is None or fpo.examples is None:
            raise _missing(experiment, "fpo.examples", per, "the examples per run (fpo.examples)")
        counted = _counted("fpo.examples", fpo.examples, runs)
        return PerUnit(per, fpo.examples * runs, counted, embodied)
    if fpo is None or fpo.parameters is None:
        raise _missing(experiment, "fpo.parameters", per, "the model's parameters (fpo.parameters)")
    return PerUnit(per, fpo.parameters, f"fpo.parameters {fpo.parameters:.4g}", embodied)


def attach(experiment: Experiment, estimate: Estimate, per: str) -> Estimate:
    """The estimate with its SCI over `per` (all runs together)."""
    unit = count(experiment, estimate, per)
    return replace(estimate, total=per_unit(estimate.total, unit))
