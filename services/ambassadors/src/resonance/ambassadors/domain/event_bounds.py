"""Bounds on what HR and SCIM strings may carry into `ambassador.*` events (pure).

HR systems and identity providers send free text of any length (a department, a site, a list
of languages); copied as is, one person could make an event larger than the broker accepts
and stop publishing for everyone. Targeting values are short labels: cutting them at a
generous bound loses nothing a rule could match on.
"""

from collections.abc import Iterable

# A targeting label (brand, site, job family...) longer than this is not a label.
MAX_LABEL_CHARS = 200
# Languages, programmes, working days: a person has a handful of each.
MAX_LIST_ITEMS = 50


def bounded_label(value: str | None) -> str | None:
    return value[:MAX_LABEL_CHARS] if value is not None else None


def bounded_labels(values: Iterable[str]) -> list[str]:
    """The first `MAX_LIST_ITEMS` distinct labels, each bounded, in their order."""
    kept: list[str] = []
    for value in values:
        label = value[:MAX_LABEL_CHARS]
        if label not in kept:
            kept.append(label)
        if len(kept) == MAX_LIST_ITEMS:
            break
    return kept
