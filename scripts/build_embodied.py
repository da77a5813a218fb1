"""Build data/embodied.csv: the manufacturing (embodied) footprint of each device, with its spread.

    python scripts/build_embodied.py PATH/TO/sources [--out data]

PATH/TO/sources holds the raw files, one folder per origin, copied unchanged from their homes:

  llmcarbon-embodied/hardware.csv
      SotaroKaneda/MLCarbon@dbd96b7 data/hardware.csv (LLMCarbon, Faiz et al., ICLR 2024;
      Apache-2.0): chip area (cm2) and carbon per area (CPA, kg CO2e/cm2) by TSMC node; DRAM per GB.
  epoch-ml-hardware/ml_hardware.csv
      Epoch AI, "Data on Machine Learning Hardware" (CC BY 4.0): die size and process node of the
      chips LLMCarbon's table lacks (A100, P100, GTX 1080 Ti).

and data/manual/embodied.csv holds the figures that must be typed, each with its citation:
Boavizta's GPU factors and card specs (AGPL-3.0, so typed rather than copied; the raw copies in
boavizta-embodied/ are not read), the parameters of Boavizta's wafer model, the published figures
of Luccioni et al. (BLOOM), and which methods apply to which device of data/hardware.csv.

Three estimates per device, where their inputs exist:
  boavizta   the whole card: effective die area x factor + effective VRAM die area x factor +
             board + casing + heatsink + transport + end of life (Boavizta's 2026 GPU model)
  published  BLOOM's per-GPU figure (150 kg CO2e, "a lower bound")
  llmcarbon  die area x CPA of its node + memory GB x DRAM kg/GB (die and memory only)
The value is the most complete estimate present (boavizta, then published, then llmcarbon); low
and high are the least and the most of them. The output is deterministic (byte-identical rebuild).
"""

from __future__ import annotations

import math
import re
import sys
from collections import defaultdict
from pathlib import Path

from build_tables import command, read_csv, write_csv  # the build scripts' one CSV reader/writer

ROOT = Path(__file__).resolve().parent.parent

COLUMNS = [
    "device",
    "kg_co2e",
    "kg_co2e_low",
    "kg_co2e_high",
    "method",
    "year",
    "source",
    "boavizta_kg",
    "published_kg",
    "llmcarbon_kg",
    "host_kg_co2e",
    "host_method",
    "host_year",
    "host_source",
]

BOAVIZTA = "Boavizta API GPU model (factors.yml 2026, gpu_specs.csv; AGPL-3.0, figures typed)"
BLOOM = "Luccioni, Viguier, Ligozat 2022/2023, Estimating the Carbon Footprint of BLOOM, Sec. 4.1"
LLMCARBON = "LLMCarbon (Faiz et al., ICLR 2024) hardware.csv, MLCarbon@dbd96b7 (Apache-2.0)"
EPOCH = "Epoch AI, Data on Machine Learning Hardware (CC BY 4.0)"
YEARS = {"boavizta": 2026, "published": 2022, "llmcarbon": 2024}


class Manual:
    """data/manual/embodied.csv, a long table of (section, item, field) -> value."""

    def __init__(self, path: Path) -> None:
        self.facts: dict[tuple[str, str, str], str] = {}
        self.devices: dict[str, dict[str, str]] = defaultdict(dict)
        for row in read_csv(path):
            key = (row["section"], row["item"], row["field"])
            if not row["citation"].strip():
                raise SystemExit(f"{path}: {key} has no citation")
            if key in self.facts:
                raise SystemExit(f"{path}: {key} given twice")
            self.facts[key] = row["value"]
            if row["section"] == "device":
                self.devices[row["item"]][row["field"]] = row["value"]

    def number(self, section: str, item: str, field: str) -> float:
        return float(self.facts[(section, item, field)])


