"""The HTTP side of one convention for every /v1 list (docs/api.md, "Lists"): `limit` and
`cursor` in, `{"items": [...], "next_cursor": ...}` out."""

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from resonance.common.paging import MAX_LIMIT

CURSOR_DOC = "next_cursor of the previous page (every /v1 list pages the same way)"
NEXT_CURSOR_DOC = "Pass as `cursor` (with the same filters) for the next page; null on the last"
INVALID_CURSOR = {422: {"description": "A cursor this service did not issue (`invalid-cursor`)"}}

PageLimit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}")]
PageCursor = Annotated[str | None, Query(min_length=1, max_length=500, description=CURSOR_DOC)]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: `next_cursor` asks for the next one (null on the last page)."""

    items: list[T]
    next_cursor: str | None = Field(description=NEXT_CURSOR_DOC)


def page_examples(item: type[BaseModel]) -> ConfigDict:
    """The page's example: one item (the item schema's own example) and no next page."""
    extra: Any = item.model_config.get("json_schema_extra") or {}
    examples = extra.get("examples", []) if isinstance(extra, dict) else []
    return ConfigDict(
        json_schema_extra={"examples": [{"items": examples[:1], "next_cursor": None}]}
    )
