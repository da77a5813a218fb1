"""`python -m greenai`: the same entry point as the `greenai` command."""


def _run() -> None:
    # Imported inside so that `python -m greenai --help` pays only for the CLI module.
    from greenai.cli import main

    main()


if __name__ == "__main__":
    _run()
