"""Pure rules of the local projections (no I/O): event ordering, consented networks,
targeting and whether an item is live. Kept beside the service that applies them because the
domain package (another engineer's) has no projection rules.

Ordering: events of one person or item arrive in order on one partition, but a replay from
the dead-letter topic or a producer's retry can bring an old one back late. Every projected
row keeps the time of the event it reflects; an older event never overwrites it.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from resonance.common.events.catalogue import Targeting

# Targeting field -> profile attribute (the content service's rule: within a field any value
# matches, across fields all must match, an empty field matches everyone).
_SCALAR_FIELDS = {
    "brands": "brand",
    "entities": "entity",
    "job_families": "job_family",
    "sites": "site",
    "countries": "country",
    "worker_types": "worker_type",
}
_LIST_FIELDS = {"languages": "languages", "programmes": "programmes"}


def is_newer(event_at: datetime, known_at: datetime | None) -> bool:
    """Whether an event at `event_at` may replace state set at `known_at` (ties apply: the
    inbox already drops a redelivery of the same event)."""
    return known_at is None or event_at >= known_at


def enrol(
    memberships: Mapping[str, Any], programme_id: str, networks: Iterable[str], at: datetime
) -> dict[str, Any]:
    """Memberships after an enrolment in `programme_id` at `at` (unchanged if stale)."""
    current = memberships.get(programme_id)
    if current is not None and not is_newer(at, datetime.fromisoformat(current["at"])):
        return dict(memberships)
    entry = {"active": True, "networks": sorted(set(networks)), "at": at.isoformat()}
    return {**memberships, programme_id: entry}


def leave(memberships: Mapping[str, Any], programme_id: str | None, at: datetime) -> dict[str, Any]:
    """Memberships after leaving `programme_id` (None: every programme) at `at`; a membership
    set by a newer event than this one stays as it is."""
    result = dict(memberships)
    for programme, entry in memberships.items():
        if programme_id is not None and programme != programme_id:
            continue
        if is_newer(at, datetime.fromisoformat(entry["at"])):
            result[programme] = {"active": False, "networks": [], "at": at.isoformat()}
    if programme_id is not None and programme_id not in memberships:
        # Remember the leave, so an older enrolment arriving after it stays refused.
        result[programme_id] = {"active": False, "networks": [], "at": at.isoformat()}
    return result


def consented_networks(memberships: Mapping[str, Any]) -> set[str]:
    """Networks the person consented to share on, over their active enrolments."""
    return {
        network
        for entry in memberships.values()
        if entry.get("active")
        for network in entry.get("networks", [])
    }


def enrolled(memberships: Mapping[str, Any], employee_active: bool, erased: bool) -> bool:
    return not erased and employee_active and any(e.get("active") for e in memberships.values())


def targeted(targeting: Mapping[str, Any], profile: Mapping[str, Any]) -> bool:
    """Whether an item's audience (`Targeting` as a dict) includes a person's profile
    (`AmbassadorProfile` as a dict)."""
    rules = Targeting.model_validate(targeting or {})
    for field, attribute in _SCALAR_FIELDS.items():
        wanted: list[str] = getattr(rules, field)
        if wanted and profile.get(attribute) not in wanted:
            return False
    for field, attribute in _LIST_FIELDS.items():
        wanted = getattr(rules, field)
        if wanted and not set(wanted) & set(profile.get(attribute) or []):
            return False
    return True


def live(
    *,
    retired: bool,
    publish_at: datetime | None,
    expires_at: datetime | None,
    now: datetime,
) -> bool:
    """An item can be shared between its publication and its expiry, unless retired."""
    if retired:
        return False
    if publish_at is not None and publish_at > now:
        return False
    return expires_at is None or expires_at > now
