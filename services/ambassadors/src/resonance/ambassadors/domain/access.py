"""Who may act on whose record (pure): staff on anyone of their tenant, a person on themselves."""

from resonance.common.auth import Principal, Role


def is_staff(actor: Principal) -> bool:
    return actor.has_any(Role.ADMIN, Role.PROGRAM_MANAGER)


def is_self(actor: Principal, login_subject: str | None, user_name: str | None) -> bool:
    """A person is recognised by their linked sign-in subject, or a userName equal to it."""
    return actor.subject in (login_subject, user_name)


def may_act_on(actor: Principal, login_subject: str | None, user_name: str | None) -> bool:
    """Whether `actor` may read or change this person's record."""
    return is_staff(actor) or is_self(actor, login_subject, user_name)
