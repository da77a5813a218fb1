"""EU AI Act, Annex XI, Section 1, point 2 (d) and (e), in Markdown ready to paste.

Regulation (EU) 2024/1689 (the AI Act), OJ L, 12.7.2024, https://eur-lex.europa.eu/eli/reg/2024/1689/oj,
Annex XI "Technical documentation referred to in Article 53(1), point (a) — technical
documentation for providers of general-purpose AI models", Section 1 "Information to be provided
by all providers of general-purpose AI models", point 2 (text read through search 2026-12-02 in
two independent copies of the Official Journal text, which agree word for word):

    (d) the computational resources used to train the model (e.g. number of floating point
        operations), training time, and other relevant details related to the training;
    (e) known or estimated energy consumption of the model.
    With regard to point (e), where the energy consumption of the model is unknown, the energy
    consumption may be based on information about computational resources used.

The section says for each figure whether it is known (given or measured in the file, published
in a data table) or estimated by greenai, from the assumptions' `basis`, and lists the method and
every figure used with its source. Text from files is escaped for Markdown (escape.markdown).
"""

from __future__ import annotations

from collections.abc import Sequence

from greenai.estimate import FILE, Assumption, Estimate
from greenai.render import escape
from greenai.render.numbers import count, flop, hours, number
from greenai.render.sheet import PER_WORDS

REGULATION = "Regulation (EU) 2024/1689 (AI Act)"
URL = "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"
ANNEX = (
    "Annex XI, Technical documentation referred to in Article 53(1), point (a) — technical "
    "documentation for providers of general-purpose AI models; Section 1, Information to be "
    "provided by all providers of general-purpose AI models; point 2"
)
POINT_D = (
    "(d) the computational resources used to train the model (e.g. number of floating point "
    "operations), training time, and other relevant details related to the training;"
)
POINT_E = "(e) known or estimated energy consumption of the model."
POINT_E_NOTE = (
    "With regard to point (e), where the energy consumption of the model is unknown, the energy "
    "consumption may be based on information about computational resources used."
)
METHOD = (
    "Energy = PUE x IT power x hours (Strubell et al. 2019, eq. 1), or PUE x the IT energy where "
    "the file gives it; IT power = measured power where given, else TDP x utilisation per "
    "device (data/hardware.csv); CO2e = energy x carbon intensity of the electricity; FLOP = "
    "6 x parameters x tokens for dense transformer training (Kaplan et al. 2020), FLOP per "
    "example x examples (Schwartz et al., Green AI, 2020), or as given. Each figure has a low "
    "and a high bound from the ranges of its inputs."
)


def basis(item: Assumption) -> str:
    """How a figure was known: the assumption's own basis, or `given` where it came from the
    experiment file without one."""
    if item.basis:
        return item.basis
    if item.what == "FPO per run" and item.source != FILE:
        return "derived"  # from the file's parameters and tokens, or examples, by a cited rule
    return "given" if item.source.startswith(FILE) else "not stated"


def energy_known(estimate: Estimate) -> tuple[bool, str]:
    """Whether the energy is known (the file gives the IT energy, or measured power over the
    time the file gives) or estimated by greenai, and why."""
    notes = estimate.assumptions
    given = "IT energy per run (before PUE)"
    if any(a.what.startswith(given) and basis(a) == "given" for a in notes):
        return True, "known: the IT energy is given in the file (published or metered); PUE on top"
    powers = [a for a in notes if a.column == "power_w"]
    derived_hours = estimate.work is not None and estimate.work.hours_derived
    if powers and all(a.basis == "measured" for a in powers) and not derived_hours:
        return True, (
            "known from the file: the power it gives (measured or published, not a TDP) x the "
            "time it gives, x PUE"
        )
    return False, (
        "estimated by greenai: "
        + (
            "hours derived from the compute at the hardware's peak FLOP/s x MFU; "
            if derived_hours
            else ""
        )
        + "power from "
        + (", ".join(sorted({basis(a) for a in powers})) or "the file")
        + " figures (see the list below)"
    )


def compute_line(estimate: Estimate) -> tuple[str, str]:
    """The training compute in FLOP and how it is known."""
    fpo = estimate.total.fpo
    if fpo is None:
        return "not given in the file (add an fpo block)", "—"
    how = next((a for a in estimate.assumptions if a.what == "FPO per run"), None)
    said = f"{fpo:.3e} FLOP ({flop(fpo)})"
    if how is None:
        return said, "—"
    known = "given in the file" if how.value.endswith("FLOP") else "estimated from the file"
    runs = f" x {estimate.runs} runs" if estimate.runs != 1 else ""
    return said, f"{known}: {how.value}{runs} ({how.source})"


