"""What leaving means for the projected ambassador (targeting by programme)."""


def after_leaving(
    programmes: list[str], programme_id: str | None, reason: str
) -> tuple[list[str], bool]:
    """The programmes the person still belongs to, and whether they are still active.

    Leaving one programme keeps the others (active while any remains); leaving the company
    ("leaver") or leaving without naming a programme ends everything."""
    if programme_id is not None and reason != "leaver":
        remaining = [p for p in programmes if p != programme_id]
        return remaining, bool(remaining)
    return programmes, False
