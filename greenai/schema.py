"""The JSON Schema of the experiment file, for editors with a YAML language server.

It mirrors `greenai.experiment.validate` (the same keys, forms and bounds) so that an editor
completes and flags what greenai would; greenai's own validation stays the authority (it also
checks units' dimensions and names against the tables). Region keys and accelerator keys are
listed as suggestions, while any name that the tables resolve ("France") is still accepted.
"""

from __future__ import annotations

from typing import Any

from greenai import experiment
from greenai.tables import Tables


def _quantity(description: str, example: str, minimum: float = 0) -> dict[str, Any]:
    return {
        "description": description,
        "anyOf": [
            {"type": "number", "exclusiveMinimum": minimum},
            {"type": "string", "minLength": 1},
        ],
        "examples": [example],
    }


def _count(description: str, example: Any) -> dict[str, Any]:
    return {
        "description": description,
        "anyOf": [
            {"type": "number", "exclusiveMinimum": 0},
            {"type": "string", "pattern": r"^\s*[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?\s*[kKMBGT]?\s*$"},
        ],
        "examples": [example],
    }


def _fraction(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "anyOf": [
            {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
            {"type": "string", "pattern": r"^\s*[0-9.]+\s*%\s*$"},
        ],
    }


def experiment_schema(tables: Tables) -> dict[str, Any]:
    """The schema, with the region and accelerator keys of `tables` as suggestions."""
    regions = sorted(tables.regions)
    accelerators = sorted(d.key for d in tables.devices.values() if d.kind != "cpu")
    device_name = {
        "description": "A device of data/hardware.csv: key, name or alias (case-insensitive).",
        "anyOf": [{"enum": accelerators}, {"type": "string", "minLength": 1}],
    }
    group = {
        "type": "object",
        "additionalProperties": False,
        "required": ["device"],
        "properties": {
            "device": device_name,
            "count": {"type": "integer", "minimum": 1, "description": "How many devices."},
            "power": _quantity(
                "Measured average power of ONE device (default unit W); the whole machine's "
                "goes at the top level (power:).",
                "188 W",
            ),
            "utilization": _fraction("Average fraction of TDP drawn (0-1)."),
        },
    }
    limit = {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "minLength": 1}]}
    properties: dict[str, Any] = {
        "name": {"type": "string", "description": "Shown in tables; default: the file's stem."},
        "hardware": {
            "description": '"N x DEVICE", a device name, a mapping, or a list of mappings.',
            "anyOf": [
                {"type": "string", "minLength": 1, "examples": ["8 x H100", "64 x V100"]},
                group,
                {"type": "array", "minItems": 1, "items": {"anyOf": [group, {"type": "string"}]}},
            ],
        },
        "memory": _quantity("Host DRAM (default unit GB).", "64 GB"),
        "power": _quantity(
            "Measured average power of the WHOLE machine, host included (default unit W); "
            "one device's goes under hardware: - power:. No host power is added to it.",
            "1 kW",
        ),
        "embodied": {
            "description": "How a device's manufacturing footprint (data/embodied.csv) is spread "
            "over its hours: embodied CO2e per device-hour = kg / (lifetime x 8,760 h x "
            "use_share). Each key optional; left out: 5 years (range 3-6), 0.85, no host.",
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {
                "lifetime": _quantity(
                    "Service life of a device (default unit years); given, the range spans the "
                    "sources only.",
                    "5 years",
                ),
                "use_share": _fraction("Share of the lifetime's hours in use (default 0.85)."),
                "host": {
                    "type": "boolean",
                    "description": "Add each GPU's share of its server (BLOOM: 2,500 kg / 8 "
                    "GPUs) where data/embodied.csv has one (default false).",
                },
            },
        },
        "hours": _quantity("Wall-clock time per run (default unit hours).", "79.2"),
        "duration": _quantity("Wall-clock time per run, any time unit.", "3.3 days"),
        "energy": _quantity(
            "IT energy per run before PUE, as published (default unit kWh); replaces hours x "
            "power. Not with power, memory or a device's power/utilization.",
            "104 MWh",
        ),
        "device_hours": _quantity(
            "Device-hours per run, as published (default unit hours); replaces count x hours "
            "for energy and cloud cost. One device group; not with hours, duration, power or "
            "memory.",
            "184320",
        ),
        "runs": {"type": "integer", "minimum": 1, "description": "Repeats or trials (Green AI H)."},
        "region": {
            "description": "A key of data/regions.csv (or a name that resolves to one).",
            "anyOf": [{"enum": regions}, {"type": "string", "minLength": 1}],
        },
        "site": {
            "description": "The kind of place it runs in, for the PUE when pue is not given: "
            "cloud (the provider's own), datacenter (Uptime Institute survey average), "
            "server-room (LBNL small server rooms), desktop or laptop (1.0, no facility). "
            "Not given: 1.58 (Strubell et al.'s data-centre average), or a cloud region's own.",
            "anyOf": [
                {"enum": ["cloud", "datacenter", "server-room", "desktop", "laptop"]},
                {"type": "string", "minLength": 1},
            ],
        },
        "pue": {
            "description": "Power usage effectiveness of the data centre (1.0 or more).",
            "anyOf": [{"type": "number", "minimum": 1}, {"type": "string", "minLength": 1}],
        },
        "wue": {
            "description": "Water usage effectiveness: litres of on-site water per kWh of IT "
            "energy (default unit L/kWh). Not given: the cloud region's published figure "
            "(AWS, Azure), 0 for site: desktop or laptop, else unknown.",
            "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "minLength": 1}],
            "examples": ["1.8 L/kWh"],
        },
        "carbon_intensity": _quantity("Grid intensity (default unit g/kWh).", "0.954 lb/kWh"),
        "electricity_price": _quantity(
            "Electricity price (default unit USD/kWh); EUR, GBP, CHF and other currencies the "
            "ECB quotes are converted at data/currencies.csv's rate.",
            "0.25 EUR/kWh",
        ),
        "basis": {
            "description": "Intensity basis: lifecycle (default; consumption-based where the "
            "source has it), direct (combustion only), or provider (a cloud provider's own "
            "figure, Google's). A region without it uses another and says so.",
            "enum": ["lifecycle", "direct", "provider"],
        },
        "cloud": {
            "description": "A provider of data/prices.csv, or a mapping.",
            "anyOf": [
                {"type": "string", "minLength": 1},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "provider": {"type": "string", "examples": ["gcp", "aws", "azure"]},
                        "instance": {
                            "type": "string",
                            "description": "The instance type (data/instances.csv), whose host "
                            "CPU and DRAM are added to the devices' power.",
                            "examples": ["a3-highgpu-8g", "p4d.24xlarge"],
                        },
                        "price": {
                            "description": "Per device-hour: one value or [low, high]; "
                            "USD unless a currency is given (2 GBP/h).",
                            "anyOf": [
                                limit,
                                {"type": "array", "minItems": 2, "maxItems": 2, "items": limit},
                            ],
                        },
                        "as_of": {
                            "description": "Use list prices dated on or before this day.",
                            "anyOf": [{"type": "string", "format": "date"}, {"type": "string"}],
                        },
                    },
                },
            ],
        },
        "fpo": {
            "description": "Floating-point operations per run (Green AI): total; per_example "
            "with examples; or parameters with tokens (6 N D training, 2 N D inference). "
            "Without hours, the hours are derived from it.",
            "anyOf": [
                _count("Total FLOP per run.", "1.2e21"),
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "total": _count("FLOP per run.", "1.2e21"),
                        "per_example": _quantity("FLOP per example.", "3.3 GFLOP"),
                        "examples": _count("Examples per run.", "1.2e9"),
                        "parameters": _count("Parameter count.", "7B"),
                        "tokens": _count("Tokens per run.", "1T"),
                        "mode": {"enum": list(experiment.FPO_MODES)},
                        "precision": {
                            "description": "The peak FLOP/s column that turns FPO into hours "
                            "(default: bf16, else the first every device has).",
                            "enum": list(experiment.PRECISIONS),
                        },
                        "mfu": _fraction(
                            "Model FLOP utilisation, achieved / peak (default 0.4), for hours "
                            "derived from the FPO."
                        ),
                    },
                    "oneOf": [
                        {"required": ["total"]},
                        {"required": ["per_example", "examples"]},
                        {"required": ["parameters", "tokens"]},
                    ],
                },
            ],
        },
        "budget": {
            "description": "Limits for greenai check / estimate (exit 1 when exceeded).",
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {
                "co2e": {**limit, "examples": ["50 kg"]},
                "cost": {**limit, "examples": ["1000 USD"]},
                "energy": {**limit, "examples": ["2 MWh"]},
                "co2e_total": {
                    **limit,
                    "examples": ["60 kg"],
                    "description": "Operational + embodied CO2e (co2e is operational alone).",
                },
            },
        },
    }
    stage = {
        "type": "object",
        "additionalProperties": False,
        "properties": {k: v for k, v in properties.items() if k in experiment.STAGE_KEYS},
    }
    properties["stages"] = {
        "description": "Phases of one file (pre-training, fine-tuning ...): each a complete "
        "experiment body; the top-level keys are defaults that a stage's own key replaces. "
        "The file's figures are the sum of its stages.",
        "type": "array",
        "minItems": 1,
        "items": stage,
    }
    assert set(properties) == set(experiment.TOP_KEYS), "schema and validator disagree"
    timed = ("hours", "duration", "fpo", "energy", "device_hours")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "greenai experiment",
        "description": "An ML experiment to price with greenai (energy, CO2e, money, FPO).",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "allOf": [
            {"anyOf": [{"required": ["hardware"]}, {"required": ["stages"]}]},
            {"anyOf": [{"required": [k]} for k in (*timed, "stages")]},
            {"not": {"required": ["hours", "duration"]}},
            {"anyOf": [{"required": [k]} for k in ("region", "carbon_intensity", "stages")]},
        ],
    }
