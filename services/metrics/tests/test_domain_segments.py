"""Segments read like content targeting; stages are ordered."""

from resonance.metrics.domain.segments import EVERYONE, Profile, Segment, in_segment, stage_at_least

LYON_SALES = Profile(
    programmes=frozenset({"p1", "p2"}), brand="acme", site="lyon", country="FR", job_family="sales"
)


def test_empty_segment_is_everyone() -> None:
    assert EVERYONE.is_everyone and in_segment(Profile(), EVERYONE)


def test_any_value_within_a_field_all_fields_must_match() -> None:
    assert in_segment(LYON_SALES, Segment(countries=frozenset({"FR", "DE"})))
    assert in_segment(
        LYON_SALES, Segment(programmes=frozenset({"p2", "p9"}), brands=frozenset({"acme"}))
    )
    assert not in_segment(
        LYON_SALES, Segment(countries=frozenset({"FR"}), sites=frozenset({"paris"}))
    )
    assert not in_segment(LYON_SALES, Segment(programmes=frozenset({"p9"})))
    # A missing attribute never matches a non-empty field.
    assert not in_segment(Profile(country="FR"), Segment(entities=frozenset({"acme-fr"})))


def test_stages_are_ordered() -> None:
    assert stage_at_least("creator", "curator")
    assert stage_at_least("curator", "curator")
    assert not stage_at_least("sharer", "curator")
    assert not stage_at_least(None, "sharer")  # unknown is novice
    assert stage_at_least(None, None)


def test_the_people_part_drops_only_the_programmes() -> None:
    lyon_in_p1 = Segment(programmes=frozenset({"p1"}), sites=frozenset({"lyon"}))
    assert lyon_in_p1.people_part() == Segment(sites=frozenset({"lyon"}))
    # A programme-only segment asks nothing of the people themselves.
    assert Segment(programmes=frozenset({"p1"})).people_part().is_everyone
