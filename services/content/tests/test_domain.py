"""Pure domain rules, no I/O."""

from datetime import UTC, datetime, timedelta

import pytest

from resonance.common.events.catalogue import Targeting
from resonance.content.domain.addresses import is_public_address
from resonance.content.domain.captions import caption_length, length_issue, number_variants
from resonance.content.domain.compliance import clean_terms, find_blocked_term
from resonance.content.domain.cursor import FeedPosition, InvalidCursor
from resonance.content.domain.mix import compute_mix
from resonance.content.domain.targeting import AudienceProfile, matches
from resonance.content.domain.taxonomy import category_error
from resonance.content.domain.urls import canonical_url
from resonance.content.domain.workflow import (
    Action,
    NotAllowed,
    Status,
    TransitionRefused,
    approval_required,
    decide,
)

COMM = frozenset({"communicator"})
PM = frozenset({"program_manager"})
AMB = frozenset({"ambassador"})
FR_ENG = AudienceProfile(country="FR", job_family="engineering", languages=frozenset({"fr", "en"}))


@pytest.mark.parametrize(
    ("targeting", "expected"),
    [
        (Targeting(), True),
        (Targeting(countries=["FR"]), True),
        (Targeting(countries=["DE", "FR"]), True),
        (Targeting(countries=["DE"]), False),
        (Targeting(countries=["FR"], job_families=["sales"]), False),
        (Targeting(countries=["FR"], job_families=["sales", "engineering"]), True),
        (Targeting(languages=["de", "en"]), True),
        (Targeting(languages=["de"]), False),
        (Targeting(brands=["acme"]), False),  # the profile has no brand
        (Targeting(programmes=["vip"]), False),
    ],
)
def test_targeting_any_within_all_across_empty_everyone(
    targeting: Targeting, expected: bool
) -> None:
    assert matches(targeting, FR_ENG) is expected


def test_workflow_happy_path_and_refusals() -> None:
    assert decide(Action.SUBMIT, Status.DRAFT, COMM).status == Status.IN_REVIEW
    assert decide(Action.APPROVE, Status.IN_REVIEW, PM).status == Status.APPROVED
    assert decide(Action.REJECT, Status.IN_REVIEW, PM).status == Status.DRAFT
    assert decide(Action.PUBLISH, Status.APPROVED, COMM).status == Status.PUBLISHED
    assert decide(Action.EDIT, Status.APPROVED, COMM).status == Status.DRAFT
    assert decide(Action.RETIRE, Status.PUBLISHED, COMM).status == Status.RETIRED
    assert decide(Action.EXPIRE, Status.PUBLISHED, frozenset()).status == Status.EXPIRED
    now = datetime.now(UTC)
    assert (
        decide(Action.PUBLISH, Status.APPROVED, COMM, publish_at=now + timedelta(1), now=now).status
        == Status.SCHEDULED
    )
    with pytest.raises(TransitionRefused):
        decide(Action.APPROVE, Status.DRAFT, PM)
    with pytest.raises(TransitionRefused):
        decide(Action.PUBLISH, Status.RETIRED, PM)
    with pytest.raises(TransitionRefused):
        decide(Action.EDIT, Status.PUBLISHED, COMM)
    with pytest.raises(TransitionRefused):
        decide(Action.EXPIRE, Status.DRAFT, COMM)
    with pytest.raises(NotAllowed):
        decide(Action.APPROVE, Status.IN_REVIEW, COMM)
    with pytest.raises(NotAllowed):
        decide(Action.SUBMIT, Status.DRAFT, AMB)


def test_approval_required_per_brand() -> None:
    assert approval_required("bank", False, ["bank"])
    assert not approval_required("retail", False, ["bank"])
    assert approval_required(None, True, [])
    with pytest.raises(TransitionRefused):
        decide(Action.PUBLISH, Status.DRAFT, COMM, needs_approval=True)
    outcome = decide(Action.PUBLISH, Status.DRAFT, PM, needs_approval=True)
    assert outcome.status == Status.PUBLISHED
    assert outcome.implicit_approval
    assert decide(Action.PUBLISH, Status.DRAFT, COMM).status == Status.PUBLISHED


def test_caption_lengths() -> None:
    assert caption_length("x", "a" * 10) == 10
    assert caption_length("x", "日本") == 4
    assert caption_length("x", "see https://example.com/" + "a" * 100) == 4 + 23
    assert caption_length("linkedin", "日本") == 2
    assert length_issue("x", "en", "a" * 280) is None
    assert length_issue("x", "en", "a" * 280, "#ad") is not None
    assert length_issue("other", "en", "a" * 100_000) is None
    assert number_variants([("x", "en", "a"), ("x", "en", "b"), ("x", "fr", "c")]) == [
        ("x", "en", 1, "a"),
        ("x", "en", 2, "b"),
        ("x", "fr", 1, "c"),
    ]


def test_blocked_terms_whole_words_and_phrases() -> None:
    terms = ["insider", "guaranteed returns"]
    assert find_blocked_term("An INSIDER view", terms) == "insider"
    assert find_blocked_term("insiders are fine", terms) is None
    assert find_blocked_term("Guaranteed\n returns here", terms) == "guaranteed returns"
    assert find_blocked_term("nothing wrong", terms) is None
    assert clean_terms([" a  b ", "A B", "", "c"]) == ["a b", "c"]


def test_addresses() -> None:
    for private in (
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "0.0.0.0",
        "fc00::1",
        "100.64.0.1",
    ):
        assert not is_public_address(private), private
    for public in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"):
        assert is_public_address(public), public


def test_canonical_url_and_categories() -> None:
    assert (
        canonical_url("HTTPS://Example.com:443/a/?utm_source=x&b=2&a=1#frag")
        == "https://example.com/a?a=1&b=2"
    )
    assert canonical_url("http://example.com") == "http://example.com/"
    assert category_error("company", "job_offer") is None
    assert category_error("market", "job_offer") is not None


def test_mix_and_cursor() -> None:
    mix = compute_mix(2, 8)
    assert mix.company_share == 0.2
    assert mix.on_target
    assert compute_mix(5, 5).on_target is False
    assert compute_mix(0, 0).company_share is None
    pos = FeedPosition(True, False, datetime(2026, 1, 1, tzinfo=UTC), __import__("uuid").uuid4())
    assert FeedPosition.decode(pos.encode()) == pos
    with pytest.raises(InvalidCursor):
        FeedPosition.decode("nope")
