"""Top 5 % share and Gini index on small hand-computed distributions."""

from itertools import product

import pytest

from resonance.metrics.domain.concentration import (
    Distribution,
    gini,
    top_count,
    top_share,
)


def pairwise_gini(values: list[int]) -> float:
    """The textbook definition, independent of the implementation's closed form:
    G = sum over all ordered pairs |x_i - x_j| / (2 n^2 mean)."""
    n, mean = len(values), sum(values) / len(values)
    return sum(abs(a - b) for a, b in product(values, values)) / (2 * n * n * mean)


def test_gini_of_one_person_making_everything() -> None:
    # n = 4: pairs (10, 0) appear 3 x 2 = 6 times -> 60 / (2 x 16 x 2.5) = 0.75 = (n-1)/n.
    assert gini(Distribution.from_values([0, 0, 0, 10])) == 0.75


def test_gini_of_a_uniform_distribution_is_zero() -> None:
    assert gini(Distribution.from_values([3, 3, 3, 3])) == 0.0


def test_gini_of_one_two_three_four() -> None:
    # |differences| over unordered pairs: 1+2+3+1+2+1 = 10, both orders 20;
    # 2 n^2 mean = 2 x 16 x 2.5 = 80 -> 0.25.
    assert gini(Distribution.from_values([4, 1, 3, 2])) == 0.25


@pytest.mark.parametrize("values", [[5, 0, 0, 1, 9, 9, 2], [1], [0, 7], [2, 2, 5, 0, 0, 0, 13]])
def test_gini_matches_the_pairwise_definition(values: list[int]) -> None:
    assert gini(Distribution.from_values(values)) == pytest.approx(pairwise_gini(values))


def test_gini_without_people_or_contributions_is_none() -> None:
    assert gini(Distribution.from_values([])) is None
    assert gini(Distribution.from_values([0, 0])) is None


def test_top_count_is_the_ceiling_of_5_percent() -> None:
    assert top_count(100) == 5
    assert top_count(60) == 3  # 0.05 x 60 is 3.0000000000000004 in binary floating point
    assert top_count(21) == 2  # 1.05 -> 2
    assert top_count(1) == 1
    assert top_count(0) == 0
    with pytest.raises(ValueError):
        top_count(10, 0)


def test_the_practitioners_5_percent_making_half() -> None:
    # 100 ambassadors: 5 champions with 10 shares each, 50 with 1, 45 with none.
    distribution = Distribution.from_counts({10: 5, 1: 50, 0: 45})
    top = top_share(distribution)
    assert (top.people, top.contributions, top.share) == (5, 50, 0.5)


def test_top_share_splits_a_bucket() -> None:
    # 20 people: one made 10, three made 5, sixteen made 0 (total 25).
    distribution = Distribution.from_counts({10: 1, 5: 3, 0: 16})
    assert top_share(distribution).share == 10 / 25  # top 5 % of 20 = 1 person
    ten_percent = top_share(distribution, 0.1)  # 2 people: 10 + one of the 5s
    assert (ten_percent.people, ten_percent.contributions, ten_percent.share) == (2, 15, 0.6)
    assert top_share(Distribution.from_values([0, 0])).share is None


def test_distributions_from_values_and_from_sql_counts_agree() -> None:
    from_values = Distribution.from_values([0, 10, 0, 0, 3])
    assert from_values == Distribution.from_counts({0: 3, 3: 1, 10: 1, 7: 0})
    assert (from_values.people, from_values.total) == (5, 13)
    with pytest.raises(ValueError):
        Distribution(((5, 1), (1, 1)))  # not ascending
    with pytest.raises(ValueError):
        Distribution(((-1, 1),))
