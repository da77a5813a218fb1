"""Rendering: results in, text out, one pure module per output format (after pip-audit's
`_format/`). Nothing here prints, exits or computes a figure.

- `sheet`: the neutral sheet (header, rows, alignment, total, notes, assumptions) and one
  builder per result kind (estimate, FPO breakdown, comparison, check, listing, curve, FPO
  count); the estimate's columns are one declared list of specs (`sheet.ESTIMATE_COLUMNS`).
- `numbers`: how a figure is written (1,438; $3,201; 288 EFLOP; 0.42x).
- `terminal` (rich, imported only by a table), `markdown`, `latex`, `csv`, `json`,
  `model_card`, `github` (annotations and job summary), `plot` (curve charts), `snippet`
  (the `fpo:` block to paste into a file); the documents of one model: `annex_xi` (EU AI Act),
  `spdx` (SPDX 3.0.1), `cyclonedx` (CycloneDX 1.6 ML-BOM), `checklist` (NeurIPS, ACL).
- `escape`: the one place where text from files is made inert for each consumer.

This package's `__init__` imports nothing, so `greenai.render.escape` stays light for the CLI's
error funnel. `greenai.report` is the façade that picks a renderer from the `--format` choice.
"""
