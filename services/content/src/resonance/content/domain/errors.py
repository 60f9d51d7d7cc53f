"""The content service's named refusals: each one's problem `type` slug and title are part of
the API (clients branch on the slug). Generic ones (NotFound, Forbidden) come straight from
resonance.common.domain_errors; workflow refusals live in domain/workflow.py."""

from resonance.common.domain_errors import Conflict, Forbidden, Invalid


class InvalidValue(Invalid):
    title = "Invalid value"
    default_slug = "invalid-value"


class InvalidWindow(Invalid):
    title = "Invalid window"
    default_slug = "invalid-window"


class WindowOver(Invalid):
    title = "Window over"
    default_slug = "window-over"


class InvalidCategory(Invalid):
    title = "Invalid category"
    default_slug = "invalid-category"


class MissingUrl(Invalid):
    title = "Missing url"
    default_slug = "missing-url"


class UnknownCampaign(Invalid):
    title = "Unknown campaign"
    default_slug = "unknown-campaign"


class BlockedTerm(Invalid):
    title = "Blocked term"
    default_slug = "blocked-term"


class CaptionTooLong(Invalid):
    title = "Caption too long"
    default_slug = "caption-too-long"


class CaptionsTooLarge(Invalid):
    title = "Captions too large"
    default_slug = "captions-too-large"


class LinkRefused(Invalid):
    title = "Link refused"
    default_slug = "link-refused"


class LinkUnreadable(Invalid):
    title = "Link unreadable"
    default_slug = "link-unreadable"


class InvalidPeriod(Invalid):
    title = "Invalid period"
    default_slug = "invalid-period"


class InvalidText(Invalid):
    title = "Invalid text"
    default_slug = "invalid-text"


class CampaignOver(Conflict):
    title = "Campaign over"
    default_slug = "campaign-over"


class AlreadyLaunched(Conflict):
    title = "Already launched"
    default_slug = "invalid-transition"


class AlreadyModerated(Conflict):
    title = "Already moderated"
    default_slug = "invalid-transition"


class NotActiveAmbassador(Forbidden):
    title = "Not an active ambassador"
    default_slug = "not-an-active-ambassador"
