"""Checks shared by the routers: compliance, caption lengths, link previews, roles."""

import re

from fastapi import Depends, Request

from resonance.common.auth import Principal, Role, require_roles
from resonance.common.errors import Problem
from resonance.content.domain.captions import length_issue
from resonance.content.domain.compliance import find_blocked_term
from resonance.content.preview.fetcher import FetchFailed, FetchPolicy, FetchRefused, fetch
from resonance.content.preview.metadata import Preview, parse_preview
from resonance.content.settings import ContentSettings
from resonance.content.store.tables import TenantSettings
from resonance.content.store.tenants import allows_private_links

# A JSON "\u0000" not itself escaped, or a %00 in the query: PostgreSQL text cannot hold NUL.
_JSON_NUL = re.compile(rb"(?<!\\)\\u0000")


async def refuse_nul_characters(request: Request) -> None:
    """422 instead of a database error for text carrying NUL characters."""
    if "%00" in request.url.query:
        raise Problem(422, "Invalid text", "NUL characters are not accepted")
    if request.method in ("POST", "PUT", "PATCH") and _JSON_NUL.search(await request.body()):
        raise Problem(422, "Invalid text", "NUL characters are not accepted")


NO_NUL = [Depends(refuse_nul_characters)]

writer = require_roles(Role.COMMUNICATOR, Role.PROGRAM_MANAGER)
approver = require_roles(Role.PROGRAM_MANAGER)
ambassador = require_roles(Role.AMBASSADOR)
staff = require_roles(Role.COMMUNICATOR, Role.PROGRAM_MANAGER)

WriterDep = Depends(writer)
ApproverDep = Depends(approver)
AmbassadorDep = Depends(ambassador)

__all__ = ["Principal", "WriterDep"]


def refuse_blocked(settings: TenantSettings, **texts: str | None) -> None:
    """422 naming the first blocked term found in any of the texts (field name → text)."""
    for field, value in texts.items():
        if not value:
            continue
        term = find_blocked_term(value, settings.blocked_terms)
        if term is not None:
            raise Problem(
                422,
                "Blocked term",
                f"{field} contains the blocked term {term!r}",
                type_="https://resonance.dev/problems/blocked-term",
                term=term,
                field=field,
            )


def check_captions(settings: TenantSettings, captions: list[tuple[str, str, str]]) -> None:
    for i, (network, language, text) in enumerate(captions):
        refuse_blocked(settings, **{f"captions[{i}]": text})
        issue = length_issue(network, language, text, settings.disclosure_text)
        if issue is not None:
            raise Problem(
                422,
                "Caption too long",
                issue.describe(),
                type_="https://resonance.dev/problems/caption-too-long",
                network=network,
                language=language,
                length=issue.length,
                limit=issue.limit,
                index=i,
            )


def fetch_policy(settings: ContentSettings, tenant: TenantSettings) -> FetchPolicy:
    return FetchPolicy(
        allow_private=allows_private_links(tenant, settings.allow_private_links_default),
        timeout_s=settings.fetch_timeout_s,
        max_bytes=settings.fetch_max_bytes,
        max_redirects=settings.fetch_max_redirects,
    )


async def preview_or_problem(url: str, policy: FetchPolicy) -> Preview:
    try:
        page = await fetch(url, policy)
    except FetchRefused as exc:
        raise Problem(
            422,
            "Link refused",
            str(exc),
            type_="https://resonance.dev/problems/link-refused",
        ) from exc
    except FetchFailed as exc:
        raise Problem(
            422,
            "Link unreadable",
            str(exc),
            type_="https://resonance.dev/problems/link-unreadable",
        ) from exc
    return parse_preview(page.body, page.url)
