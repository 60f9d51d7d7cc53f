"""Cursor pages (pure): text keys in, text keys out, anything else refused."""

import pytest

from resonance.sharing.domain.paging import InvalidCursor, decode_key, encode_key, next_key


def test_a_key_comes_back_as_it_went() -> None:
    assert decode_key(encode_key("linkedin", "c-1"), 2) == ("linkedin", "c-1")


@pytest.mark.parametrize(
    "cursor",
    ["not-ours", encode_key("linkedin"), encode_key("a\x00", "b"), "WzEsMl0"],  # WzEsMl0: [1,2]
)
def test_anything_else_is_an_invalid_cursor(cursor: str) -> None:
    with pytest.raises(InvalidCursor) as refused:
        decode_key(cursor, 2)
    assert (refused.value.status, refused.value.slug) == (422, "invalid-cursor")


def test_the_extra_row_alone_says_there_is_a_next_page() -> None:
    # limit 2: a third row found means a next page after the second; two rows, the last page.
    assert next_key(["a", "b", "c"], 2, lambda r: (r,)) == encode_key("b")
    assert next_key(["a", "b"], 2, lambda r: (r,)) is None
