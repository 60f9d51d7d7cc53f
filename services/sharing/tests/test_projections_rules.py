"""The projections' pure rules (no PostgreSQL, no Kafka): event ordering, consented networks,
targeting and whether an item can be shared."""

from datetime import UTC, datetime, timedelta

from resonance.sharing.service import projection_rules as rules

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def test_an_older_event_never_replaces_newer_state() -> None:
    assert rules.is_newer(T0, None)
    assert rules.is_newer(T0, T0)  # a tie applies (a redelivery is dropped by the inbox)
    assert not rules.is_newer(T0 - timedelta(seconds=1), T0)


def test_enrolments_and_leaves_per_programme() -> None:
    joined = rules.enrol({}, "p1", ["x", "linkedin", "x"], T0)
    assert joined == {"p1": {"active": True, "networks": ["linkedin", "x"], "at": T0.isoformat()}}
    both = rules.enrol(joined, "p2", ["mastodon"], T0 + timedelta(minutes=1))
    assert rules.consented_networks(both) == {"linkedin", "x", "mastodon"}

    # Leaving p1 keeps p2's networks; a leave older than the enrolment changes nothing.
    assert rules.leave(both, "p1", T0 - timedelta(minutes=1)) == both
    left_p1 = rules.leave(both, "p1", T0 + timedelta(minutes=2))
    assert rules.consented_networks(left_p1) == {"mastodon"}
    assert rules.enrolled(left_p1, employee_active=True, erased=False)

    # Leaving everything (no programme named) at a time between the two enrolments ends p1
    # only: p2 was joined after it.
    mixed = rules.leave(both, None, T0 + timedelta(seconds=30))
    assert mixed["p1"]["active"] is False and mixed["p2"]["active"] is True

    # An enrolment older than a leave of the same programme stays refused.
    remembered = rules.leave({}, "p3", T0)
    assert rules.enrol(remembered, "p3", ["x"], T0 - timedelta(hours=1)) == remembered
    assert not rules.enrolled(remembered, employee_active=True, erased=False)


def test_enrolled_needs_an_active_employee_and_no_erasure() -> None:
    member = rules.enrol({}, "p1", ["x"], T0)
    assert rules.enrolled(member, employee_active=True, erased=False)
    assert not rules.enrolled(member, employee_active=False, erased=False)
    assert not rules.enrolled(member, employee_active=True, erased=True)
    assert not rules.enrolled({}, employee_active=True, erased=False)


def test_targeting() -> None:
    person = {"country": "FR", "job_family": "sales", "languages": ["fr", "en"]}
    assert rules.targeted({}, person)  # an empty audience is everyone
    assert rules.targeted({"countries": ["FR", "BE"]}, person)  # any value within a field
    assert not rules.targeted({"countries": ["DE"]}, person)
    assert rules.targeted({"countries": ["FR"], "languages": ["en"]}, person)
    assert not rules.targeted({"countries": ["FR"], "job_families": ["it"]}, person)  # all fields
    assert not rules.targeted({"programmes": ["p9"]}, person)  # no programmes in the profile


def test_live_between_publication_and_expiry() -> None:
    hour = timedelta(hours=1)
    assert rules.live(retired=False, publish_at=None, expires_at=None, now=T0)
    assert not rules.live(retired=True, publish_at=None, expires_at=None, now=T0)
    assert not rules.live(retired=False, publish_at=T0 + hour, expires_at=None, now=T0)
    assert rules.live(retired=False, publish_at=T0, expires_at=T0 + hour, now=T0)
    assert not rules.live(retired=False, publish_at=None, expires_at=T0, now=T0)
