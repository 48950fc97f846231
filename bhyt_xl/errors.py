"""The few situations in which a run cannot continue.

Each carries one Vietnamese sentence for staff. Shells (CLI, macros) turn them
into a message and a non-zero exit code; nothing is written.
"""


class BhytError(Exception):
    """A problem that stops the run; ``str(exc)`` is the Vietnamese message."""


class InputFileError(BhytError):
    """The input file cannot be opened or is of an unsupported type."""


class NoHeaderRow(BhytError):
    """No row of the sheet looks like a header of a card list."""


class MissingColumns(BhytError):
    """A required column is absent."""


class ParamsInvalid(BhytError):
    """The params sheet or file cannot be used."""


class OutputError(BhytError):
    """The output file cannot be written (locked, folder missing, ...)."""
