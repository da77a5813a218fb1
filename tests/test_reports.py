"""The forms others ask for: the SCI per functional unit (--per), the EU AI Act's Annex XI
section, SPDX 3.0.1 and CycloneDX 1.6 documents (each validated by its own published JSON
schema, vendored under tests/schemas/ with its source), and the papers' checklist answers."""

from __future__ import annotations

import csv
import functools
import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import CONFIGS, ROOT

SCHEMAS = ROOT / "tests" / "schemas"
GOLDEN = ROOT / "tests" / "golden"
LLAMA = CONFIGS / "published" / "llama2_7b.yaml"
OLMO = CONFIGS / "published" / "olmo_7b.yaml"
BERT = CONFIGS / "strubell2019" / "bert_base_v100.yaml"
WHEN = "2026-01-31T12:00:00Z"

# E x I and R in round numbers, M unknown (the file gives energy without hours, so no
# device-hours to spread a device's embodied CO2e over): SCI = E x I / R exactly.
ROUND = """\
name: Round numbers
hardware: V100
energy: 1000 kWh
pue: 1.0
carbon_intensity: 500 g/kWh
runs: 2
fpo:
  parameters: 1e9
  tokens: 1e12
"""


PLAIN = "hardware: V100\nhours: 1\nregion: fr\n"


def _json(result) -> list[dict]:
    assert result.code == 0, result.err
    return json.loads(result.out)


# ----------------------------------------------------------------------------- SCI (--per)


@pytest.mark.parametrize(
    ("per", "units", "sci_g"),
    [
        # E x I = 2 runs x 1,000 kWh x 500 g/kWh = 1,000,000 g
        ("token", 2e12, 1e6 / 2e12),  # 2 runs x 1e12 tokens
        ("run", 2, 500_000.0),
        ("parameter", 1e9, 1e-3),  # all runs' CO2e per parameter of the model
        ("pflop", 2 * 6 * 1e9 * 1e12 / 1e15, 1e6 / 12e6),  # 6 N D per run, 2 runs
    ],
)
def test_sci_of_round_numbers_is_exact(cli, write, per, units, sci_g) -> None:
    [found] = _json(cli("estimate", write(ROUND), "--per", per, "-f", "json"))
    sci = found["sci"]
    assert sci["per"] == per
    assert sci["units"] == pytest.approx(units, rel=1e-12)
    assert sci["sci_g_per_unit"] == pytest.approx(sci_g, rel=1e-12)
    assert sci["low"] == sci["high"] == pytest.approx(sci_g, rel=1e-12)  # exact inputs
    assert sci["embodied_included"] is False


def test_sci_of_llama2_adds_embodied_to_metas_published_operational_figure(cli) -> None:
    """E x I is Meta's 31.22 tCO2eq (Llama 2 model card); M is greenai's embodied estimate;
    R is 6 x 7e9 x 2e12 FLOP = 8.4e7 PFLOP. The SCI's bounds are the total's bounds over R."""
    [found] = _json(cli("estimate", LLAMA, "--per", "pflop", "-f", "json"))
    assert found["co2e_kg"] == pytest.approx(31_220, abs=5)  # 31.22 t, as published
    sci = found["sci"]
    assert sci["units"] == pytest.approx(8.4e7)
    assert sci["embodied_included"] is True
    total = found["co2e_kg"] + found["embodied_co2e_kg"]
    assert sci["sci_g_per_unit"] == pytest.approx(total * 1000 / 8.4e7, rel=1e-12)
    low, high = found["ranges"]["total_co2e_kg"].values()
    assert sci["low"] == pytest.approx(low * 1000 / 8.4e7)
    assert sci["high"] == pytest.approx(high * 1000 / 8.4e7)
    assert sci["low"] < sci["sci_g_per_unit"] < sci["high"]


def test_without_per_the_json_has_no_sci_key(cli) -> None:
    [found] = _json(cli("estimate", LLAMA, "-f", "json"))
    assert "sci" not in found


