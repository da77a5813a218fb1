"""The escaping of text from files, kept importable here: it lives in greenai.render.escape.

The CLI's error funnel and older callers import `greenai.escape`; the one implementation is in
the render layer, beside the renderers that need it (see that module for the rules).
"""

from greenai.render.escape import (
    ZERO_WIDTH_SPACE,
    annotation_data,
    annotation_property,
    break_commands,
    controls,
    csv_cell,
    html,
    json_text,
    latex,
    markdown,
    terminal,
)

__all__ = [
    "ZERO_WIDTH_SPACE",
    "annotation_data",
    "annotation_property",
    "break_commands",
    "controls",
    "csv_cell",
    "html",
    "json_text",
    "latex",
    "markdown",
    "terminal",
]
