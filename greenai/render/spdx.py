"""An SPDX 3.0.1 document (JSON-LD) with an AI package per experiment and its energy.

SPDX 3.0.1's AI profile records a model's energy as `ai_energyConsumption`, an
`ai_EnergyConsumption` with `ai_trainingEnergyConsumption`, `ai_finetuningEnergyConsumption` and
`ai_inferenceEnergyConsumption`, each a list of `ai_EnergyConsumptionDescription`
(`ai_energyQuantity`, `ai_energyUnit`: kilowattHour | megajoule | other). The model's page says
the figure may be "known or estimated", estimated "based on information about computational
resources (e.g., number of floating-point operations), training time, and other relevant
training details" (https://spdx.github.io/spdx-spec/v3.0.1/model/AI/Properties/energyConsumption,
read through search 2026-12-02). The JSON schema (https://spdx.org/schema/3.0.1/spdx-json-schema.json)
is vendored under tests/schemas/spdx-3.0.1/, where a test validates this renderer's output.

greenai writes the energy of all runs in kWh with PUE (the facility's energy), under training
or fine-tuning (--training-type); an inference figure it does not have, so that list is absent.
The range and the method go in the package's `comment` (SPDX has no field for a range).

Deterministic: the element IDs are UUIDv5 of a digest of the estimates (the same figures give
the same IDs) and the creation time is `created` (--created, or SOURCE_DATE_EPOCH, else now;
greenai.render.spdx.timestamp).

What greenai does not know is left out for the model's provider to add, and the document claims
conformance to the Core profile only: the AI package's model (SHACL, not the JSON schema) asks
for exactly one `releaseTime`, `suppliedBy`, `software_downloadLocation` and
`software_packageVersion`, and the AI profile for a concluded and a declared licence
relationship per package (https://spdx.github.io/spdx-spec/v3.0.1/model/AI/Classes/AIPackage and
.../model/AI/AI, "External properties cardinality updates" and "Profile conformance", read
2026-12-02). Once the provider adds them, the document may list "software" and "ai" in
`profileConformance`.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from greenai.errors import InputError
from greenai.estimate import Estimate
from greenai.render.sheet import PER_WORDS

CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
SPEC_VERSION = "3.0.1"
# the namespace of greenai's element IDs (uuid5 of the DNS namespace and greenai's name)
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "greenai.spdx")


def timestamp(created: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The creation time as YYYY-MM-DDTHH:MM:SSZ (UTC, what SPDX's DateTimeStamp and CycloneDX's
    date-time both accept): `created` (ISO 8601), else SOURCE_DATE_EPOCH (seconds since 1970,
    the reproducible-builds convention, https://reproducible-builds.org/specs/source-date-epoch/),
    else now."""
    env = os.environ if environ is None else environ
    if created is not None:
        try:
            moment = datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(
                f"expected an ISO 8601 time such as 2026-01-31T12:00:00Z, got {created!r}",
                key="--created",
            ) from None
        if moment.tzinfo is None:
            raise InputError(
                f"expected a time with its zone (Z or +01:00), got {created!r}", key="--created"
            )
    elif env.get("SOURCE_DATE_EPOCH"):
        text = env["SOURCE_DATE_EPOCH"]
        if not text.isdigit():
            raise InputError(
                f"expected whole seconds since 1970-01-01, got {text!r}", key="SOURCE_DATE_EPOCH"
            )
        moment = datetime.fromtimestamp(int(text), UTC)
    else:
        moment = datetime.now(UTC)
    try:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        raise InputError(
            f"expected a time between years 1 and 9999 in UTC, got {created!r}", key="--created"
        ) from None


def digest(items: Sequence[Estimate]) -> str:
    """A digest of the estimates' figures and assumptions: the same inputs, the same IDs."""
    dumped = json.dumps([e.as_dict() for e in items], sort_keys=True, default=str)
    return hashlib.sha256(dumped.encode()).hexdigest()


def element_id(seed: str, role: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{seed}/{role}')}"


def comment(estimate: Estimate) -> str:
    f = estimate.total
    low, high = f.ranges.get("energy_kwh", (f.energy_kwh, f.energy_kwh))
    return (
        f"Energy computed by greenai (Strubell et al. 2019 method: PUE x IT power x hours, "
        f"or PUE x the IT energy the file gives): {f.energy_kwh:.6g} kWh for all runs "
        f"({estimate.runs}), PUE {estimate.pue:.3g} included, range {low:.6g}..{high:.6g} kWh; "
        f"operational {f.co2e_kg:.6g} kg CO2e at {estimate.carbon_intensity_g_per_kwh:.4g} "
        f"g CO2e/kWh. Hardware: {estimate.hardware}. Source file: {estimate.file}."
        + (
            f" SCI (ISO/IEC 21031:2024, (E x I + M) / R): {f.sci_g:.6g} g CO2e per "
            f"{PER_WORDS[f.per_unit.per][0]}, R = {f.per_unit.units:.6g} ({f.per_unit.counted})"
            + ("" if f.per_unit.embodied else ", M unknown: (E x I) / R")
            + "."
            if f.per_unit is not None and f.sci_g is not None
            else ""
        )
    )


def document(
    items: Sequence[Estimate], training_type: str, created: str | None = None
) -> dict[str, Any]:
    """The SPDX 3.0.1 JSON-LD document as a mapping."""
    from greenai import __version__

    seed = digest(items)
    agent = element_id(seed, "agent")
    tool = element_id(seed, "tool")
    info = "_:creationinfo"
    key = (
        "ai_finetuningEnergyConsumption"
        if training_type == "fine-tuning"
        else "ai_trainingEnergyConsumption"
    )
    packages = []
    for index, estimate in enumerate(items):
        packages.append(
            {
                "type": "ai_AIPackage",
                "spdxId": element_id(seed, f"package/{index}"),
                "creationInfo": info,
                "name": estimate.name,
                "software_primaryPurpose": "model",
                "ai_energyConsumption": {
                    "type": "ai_EnergyConsumption",
                    key: [
                        {
                            "type": "ai_EnergyConsumptionDescription",
                            "ai_energyQuantity": float(f"{estimate.total.energy_kwh:.6g}"),
                            "ai_energyUnit": "kilowattHour",
                        }
                    ],
                },
                "ai_informationAboutTraining": (
                    f"{training_type} on {estimate.hardware}, runs: {estimate.runs}"
                ),
                "comment": comment(estimate),
            }
        )
    ids = [p["spdxId"] for p in packages]
    graph: list[dict[str, Any]] = [
        {
            "type": "CreationInfo",
            "@id": info,
            "specVersion": SPEC_VERSION,
            "created": timestamp(created),
            "createdBy": [agent],
            "createdUsing": [tool],
        },
        {"type": "SoftwareAgent", "spdxId": agent, "creationInfo": info, "name": "greenai"},
        {"type": "Tool", "spdxId": tool, "creationInfo": info, "name": f"greenai {__version__}"},
        {
            "type": "SpdxDocument",
            "spdxId": element_id(seed, "document"),
            "creationInfo": info,
            "name": "greenai energy estimate: " + "; ".join(e.name for e in items),
            # not "software" or "ai": their conformance needs what greenai does not know
            "profileConformance": ["core"],
            "rootElement": ids,
            "element": [agent, tool, *ids],
        },
        *packages,
    ]
    return {"@context": CONTEXT, "@graph": graph}


def estimates(items: Sequence[Estimate], training_type: str, created: str | None = None) -> str:
    """Strings stay exact, as in greenai's JSON (greenai.render.json.dumps)."""
    from greenai.render.json import dumps

    return dumps(document(items, training_type, created))
