"""A CycloneDX 1.6 ML-BOM: a machine-learning-model component per experiment and its energy.

CycloneDX 1.6 (https://cyclonedx.org/docs/1.6/json/, schema bom-1.6.schema.json) records a
model's environmental cost in `modelCard.considerations.environmentalConsiderations
.energyConsumptions`: per lifecycle `activity` (training, fine-tuning, ...), the
`energyProviders` (each an organization, an `energySource` and the `energyProvided`), the
`activityEnergyCost` {value, unit: "kWh"} and the `co2CostEquivalent` {value, unit: "tCO2eq"}.
The schema, as shipped in cyclonedx-python-lib 11.12.0, is vendored under
tests/schemas/cyclonedx-1.6/, where a test validates this renderer's output.

What greenai knows goes in: the energy of all runs with PUE, the operational CO2e (electricity
alone: `co2CostEquivalent` is the CO2 "equivalent to the total energy cost"), the grid or cloud
region as the provider's organization with its carbon intensity in the description and in a
property. What it does not know stays honest: the energy source of a grid average is
`unknown`. The ranges, the embodied CO2e and the method go in `properties` (greenai:...).

Deterministic: the serial number is a UUIDv5 of a digest of the estimates, the timestamp is
--created, or SOURCE_DATE_EPOCH, else now (greenai.render.spdx.timestamp).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from greenai.estimate import Estimate
from greenai.render.spdx import NAMESPACE, digest, timestamp

SPEC_VERSION = "1.6"
ACTIVITIES = {"pre-training": "training", "fine-tuning": "fine-tuning"}
METHOD = (
    "greenai: energy = PUE x IT power x hours (Strubell et al. 2019, eq. 1), or PUE x the IT "
    "energy the file gives; CO2e = energy x carbon intensity"
)


def _g(value: float) -> float:
    return float(f"{value:.6g}")  # six significant digits, as the model card writes grams


def _property(name: str, value: object) -> dict[str, str]:
    return {"name": f"greenai:{name}", "value": str(value)}


def consumption(estimate: Estimate, training_type: str) -> dict[str, Any]:
    """One energyConsumption entry: the activity, its provider, its energy and its CO2e."""
    f = estimate.total
    where = estimate.location or estimate.region
    organization = f"electricity supply of {where}" if where else "not given in the file"
    intensity = f"{estimate.carbon_intensity_g_per_kwh:.4g} g CO2e/kWh"
    low, high = f.ranges.get("energy_kwh", (f.energy_kwh, f.energy_kwh))
    co2_low, co2_high = f.ranges.get("co2e_kg", (f.co2e_kg, f.co2e_kg))
    properties = [
        _property("carbon_intensity_g_per_kwh", f"{estimate.carbon_intensity_g_per_kwh:.6g}"),
        _property("pue", f"{estimate.pue:.6g}"),
        _property("runs", estimate.runs),
        _property("energy_kwh_low", f"{low:.6g}"),
        _property("energy_kwh_high", f"{high:.6g}"),
        _property("co2e_kg_low", f"{co2_low:.6g}"),
        _property("co2e_kg_high", f"{co2_high:.6g}"),
        _property("method", METHOD),
        _property("source_file", estimate.file),
    ]
    if f.embodied_co2e_kg is not None:
        properties.append(_property("embodied_co2e_kg", f"{f.embodied_co2e_kg:.6g}"))
    if f.fpo is not None:
        properties.append(_property("fpo", f"{f.fpo:.6g}"))
    if f.per_unit is not None and f.sci_g is not None:  # --per: the SCI and its declared R
        s_low, s_high = f.ranges["sci_g"]
        properties += [
            _property("sci_functional_unit", f.per_unit.per),
            _property("sci_functional_units", f"{f.per_unit.units:.6g}"),
            _property("sci_g_per_unit", f"{f.sci_g:.6g}"),
            _property("sci_g_per_unit_low", f"{s_low:.6g}"),
            _property("sci_g_per_unit_high", f"{s_high:.6g}"),
            _property("sci_embodied_included", str(f.per_unit.embodied).lower()),
        ]
    return {
        "activity": ACTIVITIES.get(training_type, "training"),
        "energyProviders": [
            {
                "description": f"grid average carbon intensity {intensity}",
                "organization": {"name": organization},
                "energySource": "unknown",  # a grid average, not a source
                "energyProvided": {"value": _g(f.energy_kwh), "unit": "kWh"},
            }
        ],
        "activityEnergyCost": {"value": _g(f.energy_kwh), "unit": "kWh"},
        "co2CostEquivalent": {"value": _g(f.co2e_kg / 1000), "unit": "tCO2eq"},
        "properties": properties,
    }


def document(
    items: Sequence[Estimate], training_type: str, created: str | None = None
) -> dict[str, Any]:
    """The BOM as a mapping."""
    from greenai import __version__

    seed = digest(items)
    components = []
    for index, estimate in enumerate(items):
        components.append(
            {
                "type": "machine-learning-model",
                "bom-ref": f"model-{index + 1}",
                "name": estimate.name,
                "description": f"{training_type} on {estimate.hardware}",
                "modelCard": {
                    "considerations": {
                        "environmentalConsiderations": {
                            "energyConsumptions": [consumption(estimate, training_type)]
                        }
                    }
                },
            }
        )
    return {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{seed}/cyclonedx')}",
        "version": 1,
        "metadata": {
            "timestamp": timestamp(created),
            "tools": {
                "components": [{"type": "application", "name": "greenai", "version": __version__}]
            },
        },
        "components": components,
    }


def estimates(items: Sequence[Estimate], training_type: str, created: str | None = None) -> str:
    """Strings stay exact, as in greenai's JSON (greenai.render.json.dumps)."""
    from greenai.render.json import dumps

    return dumps(document(items, training_type, created))