def time_line(estimate: Estimate) -> tuple[str, str]:
    """The training time: wall-clock hours, else device-hours, and how they are known."""
    figures = estimate.total
    derived = estimate.work is not None and estimate.work.hours_derived
    if figures.hours is not None:
        how = "estimated: derived from the compute (peak FLOP/s x MFU)" if derived else "given"
        shown = f"{hours(figures.hours)} h wall-clock (all runs)"
        if figures.device_hours is not None:
            shown += f"; {number(figures.device_hours)} device-hours"
        return shown, how
    if figures.device_hours is not None:
        return f"{number(figures.device_hours)} device-hours; wall-clock not given in the file", (
            "given"
        )
    return "not given in the file", "—"


def _figure(value: float, low: float, high: float) -> str:
    text = number(value)
    bounds = f"{number(low)}–{number(high)}"
    return text if bounds == f"{text}–{text}" else f"{text} (range {bounds})"


def section(estimate: Estimate) -> list[str]:
    md = escape.markdown
    f = estimate.total
    compute, compute_how = compute_line(estimate)
    time, time_how = time_line(estimate)
    known, energy_how = energy_known(estimate)
    low, high = f.ranges.get("energy_kwh", (f.energy_kwh, f.energy_kwh))
    co2_low, co2_high = f.ranges.get("co2e_kg", (f.co2e_kg, f.co2e_kg))
    lines = [
        f"## {md(estimate.name)}: training compute, time and energy",
        "",
        f"{REGULATION}, {ANNEX} ({URL}).",
        "",
        f"### {POINT_D}",
        "",
        "| Item | Figure | How it is known |",
        "| --- | --- | --- |",
        f"| Training compute | {md(compute)} | {md(compute_how)} |",
        f"| Training time | {md(time)} | {md(time_how)} |",
        f"| Hardware | {md(estimate.hardware)} | given |",
        f"| Runs | {estimate.runs} | given |",
    ]
    if estimate.work is not None and estimate.work.examples is not None:
        what = f"{estimate.work.example}s per run"
        lines.append(f"| Training data | {count(estimate.work.examples)} {md(what)} | given |")
    if estimate.region:
        lines.append(f"| Location | {md(estimate.location or estimate.region)} | given |")
    lines += [
        "",
        f"### {POINT_E}",
        "",
        f"> {POINT_E_NOTE}",
        "",
        "| Item | Figure | How it is known |",
        "| --- | --- | --- |",
        f"| Energy consumption (kWh, PUE included) | {_figure(f.energy_kwh, low, high)} | "
        f"{md(energy_how)} |",
        f"| PUE | {estimate.pue:.3g} | {md(_basis_of(estimate, 'pue'))} |",
        f"| Carbon intensity (g CO2e/kWh) | {estimate.carbon_intensity_g_per_kwh:.4g} | "
        f"{md(_basis_of(estimate, 'carbon_intensity_g_per_kwh'))} |",
        f"| Operational emissions (kg CO2e) | {_figure(f.co2e_kg, co2_low, co2_high)} | "
        "energy x carbon intensity |",
    ]
    if f.embodied_co2e_kg is not None:
        e_low, e_high = f.ranges.get("embodied_co2e_kg", (f.embodied_co2e_kg,) * 2)
        lines.append(
            f"| Embodied emissions of the hardware (kg CO2e) | "
            f"{_figure(f.embodied_co2e_kg, e_low, e_high)} | estimated (data/embodied.csv) |"
        )
    if f.per_unit is not None and f.sci_g is not None:
        s_low, s_high = f.ranges["sci_g"]
        lines.append(
            f"| CO2e per functional unit, SCI (g CO2e/{PER_WORDS[f.per_unit.per][0]}) | "
            f"{f.sci_g:.4g} (range {s_low:.4g}–{s_high:.4g}) | "
            f"(E x I + M) / R, R = {f.per_unit.units:.6g}: {md(f.per_unit.counted)} |"
        )
    lines += [
        "",
        "The energy is known: it comes from the file, not from an estimate of the hardware's power."
        if known
        else "The energy is estimated, as point (e) allows where it is unknown: from the "
        "computational resources used and greenai's sourced figures.",
        "",
        "### Method",
        "",
        f"greenai estimate: {METHOD}",
        "",
        "### Figures used and their sources",
        "",
        "Basis: given (the experiment file), measured (a measured figure in the file), "
        "published (a sourced data table row), defaulted (a greenai method parameter), "
        "derived (computed from the others).",
        "",
    ]
    lines += [
        f"- {md(a.what)}: {md(a.value)} — {basis(a)}; source: {md(a.source)}"
        for a in estimate.assumptions
    ]
    return lines


def _basis_of(estimate: Estimate, column: str) -> str:
    found = [a for a in estimate.assumptions if a.column == column]
    if not found:
        return "—"
    return f"{basis(found[-1])}: {found[-1].source}"


def estimates(items: Sequence[Estimate]) -> str:
    """One section per file, each complete on its own (a provider documents one model)."""
    from greenai import __version__

    lines = [f"<!-- greenai {__version__}: Annex XI, Section 1, point 2 (d) and (e) -->", ""]
    for index, estimate in enumerate(items):
        if index:
            lines += ["", "---", ""]
        lines += section(estimate)
    return "\n".join(lines) + "\n"
