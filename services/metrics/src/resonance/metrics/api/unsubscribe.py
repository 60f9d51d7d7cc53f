"""One-click unsubscribe from suggestions (RFC 8058). The token from the mail's
List-Unsubscribe header is the only credential, and all it can do is stop suggestions.

Mail clients POST to it without a bearer token, so these routes are left out of the OpenAPI
document (which describes the bearer-authenticated API); GET shows a confirmation button, so
a link scanner following it changes nothing."""

import html
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from resonance.metrics.api.deps import Rt
from resonance.metrics.service import me

router = APIRouter(prefix="/v1/unsubscribe", tags=["me"], include_in_schema=False)
Token = Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/{token}", response_class=HTMLResponse)
async def confirm(token: Token) -> str:
    return (
        "<!DOCTYPE html><html><body><p>Stop receiving suggestions of things to share?</p>"
        f'<form method="post" action="{html.escape(token)}"><button>Unsubscribe</button></form>'
        "</body></html>"
    )


@router.post("/{token}", response_class=HTMLResponse)
async def unsubscribe(token: Token, rt: Rt) -> str:
    async with rt.unit_of_work() as uow:
        await me.unsubscribe(uow, token)
    # The same answer for a token we do not know: it tells a guesser nothing.
    return "<!DOCTYPE html><html><body><p>You will receive no more suggestions.</p></body></html>"
