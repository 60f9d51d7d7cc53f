"""What an ambassador sees and chooses about themselves: points, badges, privacy, where
suggestions go."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from resonance.common.auth import Principal
from resonance.common.paging import Paged, after, paged
from resonance.metrics.domain.points import Balance
from resonance.metrics.service import Uow
from resonance.metrics.service.callers import me
from resonance.metrics.store import badges as badges_store
from resonance.metrics.store import ledger
from resonance.metrics.store import people as store
from resonance.metrics.store.tables import AmbassadorPrefs
from resonance.metrics.store.tables_gamification import BadgeAward, LedgerRow


@dataclass(frozen=True)
class PointsView:
    ambassador_id: str
    balance: Balance
    entries: list[LedgerRow]
    next_cursor: str | None


async def my_points(uow: Uow, principal: Principal, limit: int, cursor: str | None) -> PointsView:
    """Balance and the newest ledger entries first, after `cursor` (an invalid one is
    refused, never read as "from the start")."""
    key = after(cursor, int)
    who = await me(uow, principal)
    row = await ledger.balance(uow.session, principal.tenant, who)
    balance = Balance() if row is None else Balance(row.earned, row.spent, row.held)
    entries = await ledger.ledger_page(
        uow.session, principal.tenant, who, key[0] if key else None, limit + 1
    )
    page = paged(entries, limit, lambda e: (e.id,))
    return PointsView(who, balance, page.rows, page.next_cursor)


async def my_badges(
    uow: Uow, principal: Principal, limit: int, cursor: str | None
) -> Paged[BadgeAward]:
    """The caller's badges, oldest first, a page at a time after `cursor`."""
    key = after(cursor, datetime, str)
    who = await me(uow, principal)
    found = await badges_store.badges_of(uow.session, principal.tenant, who, key, limit + 1)
    return paged(found, limit, lambda b: (b.awarded_at, b.code))


async def _prefs(uow: Uow, tenant: str, who: str) -> AmbassadorPrefs:
    row = await store.prefs(uow.session, tenant, who, for_update=True)
    if row is None:
        row = AmbassadorPrefs(tenant=tenant, ambassador_id=who, updated_at=uow.now())
        uow.session.add(row)
    return row


async def my_prefs(uow: Uow, principal: Principal) -> AmbassadorPrefs:
    who = await me(uow, principal)
    row = await store.prefs(uow.session, principal.tenant, who)
    return row or AmbassadorPrefs(tenant=principal.tenant, ambassador_id=who, updated_at=uow.now())


async def set_hidden(uow: Uow, principal: Principal, hidden: bool) -> AmbassadorPrefs:
    """Hidden people leave public boards, top lists and digests; they still see their rank."""
    row = await _prefs(uow, principal.tenant, await me(uow, principal))
    row.hidden, row.updated_at = hidden, uow.now()
    return row


async def set_contact(
    uow: Uow, principal: Principal, email: str | None, suggestions: bool
) -> AmbassadorPrefs:
    """The address the person chose for suggestions (a personal one for frontline staff
    without a work mailbox), and whether they want them at all."""
    row = await _prefs(uow, principal.tenant, await me(uow, principal))
    row.email, row.suggestions, row.updated_at = email, suggestions, uow.now()
    if row.unsubscribe_token is None:
        row.unsubscribe_token = secrets.token_urlsafe(24)
    return row


async def unsubscribe(uow: Uow, token: str) -> bool:
    """One-click unsubscribe (RFC 8058): the token in the mail is the only credential, and
    all it can do is stop suggestions. False for a token we do not know."""
    row = await store.prefs_by_token(uow.session, token)
    if row is None:
        return False
    row.suggestions, row.updated_at = False, uow.now()
    return True
