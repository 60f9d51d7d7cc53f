"""Leaderboards: ranks, ties, hidden ambassadors and pages (pure).

Rules, which the store's SQL must follow too:

- **Rank** is standard competition ranking on the score alone ("1, 2, 2, 4"): your rank is
  1 + the number of people on the board with a strictly higher score. People tied on a score
  share a rank, whatever else differs.
- **Order** on the board (which of the tied comes first, and so what a page holds) is stable:
  score descending, then whoever reached that score first (`reached_at`, the time of their
  last scoring fact in the window) ascending, then `ambassador_id` ascending.
- **Only people who scored** (score > 0) are listed: a board of people who did nothing yet is
  noise, and nobody is shown at the bottom for not taking part.
- **Hidden ambassadors** (a privacy choice) are left out of public boards entirely and do not
  use up a position or a rank there, so no rank gap betrays them. A hidden ambassador still sees
  their own rank, counted against the public board: the rank they would have if they showed
  themselves. Counting other hidden people would leak their scores, so nobody's rank does.
  For a visible ambassador this is simply their public rank, so a board and an own-rank read
  always agree.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Standing:
    """One ambassador's score on a board (a period, a segment, a metric)."""

    ambassador_id: str
    score: int
    reached_at: datetime
    hidden: bool = False


@dataclass(frozen=True)
class RankedStanding:
    rank: int  # shared by ties
    position: int  # 1-based place in the board's order, unique
    ambassador_id: str
    score: int
    reached_at: datetime


@dataclass(frozen=True)
class OwnRank:
    """What an ambassador sees about themselves: rank `rank` out of `out_of` ranked people."""

    ambassador_id: str
    score: int
    rank: int
    out_of: int
    hidden: bool
    listed: bool  # on the public board (visible and scored)


def board_order(standing: Standing) -> tuple[int, datetime, str]:
    """Sort key of the board order: score desc, earliest to reach it, then id."""
    return (-standing.score, standing.reached_at, standing.ambassador_id)


def is_listed(standing: Standing) -> bool:
    return not standing.hidden and standing.score > 0


def rank_board(standings: Iterable[Standing]) -> tuple[RankedStanding, ...]:
    """The public board: visible people who scored, in board order, with competition ranks."""
    listed = sorted((s for s in standings if is_listed(s)), key=board_order)
    board: list[RankedStanding] = []
    for position, standing in enumerate(listed, start=1):
        tied_with_previous = bool(board) and board[-1].score == standing.score
        rank = board[-1].rank if tied_with_previous else position
        board.append(
            RankedStanding(
                rank=rank,
                position=position,
                ambassador_id=standing.ambassador_id,
                score=standing.score,
                reached_at=standing.reached_at,
            )
        )
    return tuple(board)


def rank_from_count(listed_with_higher_score: int) -> int:
    """Competition rank from the one count SQL needs (visible, scored, strictly higher)."""
    if listed_with_higher_score < 0:
        raise ValueError("a count cannot be negative")
    return listed_with_higher_score + 1


def own_rank(viewer: Standing, standings: Iterable[Standing]) -> OwnRank:
    """The viewer's rank against the public board, whether or not they are listed on it.

    `out_of` counts the listed people plus the viewer when the viewer is not listed (hidden,
    or no score yet), so "rank 12 of 40" always includes the viewer.
    """
    listed_others = [
        s for s in standings if is_listed(s) and s.ambassador_id != viewer.ambassador_id
    ]
    higher = sum(1 for s in listed_others if s.score > viewer.score)
    return OwnRank(
        ambassador_id=viewer.ambassador_id,
        score=viewer.score,
        rank=rank_from_count(higher),
        out_of=len(listed_others) + 1,
        hidden=viewer.hidden,
        listed=is_listed(viewer),
    )


@dataclass(frozen=True)
class BoardPage:
    entries: tuple[RankedStanding, ...]
    page: int  # 1-based
    size: int
    total: int  # listed people on the whole board
    pages: int


def check_page(page: int, size: int) -> None:
    if page < 1:
        raise ValueError("pages are numbered from 1")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValueError(f"page size must be between 1 and {MAX_PAGE_SIZE}")


def page_of(
    board: Sequence[RankedStanding], page: int = 1, size: int = DEFAULT_PAGE_SIZE
) -> BoardPage:
    """Page `page` of a ranked board; a page past the end is empty, not an error.

    Ranks come from the whole board, so a tie straddling two pages shows the same rank on both.
    """
    check_page(page, size)
    start = (page - 1) * size
    return BoardPage(
        entries=tuple(board[start : start + size]),
        page=page,
        size=size,
        total=len(board),
        pages=-(-len(board) // size),
    )


def page_holding(position: int, size: int = DEFAULT_PAGE_SIZE) -> int:
    """The page that shows board position `position` ("jump to me")."""
    check_page(1, size)
    if position < 1:
        raise ValueError("positions are numbered from 1")
    return (position - 1) // size + 1