@pytest.mark.parametrize(
    ("text", "per", "key"),
    [
        (ROUND, "example", "fpo.examples"),  # parameters and tokens give no examples
        (PLAIN, "token", "fpo.tokens"),
        (PLAIN, "pflop", "fpo"),
        (PLAIN, "parameter", "fpo.parameters"),
        (PLAIN + "fpo:\n  per_example: 1 GFLOP\n  examples: 10\n", "token", "fpo.tokens"),
    ],
)
def test_per_refuses_what_the_file_does_not_give(cli, write, text, per, key) -> None:
    path = write(text)
    result = cli("estimate", path, "--per", per)
    assert result.code == 2
    assert result.out == ""
    [line] = result.err.strip().splitlines()
    assert str(path) in line and f"{key}:" in line and f"--per {per}" in line
    assert "Traceback" not in result.err


def test_per_example_counts_the_examples_of_all_runs(cli, write) -> None:
    path = write(PLAIN + "runs: 3\nfpo:\n  per_example: 1 GFLOP\n  examples: 10\n")
    [found] = _json(cli("estimate", path, "--per", "example", "-f", "json"))
    assert found["sci"]["units"] == 30
    assert found["sci"]["sci_g_per_unit"] == pytest.approx(found["total_co2e_kg"] * 1000 / 30)


def test_staged_files_offer_pflop_only(cli, write) -> None:
    staged = """\
stages:
  - name: pre-training
    hardware: 8 x A100
    hours: 10
    region: fr
    fpo: {parameters: 1e9, tokens: 1e10}
  - name: fine-tuning
    hardware: 1 x A100
    hours: 2
    region: fr
    fpo: {parameters: 1e9, tokens: 1e8}
"""
    path = write(staged)
    refused = cli("estimate", path, "--per", "token")
    assert refused.code == 2 and "staged" in refused.err and "--per pflop" in refused.err
    [found] = _json(cli("estimate", path, "--per", "pflop", "-f", "json"))
    assert found["sci"]["units"] == pytest.approx(6e9 * (1e10 + 1e8) / 1e15)


def test_sci_is_shown_with_its_r_in_every_table_format(cli) -> None:
    args = ("estimate", LLAMA, OLMO, "--per", "token")
    table = cli(*args)
    assert table.code == 0, table.err
    for result in (table, cli(*args, "-f", "markdown"), cli(*args, "-f", "latex")):
        out = result.out.replace("CO$_2$e", "CO2e")  # LaTeX's subscript
        assert "R (tokens)" in out and "SCI (g CO2e/token)" in out
        assert "ISO/IEC 21031:2024" in out
        assert "fpo.tokens 2e+12 x 1 run" in out  # R declared, as the SCI asks
        # OLMo's file gives energy alone: no device-hours, so no M, and that is said
        assert "(E x I) / R alone for: OLMo 7B" in out
    markdown = cli(*args, "-f", "markdown").out
    llama = next(line for line in markdown.splitlines() if line.startswith("| Llama 2"))
    assert llama.endswith("| 2T | 1.69e-05 |")  # 33,807 kg / 2e12 tokens
    [summed] = [line for line in markdown.splitlines() if line.startswith("| **Total**")]
    assert summed.endswith("| **4.5T** | **2.3e-05** |")  # all the CO2e over all the tokens


def test_sci_in_csv_and_model_card(cli) -> None:
    out = cli("estimate", LLAMA, "--per", "parameter", "-f", "csv").out
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert row["per"] == "parameter" and float(row["functional_units"]) == 7e9
    assert float(row["sci_g_per_unit"]) == pytest.approx(float(row["total_co2e_kg"]) * 1000 / 7e9)
    assert float(row["sci_g_per_unit_low"]) < float(row["sci_g_per_unit"])
    plain = cli("estimate", LLAMA, "-f", "csv").out
    assert "sci_g_per_unit" not in plain  # no --per: the CSV keeps its columns
    card = cli("estimate", LLAMA, "--per", "parameter", "-f", "model-card").out
    assert "SCI 0.00483 g CO2e/parameter (R = 7e+09)" in card


def test_total_row_has_no_sci_per_parameter(cli) -> None:
    """Two 7B models are not one 14B model: the total of --per parameter stays unknown."""
    out = cli("estimate", LLAMA, OLMO, "--per", "parameter", "-f", "markdown").out
    [summed] = [line for line in out.splitlines() if line.startswith("| **Total**")]
    assert summed.endswith("| **—** | **—** |")


