"""What makes an uploaded file unreadable: the limits we enforce and the error that says so."""

# Generous for any municipality (45,000 people, ~2,000 workplaces), small enough that a
# hostile file cannot make us build an unbounded table.
MAX_ROWS = 200_000
MAX_COLUMNS = 100


class ImportFileError(ValueError):
    """A file we will not read; the message is shown to the user as it is."""


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")
