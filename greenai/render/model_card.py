"""The `co2_eq_emissions` block of a Hugging Face model card's YAML metadata
(https://huggingface.co/docs/hub/model-cards-co2): emissions in grams; several files add up."""

from __future__ import annotations

import re
from collections.abc import Sequence

from greenai.estimate import Estimate
from greenai.render import escape
from greenai.render.sheet import PER_WORDS, sci_notes

# the vendor before a device name, dropped as the hardware column drops it (Experiment.label)
_VENDOR = re.compile(r"^(NVIDIA|AMD|Google|Intel)\s+")


def estimates(items: Sequence[Estimate], training_type: str) -> str:
    import yaml

    from greenai import __version__

    grams = float(f"{sum(e.total.co2e_kg for e in items) * 1000:.6g}")  # 6 significant
    method = "; ".join(
        f"{e.name}: {e.total.energy_kwh:,.6g} kWh x {e.carbon_intensity_g_per_kwh:g} g/kWh"
        for e in items
    )
    source = f"greenai {__version__} estimate (Strubell et al. 2019 method): {method}"
    # the card's `emissions` is operational; the manufacturing share is said beside it, where
    # every file's devices have a figure in data/embodied.csv (else it would read as complete)
    embodied = [e.total.bound("embodied_co2e_kg") for e in items]
    if embodied and all(kg is not None for kg in embodied):
        kg = sum(k for k in embodied if k is not None)
        source += (
            f"; not included above: embodied CO2e of the hardware (manufacturing, amortised "
            f"over its lifetime) {kg * 1000:,.6g} g"
        )
    # --per: each file's SCI with its R, beside the operational figure the card's key holds
    source += "".join(f"; {line}" for line in sci_notes(items))
    source += "".join(
        f"; {e.name}: SCI {e.total.sci_g:.4g} g CO2e/{PER_WORDS[e.total.per_unit.per][0]} "
        f"(R = {e.total.per_unit.units:.6g})"
        for e in items
        if e.total.per_unit is not None and e.total.sci_g is not None
    )
    block: dict[str, object] = {
        "emissions": int(grams) if grams.is_integer() else grams,
        "source": source,
        "training_type": training_type,
    }
    places = list(dict.fromkeys(e.location for e in items if e.location))
    if places:
        block["geographical_location"] = "; ".join(places)
    block["hardware_used"] = "; ".join(dict.fromkeys(hardware_words(e) for e in items))
    # every string escaped like terminal text (no control character, no workflow command),
    # then quoted by the YAML dumper wherever YAML needs it
    block = {k: escape.terminal(v) if isinstance(v, str) else v for k, v in block.items()}
    return yaml.safe_dump(
        {"co2_eq_emissions": block}, sort_keys=False, allow_unicode=True, width=1000
    )


def hardware_words(estimate: Estimate) -> str:
    """'64 x V100' rather than Strubell's 'V100x64', from the estimate's device groups (a
    published total without a count: the name alone); the label where there are no groups
    (an Estimate built by hand)."""
    if not estimate.groups:
        return estimate.hardware
    return " + ".join(
        f"{count} x {_VENDOR.sub('', name)}" if count else _VENDOR.sub("", name)
        for count, name in estimate.groups
    )
