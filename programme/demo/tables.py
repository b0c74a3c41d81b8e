"""Text tables for the demo data: readable to the people who keep the data up to date."""


def rows(table: str) -> list[list[str]]:
    """Split a text table into rows of `|`-separated cells; indented lines continue a row."""
    lines: list[str] = []
    for line in table.strip("\n").splitlines():
        if line[:1].isspace() and lines:
            lines[-1] += " " + line.strip()
        elif line.strip():
            lines.append(line.strip())
    return [[cell.strip() for cell in line.split("|")] for line in lines]


def words(text: str) -> list[str]:
    return text.split()


def weighted(text: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Split "Lærer 60, Pædagog 14" into the names and their weights."""
    pairs = [item.strip().rsplit(" ", 1) for item in text.split(",")]
    names, weights = zip(*pairs, strict=True)
    return names, tuple(int(weight) for weight in weights)