def effective_area(die_mm2: float, manual: Manual) -> float:
    """Wafer area spent on one good die: Boavizta's circular-wafer model.

    Dies per wafer = wafer area / die area - pi x diameter / sqrt(2 x die area), the die area
    counting the kerf; the wafer is shared among them, and divided by the usable ratio
    exp(-sqrt(die area in cm2 x defect density)): big dies waste more.
    """
    diameter = manual.number("boavizta_model", "wafer", "diameter")
    kerf = manual.number("boavizta_model", "wafer", "kerf")
    defects = manual.number("boavizta_model", "wafer", "defect_density")
    wafer = math.pi * (diameter / 2) ** 2
    with_kerf = (math.sqrt(die_mm2) + kerf) ** 2
    per_wafer = wafer / with_kerf - math.pi * diameter / math.sqrt(2 * with_kerf)
    usable = math.exp(-math.sqrt(with_kerf / 100 * defects))
    return wafer / per_wafer / usable


def boavizta_card_kg(card: str, vram_gb: float | None, manual: Manual) -> float:
    """One GPU card, cradle to grave minus use: Boavizta's sum over its sub-components."""

    def spec(field: str) -> float:
        return manual.number("boavizta_card", card, field)

    def factor(part: str) -> float:
        return manual.number("boavizta_factor", part, "gwp")

    vram = spec("vram") if vram_gb is None else vram_gb
    dies = spec("vram_dies")
    per_gb = manual.number("boavizta_model", "vram", "mm2_per_gb")
    vram_surface = effective_area(vram * per_gb / dies, manual) * dies
    mass = spec("mass")
    return (
        spec("die_surface") * factor("gpu")
        + vram_surface * factor("vram")
        + spec("pwb_surface") * factor("pwb")
        + spec("mass_casing") * factor("casing")
        + spec("mass_heatsink") * factor("heatsink")
        + mass * factor("upstream_transport")
        + mass * spec("distance_boat") * factor("transport_boat")
        + mass * spec("distance_truck") * factor("transport_truck")
        + mass * factor("end_of_life")
    )


def node_nm(description: str) -> int:
    found = re.search(r"(\d+)\s*nm", description)
    if not found:
        raise SystemExit(f"LLMCarbon hardware.csv: no node in {description!r}")
    return int(found.group(1))


Chips = dict[str, tuple[float, float]]


def llmcarbon_tables(sources: Path) -> tuple[Chips, dict[int, float], float]:
    """Chips (area cm2, CPA), CPA by TSMC node, and DRAM kg per GB from LLMCarbon's table."""
    chips: Chips = {}
    cpa_by_node: dict[int, float] = {}
    dram = math.nan
    for row in read_csv(sources / "llmcarbon-embodied" / "hardware.csv"):
        unit = float(row["unit (cm2 or GB)"])
        cpa = float(row["CPA (kgCO2/cm2 or GB)"])
        if row["hardware"] == "DRAM":
            dram = cpa
        elif row["hardware"] != "SSD":
            chips[row["hardware"]] = (unit, cpa)
            node = node_nm(row["description"])
            if cpa_by_node.setdefault(node, cpa) != cpa:
                raise SystemExit(f"LLMCarbon: two CPAs for {node} nm")
    return chips, cpa_by_node, dram


def epoch_dies(sources: Path) -> dict[str, tuple[float, int]]:
    """Die size (mm2) and process node (nm) by Epoch AI hardware name, where both are given."""
    dies: dict[str, tuple[float, int]] = {}
    for row in read_csv(sources / "epoch-ml-hardware" / "ml_hardware.csv"):
        size, node = row["Die Size (mm^2)"].strip(), row["Process size (nm)"].strip()
        if size and node:
            dies[row["Hardware name"].strip()] = (float(size), round(float(node)))
    return dies


def fmt(value: float) -> str:
    return f"{value:.2f}"


