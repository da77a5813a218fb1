"""greenai: price ML experiments in energy, CO2e, money and floating-point operations.

The package root stays import-light so that `greenai --help` starts fast; the library API is
reached through its modules (`greenai.experiment`, `greenai.estimate`, `greenai.report`).
"""

__version__ = "0.1.0"
