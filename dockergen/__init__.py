"""dockergen: render Jinja2 templates from live Docker container metadata."""

__version__ = "0.1.0"


def console() -> None:
    """What the console scripts and ``python -m dockergen`` run: :func:`dockergen.cli.entry`.

    The cyclic garbage collector goes off here, before the command line's
    modules are imported: they allocate much and free little, and collecting
    meanwhile costs a one-shot run about 3 %.  The watch loop turns it back on
    (:func:`dockergen.generator.run`).
    """
    import gc

    gc.disable()
    from dockergen.cli import entry

    entry()
