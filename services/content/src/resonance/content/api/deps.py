"""What the routes depend on: the typed runtime, the feed's reader, and who may call.

Role dependencies are named after who may call (an admin always may, see require_roles)."""

import re
from typing import Annotated

from fastapi import Depends, Request

from resonance.common.auth import Principal, Role, require_roles
from resonance.common.service import Runtime
from resonance.content.domain.errors import InvalidText
from resonance.content.settings import ContentSettings
from resonance.content.store.reader import Reader, feed_reader_of


# async so FastAPI calls these inline instead of hopping to its thread pool per request.
async def runtime(request: Request) -> Runtime[ContentSettings]:
    rt: Runtime[ContentSettings] = request.app.state.runtime
    return rt


Rt = Annotated[Runtime[ContentSettings], Depends(runtime)]


async def feed_reader(rt: Rt) -> Reader:
    return feed_reader_of(rt)


FeedReader = Annotated[Reader, Depends(feed_reader)]

# Communicators and programme managers: curate, edit, publish, moderate, configure sources.
Editor = Annotated[Principal, Depends(require_roles(Role.COMMUNICATOR, Role.PROGRAM_MANAGER))]
# Programme managers only: approve or reject items, change the tenant's settings.
ProgrammeManager = Annotated[Principal, Depends(require_roles(Role.PROGRAM_MANAGER))]
# Ambassadors: read their feed, submit their own content.
Ambassador = Annotated[Principal, Depends(require_roles(Role.AMBASSADOR))]

# A JSON "\u0000" not itself escaped, or a %00 in the query: PostgreSQL text cannot hold NUL.
_JSON_NUL = re.compile(rb"(?<!\\)\\u0000")


async def refuse_nul_characters(request: Request) -> None:
    """A 422 instead of a database error for text carrying NUL characters."""
    if "%00" in request.url.query:
        raise InvalidText("NUL characters are not accepted")
    if request.method in ("POST", "PUT", "PATCH") and _JSON_NUL.search(await request.body()):
        raise InvalidText("NUL characters are not accepted")


NO_NUL = [Depends(refuse_nul_characters)]
