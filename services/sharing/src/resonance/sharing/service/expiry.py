"""Announcing connections whose access ends soon and cannot be refreshed (LinkedIn's 60-day
tokens): `connection.expiring`, once per connection per threshold (days ahead), so the app
or an e-mail can ask the ambassador to reconnect in time."""

from datetime import timedelta

from resonance.common.events.catalogue import ConnectionExpiring
from resonance.common.unit_of_work import UnitOfWork
from resonance.sharing.service.connection_rules import expiry_warnings_due
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import connections as store


async def announce_expiring(uow: UnitOfWork[SharingSettings], limit: int = 500) -> int:
    """Emits the warnings due now; returns how many connections were announced."""
    thresholds = [d for d in uow.settings.expiry_warning_days if d > 0]
    if not thresholds:
        return 0
    now = uow.now()
    announced = 0
    for row in await store.expiring(uow.session, now + timedelta(days=max(thresholds)), limit):
        assert row.expires_at is not None  # the query keeps only expiring rows
        due = expiry_warnings_due(row.expires_at, now, thresholds, row.expiry_announced)
        if not due:
            continue
        # A new list (not an in-place append) so the JSON column is seen as changed.
        row.expiry_announced = sorted({*row.expiry_announced, *due})
        row.updated_at = now
        await uow.emit(
            row.tenant,
            ConnectionExpiring(
                connection_id=row.id,
                ambassador_id=row.ambassador_id,
                network=row.network,
                expires_at=row.expires_at,
            ),
        )
        announced += 1
    return announced
