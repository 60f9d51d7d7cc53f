"""Errors the service and domain layers raise. They know nothing of HTTP: the app factory maps
each kind to an RFC 9457 problem once (see errors.install_problem_handlers).

Each error carries a stable `slug`: clients branch on the problem's `type`
(`https://resonance.dev/problems/<slug>`), never on the human-readable detail.
"""

from datetime import datetime
from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every business refusal. `status` is the HTTP mapping, chosen once per kind."""

    status: ClassVar[int] = 400
    default_slug: ClassVar[str] = "invalid"
    title: ClassVar[str] = "Invalid request"

    def __init__(self, detail: str, *, slug: str | None = None, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.slug = slug or self.default_slug
        self.extensions = extensions


class NotFound(DomainError):
    status = 404
    default_slug = "not-found"
    title = "Not Found"


class Conflict(DomainError):
    """The request is valid but clashes with the current state (a refused transition...)."""

    status = 409
    default_slug = "conflict"
    title = "Conflict"


class Forbidden(DomainError):
    """The caller is known but may not do this to this resource."""

    status = 403
    default_slug = "forbidden"
    title = "Forbidden"


class Invalid(DomainError):
    """The content breaks a business rule (too long, blocked term, unknown network...)."""

    status = 422
    default_slug = "invalid"
    title = "Unprocessable Content"


class LimitReached(DomainError):
    """A quota or cap: retrying later may work. `retry_at` says when the next slot opens."""

    status = 429
    default_slug = "limit-reached"
    title = "Too Many Requests"

    def __init__(
        self, detail: str, *, retry_at: datetime | None = None, slug: str | None = None, **ext: Any
    ) -> None:
        if retry_at is not None:
            ext["retry_at"] = retry_at.isoformat()
        super().__init__(detail, slug=slug, **ext)
        self.retry_at = retry_at


class Unavailable(DomainError):
    """Something we depend on does not answer right now (an upstream, a provider)."""

    status = 503
    default_slug = "unavailable"
    title = "Service Unavailable"