# ----------------------------------------------------------------------------- Annex XI


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("GREENAI_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} differs; if the change is meant, rerun with GREENAI_UPDATE_GOLDEN=1"
    )


def test_annex_xi_of_olmo_is_the_golden_file(cli) -> None:
    result = cli("estimate", OLMO, "-f", "annex-xi")
    assert result.code == 0, result.err
    _golden("annex_xi_olmo_7b.md", result.out)


def test_annex_xi_quotes_the_regulation_and_says_known_or_estimated(cli) -> None:
    olmo = cli("estimate", OLMO, "-f", "annex-xi").out
    assert "(e) known or estimated energy consumption of the model." in olmo
    assert (
        "(d) the computational resources used to train the model (e.g. number of floating "
        "point operations), training time, and other relevant details related to the training;"
    ) in olmo
    assert "https://eur-lex.europa.eu/eli/reg/2024/1689/oj" in olmo
    # OLMo's paper gives the energy (104 MWh before PUE 1.1): known, not estimated
    energy = "| Energy consumption (kWh, PUE included) | 114,400 | known: the IT energy is given"
    assert energy in olmo
    assert "1.050e+23 FLOP" in olmo  # 6 x 7e9 x 2.5e12
    # a what-if: hours derived from the FPO, power from TDP: estimated, and said so
    what_if = cli("estimate", CONFIGS / "fpo" / "llm_7b_1t_tokens_256xh100.yaml", "-f", "annex-xi")
    assert "The energy is estimated, as point (e) allows" in what_if.out
    assert "estimated: derived from the compute (peak FLOP/s x MFU)" in what_if.out
    assert "— defaulted; source:" in what_if.out  # the MFU, TDP x 1: greenai's defaults


def test_annex_xi_renders_file_text_inert(cli, write) -> None:
    """A name with Markdown and HTML stays text in the section: parsed by markdown-it (the
    CommonMark parser rich uses) with GitHub's tables, no HTML and no extra cell appear."""
    from markdown_it import MarkdownIt

    name = "x | y <!-- # *b* [l](http://e.x) `c`"
    result = cli("estimate", write(f"name: '{name}'\nhardware: 2 x V100\nhours: 3\nregion: fr\n"),
                 "-f", "annex-xi")  # fmt: skip
    assert result.code == 0, result.err
    html = MarkdownIt("commonmark").enable("table").render(result.out)
    assert html.count("<!--") == 1 and html.startswith("<!-- greenai ")  # greenai's own only
    assert "<a " not in html and "<em>" not in html and "<code>" not in html
    assert "&lt;!--" in html
    for table in html.split("<table>")[1:]:
        rows = table.split("</table>")[0].split("<tr>")[1:]
        assert {row.count("<td>") + row.count("<th>") for row in rows} == {3}


# ----------------------------------------------------------------------------- SPDX 3.0.1


@functools.cache
def _spdx_validator():
    from jsonschema import Draft202012Validator

    schema = json.loads((SCHEMAS / "spdx-3.0.1" / "spdx-json-schema.json").read_text())
    return Draft202012Validator(schema)


def test_spdx_document_is_valid_and_carries_the_energy(cli) -> None:
    result = cli("estimate", LLAMA, OLMO, "-f", "spdx", "--created", WHEN)
    assert result.code == 0, result.err
    document = json.loads(result.out)
    _spdx_validator().validate(document)
    graph = document["@graph"]
    assert graph[0]["created"] == WHEN and graph[0]["specVersion"] == "3.0.1"
    packages = [e for e in graph if e["type"] == "ai_AIPackage"]
    names = ["Llama 2 7B (Meta 2023)", "OLMo 7B (A100-40GB, Groeneveld et al. 2024)"]
    assert [p["name"] for p in packages] == names
    [llama] = packages[0]["ai_energyConsumption"]["ai_trainingEnergyConsumption"]
    assert llama == {
        "type": "ai_EnergyConsumptionDescription",
        "ai_energyQuantity": 81100.8,  # 184,320 h x 400 W x PUE 1.1
        "ai_energyUnit": "kilowattHour",
    }
    [olmo] = packages[1]["ai_energyConsumption"]["ai_trainingEnergyConsumption"]
    assert olmo["ai_energyQuantity"] == 114400  # 104 MWh x 1.1, as the OLMo paper
    [document_element] = [e for e in graph if e["type"] == "SpdxDocument"]
    assert document_element["rootElement"] == [p["spdxId"] for p in packages]


