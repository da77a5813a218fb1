"""The choices a renderer takes: the output format and the unit system of CO2e."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    """Every format of `greenai estimate` (other commands take a subset)."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    latex = "latex"
    model_card = "model-card"


class UnitSystem(StrEnum):
    """CO2e in kilograms (metric, the default) or in pounds, as Strubell et al. printed it."""

    metric = "metric"
    imperial = "imperial"