def build(sources: Path, out: Path) -> dict[str, int]:
    manual = Manual(out / "manual" / "embodied.csv")
    hardware = {row["key"]: row for row in read_csv(out / "hardware.csv")}
    chips, cpa_by_node, dram_kg_per_gb = llmcarbon_tables(sources)
    dies = epoch_dies(sources)
    bloom_gpu = manual.number("published", "bloom", "gpu_kg")
    bloom_server = manual.number("published", "bloom", "server_kg")
    per_server = manual.number("published", "bloom", "gpus_per_server")

    rows = []
    for device in sorted(manual.devices):
        plan = manual.devices[device]
        if device not in hardware:
            raise SystemExit(f"manual/embodied.csv: {device!r} is not a key of data/hardware.csv")
        memory = plan.get("memory_gb") or hardware[device]["memory_gb"]
        estimates: dict[str, tuple[float, str, str]] = {}
        if "boavizta_card" in plan:
            card = plan["boavizta_card"]
            vram = float(plan["boavizta_vram_gb"]) if "boavizta_vram_gb" in plan else None
            shown = f" with {vram:g} GB VRAM" if vram is not None else ""
            estimates["boavizta"] = (
                boavizta_card_kg(card, vram, manual),
                f"Boavizta GPU model on the '{card}' card{shown}: effective die mm2 x factor + "
                "effective VRAM mm2 x factor + board + casing + heatsink + transport + end of life",
                BOAVIZTA,
            )
        if plan.get("published") == "bloom.gpu_kg":
            estimates["published"] = (
                bloom_gpu,
                "published per-GPU figure (BLOOM: 150 kg CO2e, a lower bound)",
                BLOOM,
            )
        if "llmcarbon_chip" in plan or "epoch_die" in plan:
            if not memory:
                raise SystemExit(f"{device}: LLMCarbon needs the memory in GB")
            if "llmcarbon_chip" in plan:
                area, cpa = chips[plan["llmcarbon_chip"]]
                what, source = f"LLMCarbon's {plan['llmcarbon_chip']} row", LLMCARBON
            else:
                size, node = dies[plan["epoch_die"]]
                if node not in cpa_by_node:
                    raise SystemExit(f"{device}: LLMCarbon has no CPA for {node} nm")
                area, cpa = size / 100, cpa_by_node[node]
                what, source = f"Epoch's die, {node} nm CPA", f"{LLMCARBON}; {EPOCH}"
            gb = float(memory)
            estimates["llmcarbon"] = (
                area * cpa + gb * dram_kg_per_gb,
                f"LLMCarbon: die {area:g} cm2 x CPA {cpa:g} kg/cm2 ({what}) + memory {gb:g} GB x "
                f"DRAM {dram_kg_per_gb:g} kg/GB",
                source,
            )
        if not estimates:
            raise SystemExit(f"{device}: no estimate")
        chosen = next(name for name in ("boavizta", "published", "llmcarbon") if name in estimates)
        value, method, _ = estimates[chosen]
        values = [kg for kg, _, _ in estimates.values()]
        sources_used = [estimates[chosen][2]] + [
            src for name, (_, _, src) in estimates.items() if name != chosen
        ]
        others = [estimates[name][1] for name in estimates if name != chosen]
        if others:
            method += "; range over: " + "; ".join(others)
        host = "host" in plan and plan["host"] == "bloom.server_kg"
        rows.append(
            {
                "device": device,
                "kg_co2e": fmt(value),
                "kg_co2e_low": fmt(min(values)),
                "kg_co2e_high": fmt(max(values)),
                "method": method,
                "year": str(YEARS[chosen]),
                "source": "; ".join(sources_used),
                "boavizta_kg": fmt(estimates["boavizta"][0]) if "boavizta" in estimates else "",
                "published_kg": fmt(estimates["published"][0]) if "published" in estimates else "",
                "llmcarbon_kg": fmt(estimates["llmcarbon"][0]) if "llmcarbon" in estimates else "",
                "host_kg_co2e": fmt(bloom_server / per_server) if host else "",
                "host_method": (
                    f"one GPU's share of an {per_server:g}-GPU server's manufacture without GPUs: "
                    f"{bloom_server:g} kg / {per_server:g}"
                    if host
                    else ""
                ),
                "host_year": "2022" if host else "",
                "host_source": f"{BLOOM} (HPE ProLiant DL345 Gen10 Plus LCA)" if host else "",
            }
        )
    return {"embodied.csv": write_csv(out / "embodied.csv", COLUMNS, rows)}


def main(argv: list[str] | None = None) -> int:
    return command(build, __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
