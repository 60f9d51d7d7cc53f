"""Pure rules extracted from the routers and jobs (no I/O): every status change through
`decide`, the checks on an item's content, campaigns, moderation, sources, the mix period,
and the problem each refusal becomes."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from resonance.common.domain_errors import DomainError, Forbidden
from resonance.common.events.catalogue import Targeting
from resonance.content.domain.campaigns import check_launchable, launch_publish_at
from resonance.content.domain.captions import check_captions
from resonance.content.domain.compliance import refuse_blocked
from resonance.content.domain.cursor import FeedPosition, InvalidCursor
from resonance.content.domain.errors import (
    AlreadyLaunched,
    AlreadyModerated,
    BlockedTerm,
    CampaignOver,
    CaptionTooLong,
    InvalidCategory,
    InvalidPeriod,
    InvalidValue,
    InvalidWindow,
    MissingUrl,
    WindowOver,
)
from resonance.content.domain.items import (
    audience,
    check_category,
    check_not_null,
    check_publish_at,
    check_url,
    check_window,
    clean_tags,
)
from resonance.content.domain.membership import after_leaving
from resonance.content.domain.mix import period
from resonance.content.domain.sources import check_auto_approve
from resonance.content.domain.submissions import approved_category, check_pending
from resonance.content.domain.workflow import (
    SCHEDULER,
    Action,
    NotAllowed,
    Status,
    TransitionRefused,
    audit_action,
    auto_approved_source,
    decide,
    when_due,
)
from resonance.content.preview.feeds import Entry, plain_text
from resonance.content.preview.metadata import Preview

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
COMM = frozenset({"communicator"})


# --- the workflow: the scheduler's changes go through decide too ---------------------------


def test_release_takes_a_scheduled_item_live_and_nothing_else() -> None:
    assert decide(Action.RELEASE, Status.SCHEDULED, SCHEDULER.roles).status == Status.PUBLISHED
    for status in set(Status) - {Status.SCHEDULED}:
        with pytest.raises(TransitionRefused):
            decide(Action.RELEASE, status, SCHEDULER.roles)


def test_expiry_needs_no_role_but_a_live_item() -> None:
    # The scheduler holds no role: the system actions do not ask for one.
    assert SCHEDULER.roles == frozenset()
    assert decide(Action.EXPIRE, Status.SCHEDULED, SCHEDULER.roles).status == Status.EXPIRED
    assert decide(Action.EXPIRE, Status.PUBLISHED, SCHEDULER.roles).status == Status.EXPIRED
    with pytest.raises(TransitionRefused):
        decide(Action.EXPIRE, Status.RETIRED, SCHEDULER.roles)
    # The human actions still do.
    with pytest.raises(NotAllowed):
        decide(Action.PUBLISH, Status.APPROVED, SCHEDULER.roles)


def test_a_due_item_is_released_unless_its_window_closed_first() -> None:
    assert when_due(None, NOW) == Action.RELEASE
    assert when_due(NOW + HOUR, NOW) == Action.RELEASE
    assert when_due(NOW, NOW) == Action.EXPIRE  # the window ends at expires_at, excluded
    assert when_due(NOW - HOUR, NOW) == Action.EXPIRE


def test_publishing_refuses_an_item_whose_window_is_over() -> None:
    with pytest.raises(WindowOver) as refused:
        decide(Action.PUBLISH, Status.APPROVED, COMM, expires_at=NOW, now=NOW)
    assert refused.value.detail == "expires_at is already past: nothing to publish"
    # The state comes first: a published item is a conflict, not a window problem.
    with pytest.raises(TransitionRefused):
        decide(Action.PUBLISH, Status.PUBLISHED, COMM, expires_at=NOW - HOUR, now=NOW)
    later = decide(
        Action.PUBLISH,
        Status.APPROVED,
        COMM,
        publish_at=NOW + HOUR,
        expires_at=NOW + 2 * HOUR,
        now=NOW,
    )
    assert later.status == Status.SCHEDULED


def test_refusals_carry_the_problem_the_api_answers() -> None:
    with pytest.raises(TransitionRefused) as refused:
        decide(Action.APPROVE, Status.DRAFT, frozenset({"program_manager"}))
    error = refused.value
    assert (error.status, error.slug, error.title) == (
        409,
        "invalid-transition",
        "Invalid transition",
    )
    assert error.detail == "cannot approve an item that is draft"
    assert error.extensions == {"status_now": "draft", "action": "approve"}
    with pytest.raises(NotAllowed) as forbidden:
        decide(Action.APPROVE, Status.IN_REVIEW, COMM)
    assert (forbidden.value.status, forbidden.value.slug) == (403, "forbidden")
    assert isinstance(forbidden.value, Forbidden)


def test_audit_words() -> None:
    assert audit_action(Action.PUBLISH, Status.SCHEDULED) == "schedule"
    assert audit_action(Action.PUBLISH, Status.PUBLISHED) == "publish"
    assert audit_action(Action.RELEASE, Status.PUBLISHED) == "publish"
    assert audit_action(Action.EXPIRE, Status.EXPIRED) == "expire"
    assert audit_action(Action.REJECT, Status.DRAFT) == "reject"


def test_an_auto_approved_source_publishes_with_an_approvers_authority() -> None:
    source_id = uuid.UUID(int=7)
    source = auto_approved_source(source_id)
    assert source.name == f"source:{source_id}"
    # Even where the brand requires approval, as a programme manager's own publication would.
    outcome = decide(Action.PUBLISH, Status.DRAFT, source.roles, needs_approval=True)
    assert outcome == type(outcome)(Status.PUBLISHED, implicit_approval=True)


# --- an item's content -----------------------------------------------------------------------


def test_tags_are_trimmed_lowered_and_unique() -> None:
    assert clean_tags([" Hiring", "hiring ", "Lyon", "  ", "AI"]) == ["ai", "hiring", "lyon"]
    assert clean_tags([]) == []


def test_links_and_videos_need_a_url() -> None:
    check_url("link", "https://example.org")
    check_url("text", None)
    check_url("image", None)
    with pytest.raises(MissingUrl) as refused:
        check_url("video", None)
    assert refused.value.detail == "a video item needs a url"
    with pytest.raises(MissingUrl) as refused:
        check_url("link", "", "submission")
    assert refused.value.detail == "a link submission needs a url"


def test_category_belongs_to_the_family() -> None:
    check_category("company", "job_offer")
    check_category("market", None)
    with pytest.raises(InvalidCategory):
        check_category("market", "job_offer")


def test_edits_cannot_null_the_required_fields() -> None:
    check_not_null({"body": None, "brand": None, "title": "x"})
    with pytest.raises(InvalidValue) as refused:
        check_not_null({"title": None, "format": None})
    # Checked in the order the fields are edited: format before title.
    assert refused.value.detail == "format cannot be null"


def test_window_has_timezones_and_ends_after_it_starts() -> None:
    check_window(None, None)
    check_window(NOW, NOW + HOUR)
    with pytest.raises(InvalidValue, match="publish_at needs a timezone"):
        check_window(datetime(2026, 1, 1), None)
    with pytest.raises(InvalidWindow, match="expires_at must be after publish_at"):
        check_window(NOW, NOW)
    check_publish_at(NOW, None)
    with pytest.raises(InvalidWindow, match="publish_at must be before expires_at"):
        check_publish_at(NOW, NOW)
    with pytest.raises(InvalidValue):
        check_publish_at(datetime(2026, 1, 1), NOW)


def test_an_untargeted_item_takes_its_campaigns_audience() -> None:
    campaign = {"countries": ["FR", " FR", "BE"]}
    # Targeting nobody in particular: the campaign's audience, normalised (sorted, unique).
    assert audience(Targeting(), campaign).countries == ["BE", "FR"]
    # Its own targeting wins, and no campaign means its own.
    assert audience(Targeting(countries=["DE"]), campaign).countries == ["DE"]
    assert audience(Targeting(), None) == audience(Targeting(), {})


# --- compliance --------------------------------------------------------------------------------


def test_blocked_terms_name_the_field_and_the_term() -> None:
    refuse_blocked(["insider"], title="fine", body=None)
    with pytest.raises(BlockedTerm) as refused:
        refuse_blocked(["insider"], title="fine", note="An INSIDER tip")
    assert refused.value.detail == "note contains the blocked term 'insider'"
    assert refused.value.extensions == {"term": "insider", "field": "note"}


def test_captions_are_checked_one_by_one_with_the_disclosure() -> None:
    check_captions([("x", "en", "a" * 280)], [], None)
    # 271 + " #employee" (10) = 281 > 280: the second caption is the one refused.
    with pytest.raises(CaptionTooLong) as refused:
        check_captions([("linkedin", "en", "ok"), ("x", "fr", "a" * 271)], [], "#employee")
    assert refused.value.extensions == {
        "network": "x",
        "language": "fr",
        "length": 281,
        "limit": 280,
        "index": 1,
    }
    with pytest.raises(BlockedTerm) as blocked:
        check_captions([("x", "en", "ok"), ("x", "en", "insider")], ["insider"], None)
    assert blocked.value.extensions["field"] == "captions[1]"


# --- campaigns, moderation, sources, KPIs, projections ----------------------------------------


def test_a_campaign_launches_once_and_not_after_its_end() -> None:
    check_launchable("draft", None, NOW)
    check_launchable("draft", NOW + HOUR, NOW)
    with pytest.raises(AlreadyLaunched) as again:
        check_launchable("launched", None, NOW)
    assert (again.value.status, again.value.slug) == (409, "invalid-transition")
    with pytest.raises(CampaignOver):
        check_launchable("draft", NOW, NOW)


def test_when_a_launched_campaigns_items_go_live() -> None:
    start_later, start_past = NOW + HOUR, NOW - HOUR
    # No date of its own: the campaign's start if still to come, else at once.
    assert launch_publish_at(None, start_later, NOW) == start_later
    assert launch_publish_at(None, start_past, NOW) is None
    # A date before the start moves to the start; a date after it stays.
    assert launch_publish_at(NOW, start_later, NOW) == start_later
    assert launch_publish_at(NOW + 2 * HOUR, start_later, NOW) == NOW + 2 * HOUR


def test_a_submission_is_moderated_once() -> None:
    check_pending("pending")
    with pytest.raises(AlreadyModerated, match="the submission is already rejected"):
        check_pending("rejected")
    assert approved_category(None, "https://e.org") == "curated_link"
    assert approved_category(None, None) == "own_post"
    assert approved_category("other", "https://e.org") == "other"


def test_only_approvers_turn_auto_approval_on() -> None:
    check_auto_approve(False, frozenset({"communicator"}))
    check_auto_approve(True, frozenset({"program_manager"}))
    check_auto_approve(True, frozenset({"admin"}))
    with pytest.raises(Forbidden, match="only a programme manager may auto-approve a source"):
        check_auto_approve(True, frozenset({"communicator"}))


def test_the_mix_period_defaults_to_thirty_days_until_now() -> None:
    assert period(None, None, NOW) == (NOW - timedelta(days=30), NOW)
    assert period(None, NOW - HOUR, NOW) == (NOW - HOUR - timedelta(days=30), NOW - HOUR)
    with pytest.raises(InvalidPeriod, match="since must be before until"):
        period(NOW, NOW, NOW)
    with pytest.raises(InvalidPeriod, match="timezone"):
        period(datetime(2026, 1, 1), None, NOW)


def test_leaving_one_programme_keeps_the_others() -> None:
    assert after_leaving(["a", "b"], "a", "opt_out") == (["b"], True)
    assert after_leaving(["a"], "a", "opt_out") == ([], False)
    # Leaving the company, or every programme at once, ends everything (programmes kept).
    assert after_leaving(["a", "b"], "a", "leaver") == (["a", "b"], False)
    assert after_leaving(["a", "b"], None, "opt_out") == (["a", "b"], False)


def test_private_links_are_the_operators_setting_only() -> None:
    # Issue 8 item 6: this test replaced one pinning the tenant's choice (the choice is gone).
    from resonance.content.api.schemas_settings import SettingsIn
    from resonance.content.service.previews import fetch_policy
    from resonance.content.settings import ContentSettings

    assert fetch_policy(ContentSettings(allow_private_links=True)).allow_private is True
    assert fetch_policy(ContentSettings()).allow_private is False
    # The old environment name of the operator's switch is still read.
    assert ContentSettings(allow_private_links_default=True).allow_private_links is True
    # A tenant's settings body has no such switch: sending one changes nothing.
    assert "allow_private_links" not in SettingsIn.model_fields
    assert "allow_private_links" not in SettingsIn(allow_private_links=True).model_dump()  # type: ignore[call-arg]


def test_a_bad_cursor_is_a_422_invalid_cursor_problem() -> None:
    with pytest.raises(InvalidCursor) as refused:
        FeedPosition.decode("garbage")
    assert isinstance(refused.value, DomainError)
    assert (refused.value.status, refused.value.slug, refused.value.title) == (
        422,
        "invalid-cursor",
        "Invalid cursor",
    )


# --- feed entries ------------------------------------------------------------------------------


def test_a_feed_entry_is_known_by_its_pages_canonical_url() -> None:
    page = Preview(
        url="https://news.example.org/a?utm_source=rss",
        canonical_url="https://News.example.org/a/",
        title=None,
        description=None,
        image_url=None,
        site_name=None,
    )
    read = Entry("g1", "https://feeds.example.org/r/1", "A", None, page)
    assert read.url == "https://news.example.org/a?utm_source=rss"
    assert read.canonical == "https://news.example.org/a"
    unread = Entry("g2", "https://news.example.org/a?utm_medium=x", "A", None, None)
    assert unread.url == "https://news.example.org/a?utm_medium=x"
    assert unread.canonical == "https://news.example.org/a"
    bare = Entry("g3", None, "A", None, None)
    assert (bare.url, bare.canonical) == (None, None)


def test_summaries_become_plain_text() -> None:
    assert plain_text("<p>Hello <b>world</b>\n  again</p>") == "Hello world again"
    assert plain_text(None) is None
    assert plain_text("<p> </p>") is None
