"""Leaderboards: competition ranks, stable tie order, hidden people, own rank and pages."""

from datetime import UTC, datetime

import pytest

from resonance.metrics.domain.leaderboard import (
    Standing,
    own_rank,
    page_holding,
    page_of,
    rank_board,
    rank_from_count,
)


def at(hour: int) -> datetime:
    return datetime(2026, 5, 6, hour, tzinfo=UTC)


ANNA = Standing("anna", 50, at(9))
BOB = Standing("bob", 40, at(12))
CARL = Standing("carl", 40, at(10))  # reached 40 before bob did
DINA = Standing("dina", 30, at(8))
EVE = Standing("eve", 45, at(11), hidden=True)
FRED = Standing("fred", 0, at(7))
STANDINGS = (BOB, FRED, EVE, DINA, ANNA, CARL)


def test_competition_ranking_with_stable_tie_order() -> None:
    board = rank_board(STANDINGS)
    # Scores 50, 40, 40, 30 -> ranks 1, 2, 2, 4; carl before bob (reached 40 earlier).
    assert [(r.ambassador_id, r.rank, r.position) for r in board] == [
        ("anna", 1, 1),
        ("carl", 2, 2),
        ("bob", 2, 3),
        ("dina", 4, 4),
    ]


def test_equal_score_and_time_fall_back_to_the_id() -> None:
    same = [Standing("zoe", 5, at(9)), Standing("adam", 5, at(9))]
    assert [r.ambassador_id for r in rank_board(same)] == ["adam", "zoe"]
    assert {r.rank for r in rank_board(same)} == {1}


def test_hidden_and_zero_score_people_take_no_public_position() -> None:
    ids = {r.ambassador_id for r in rank_board(STANDINGS)}
    assert "eve" not in ids and "fred" not in ids
    # No gap betrays eve (45, between anna and carl): carl is 2nd, not 3rd.
    assert rank_board(STANDINGS)[1].rank == 2


def test_a_hidden_ambassador_sees_the_rank_they_would_have_on_the_public_board() -> None:
    mine = own_rank(EVE, STANDINGS)
    # Only anna (50) is listed above 45: rank 2, out of the 4 listed people plus eve.
    assert (mine.rank, mine.out_of, mine.hidden, mine.listed) == (2, 5, True, False)


def test_own_rank_of_a_visible_ambassador_matches_the_board() -> None:
    board = {r.ambassador_id: r.rank for r in rank_board(STANDINGS)}
    for standing in (ANNA, BOB, CARL, DINA):
        mine = own_rank(standing, STANDINGS)
        assert mine.rank == board[standing.ambassador_id]
        assert mine.out_of == 4 and mine.listed


def test_other_hidden_people_never_push_anyone_down() -> None:
    star = Standing("star", 1_000, at(6), hidden=True)
    assert own_rank(ANNA, (*STANDINGS, star)).rank == 1
    assert own_rank(EVE, (*STANDINGS, star)).rank == 2


def test_someone_without_points_is_ranked_after_everyone_who_scored() -> None:
    mine = own_rank(FRED, STANDINGS)
    assert (mine.rank, mine.out_of, mine.listed) == (5, 5, False)


def test_rank_from_count_is_what_sql_must_compute() -> None:
    board = rank_board(STANDINGS)
    for row in board:
        higher = sum(1 for other in board if other.score > row.score)
        assert rank_from_count(higher) == row.rank


def test_pages_keep_ranks_of_the_whole_board() -> None:
    board = rank_board(STANDINGS)
    first, second, third = page_of(board, 1, 2), page_of(board, 2, 2), page_of(board, 3, 2)
    assert [(r.ambassador_id, r.rank) for r in first.entries] == [("anna", 1), ("carl", 2)]
    # The tie straddles the page break: bob is still rank 2 on page 2.
    assert [(r.ambassador_id, r.rank) for r in second.entries] == [("bob", 2), ("dina", 4)]
    assert third.entries == () and (third.total, third.pages) == (4, 2)
    assert page_holding(3, 2) == 2 and page_holding(1, 2) == 1 and page_holding(5, 2) == 3
    assert page_of((), 1, 20).pages == 0


def test_bad_pages_are_refused() -> None:
    with pytest.raises(ValueError):
        page_of((), 0, 20)
    with pytest.raises(ValueError):
        page_of((), 1, 101)
    with pytest.raises(ValueError):
        page_holding(0)
    with pytest.raises(ValueError):
        rank_from_count(-1)