def test_spdx_fine_tuning_and_the_schema_refuses_a_wrong_unit(cli) -> None:
    out = cli("estimate", BERT, "-f", "spdx", "--training-type", "fine-tuning", "--created", WHEN)
    document = json.loads(out.out)
    validator = _spdx_validator()
    validator.validate(document)
    [package] = [e for e in document["@graph"] if e["type"] == "ai_AIPackage"]
    assert list(package["ai_energyConsumption"]) == ["type", "ai_finetuningEnergyConsumption"]
    package["ai_energyConsumption"]["ai_finetuningEnergyConsumption"][0]["ai_energyUnit"] = "kWh"
    assert not validator.is_valid(document)  # the test can fail: the schema is read


def test_spdx_and_cyclonedx_are_deterministic(cli, monkeypatch) -> None:
    for form in ("spdx", "cyclonedx"):
        first = cli("estimate", LLAMA, "-f", form, "--created", WHEN).out
        assert first == cli("estimate", LLAMA, "-f", form, "--created", WHEN).out
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1769860800")  # 2026-01-31T12:00:00Z
        assert cli("estimate", LLAMA, "-f", form).out == first
        monkeypatch.delenv("SOURCE_DATE_EPOCH")
        other = cli("estimate", BERT, "-f", form, "--created", WHEN).out
        assert json.loads(other) != json.loads(first)


@pytest.mark.parametrize(
    "created",
    ["yesterday", "2026-01-31T12:00:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"],
)
def test_a_bad_created_is_one_line_and_exit_2(cli, created) -> None:
    result = cli("estimate", LLAMA, "-f", "spdx", "--created", created)
    assert result.code == 2 and result.out == ""
    [line] = result.err.strip().splitlines()
    assert "--created" in line


# ----------------------------------------------------------------------------- CycloneDX 1.6


@functools.cache
def _cyclonedx_validator():
    from jsonschema import Draft7Validator, FormatChecker
    from referencing import Registry, Resource

    folder = SCHEMAS / "cyclonedx-1.6"
    base = "http://cyclonedx.org/schema/"
    schema = json.loads((folder / "bom-1.6.SNAPSHOT.schema.json").read_text())
    registry = Registry().with_resources(
        (base + name, Resource.from_contents(json.loads((folder / name).read_text())))
        for name in ("spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json")
    )
    return Draft7Validator(schema, registry=registry, format_checker=FormatChecker())


def test_cyclonedx_bom_is_valid_and_carries_energy_and_co2(cli) -> None:
    result = cli("estimate", BERT, LLAMA, "-f", "cyclonedx", "--created", WHEN, "--per", "run")
    assert result.code == 0, result.err
    bom = json.loads(result.out)
    validator = _cyclonedx_validator()
    validator.validate(bom)
    assert bom["specVersion"] == "1.6" and bom["metadata"]["timestamp"] == WHEN
    bert, llama = bom["components"]
    assert llama["name"] == "Llama 2 7B (Meta 2023)" and llama["bom-ref"] == "model-2"
    assert bert["type"] == "machine-learning-model"
    [energy] = bert["modelCard"]["considerations"]["environmentalConsiderations"][
        "energyConsumptions"
    ]
    assert energy["activity"] == "training"
    # Strubell et al. 2019, Table 3, BERT base on 64 V100: 1,507 kWh x PUE, 1,438 lb CO2e
    assert energy["activityEnergyCost"]["unit"] == "kWh"
    assert energy["activityEnergyCost"]["value"] == pytest.approx(1507, abs=1)
    assert energy["co2CostEquivalent"]["unit"] == "tCO2eq"
    assert energy["co2CostEquivalent"]["value"] == pytest.approx(1438 * 0.45359237 / 1000, rel=2e-3)
    [provider] = energy["energyProviders"]
    assert provider["energySource"] == "unknown"
    assert "432.7 g CO2e/kWh" in provider["description"]  # 0.954 lb/kWh
    properties = {p["name"]: p["value"] for p in energy["properties"]}
    assert properties["greenai:sci_functional_unit"] == "run"
    assert properties["greenai:pue"] == "1.58"
    energy["activityEnergyCost"]["unit"] = "MWh"
    assert not validator.is_valid(bom)  # the test can fail: the schema is read


