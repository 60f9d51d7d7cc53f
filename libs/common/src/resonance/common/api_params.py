"""Request parameters every service declares the same way."""

from typing import Annotated

from fastapi import Path

# No control characters: PostgreSQL text cannot hold NUL (a 422, not a 500).
AmbassadorRef = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="An ambassador id, or `me` for the caller",
    ),
]
