"""The core: resolve (inputs -> columns + assumptions), calculate (pure numpy, value/low/high),
and the budget check over the figures. No I/O, no printing; never imports typer or rich."""