def test_cyclonedx_fine_tuning_activity(cli) -> None:
    out = cli("estimate", BERT, "-f", "cyclonedx", "--training-type", "fine-tuning").out
    bom = json.loads(out)
    _cyclonedx_validator().validate(bom)
    considerations = bom["components"][0]["modelCard"]["considerations"]
    assert considerations["environmentalConsiderations"]["energyConsumptions"][0]["activity"] == (
        "fine-tuning"
    )


# ----------------------------------------------------------------------------- checklists


def test_checklist_quotes_the_questions_and_answers_from_the_file(cli) -> None:
    result = cli("estimate", BERT, LLAMA, "-f", "checklist")
    assert result.code == 0, result.err
    out = result.out
    assert (
        "> Question: For each experiment, does the paper provide sufficient information on the "
        "computer resources (type of compute workers, memory, time of execution) needed to "
        "reproduce the experiments?"
    ) in out
    assert (
        "> C1. Did you report the number of parameters in the models used, the total "
        "computational budget (e.g., GPU hours), and computing infrastructure used?"
    ) in out
    lines = out.splitlines()
    [bert] = [line for line in lines if line.startswith("| BERT base (V100) | 64 x V100")]
    assert "79.2 h wall-clock" in bert and "5,069 device-hours" in bert  # 64 x 79.2 h
    assert "host memory not given in the file" in bert
    [llama_acl] = [line for line in lines if line.startswith("| Llama 2 7B (Meta 2023) | 7B |")]
    assert "184,320 device-hours" in llama_acl and "8.4e+22 FLOP" in llama_acl
    [bert_acl] = [line for line in lines if line.startswith("| BERT base (V100) | not given")]
    assert "FPO not given" not in bert_acl  # the budget in GPU hours is known
    assert "wall-clock not given in the file; 184,320 device-hours" in out  # Llama: no hours


def test_compare_offers_no_document_format(cli) -> None:
    for form in ("annex-xi", "spdx", "cyclonedx", "checklist", "model-card"):
        result = cli("compare", BERT, "--vary", "region=fr,us", "-f", form)
        assert result.code == 2, form


def test_vendored_schemas_name_their_source() -> None:
    for folder in ("spdx-3.0.1", "cyclonedx-1.6"):
        source = (SCHEMAS / folder / "SOURCE.md").read_text()
        assert "sha256" in source and "License" in source
    assert Path(SCHEMAS / "cyclonedx-1.6" / "LICENSE").exists()


# ----------------------------------------------------------------------------- --created parser


@given(moment=st.datetimes(timezones=st.timezones(), min_value=datetime(1971, 1, 1)))
@settings(max_examples=60, deadline=None)
def test_created_is_the_same_instant_in_utc(moment: datetime) -> None:
    from greenai.render.spdx import timestamp

    text = timestamp(moment.isoformat())
    back = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert back == moment.replace(microsecond=0).astimezone(UTC).replace(microsecond=0)


@given(text=st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_created_is_a_time_or_an_input_error(text: str) -> None:
    from greenai.errors import InputError
    from greenai.render.spdx import timestamp

    try:
        shown = timestamp(text)
    except InputError as error:
        assert error.key == "--created"
    else:
        assert len(shown) == 20 and shown.endswith("Z")


def test_source_date_epoch_must_be_whole_seconds() -> None:
    from greenai.errors import InputError
    from greenai.render.spdx import timestamp

    assert timestamp(None, {"SOURCE_DATE_EPOCH": "0"}) == "1970-01-01T00:00:00Z"
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH"):
        timestamp(None, {"SOURCE_DATE_EPOCH": "1.5"})
