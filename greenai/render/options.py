"""The choices a renderer takes: the output format and the unit system of CO2e.

Declared once, in greenai.formats (which the CLI reads for --help without importing the
renderers); these are the same enums under the renderers' names.
"""

from __future__ import annotations

from greenai.formats import Format
from greenai.formats import Units as UnitSystem

__all__ = ["Format", "UnitSystem"]
