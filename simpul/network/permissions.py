"""Who may do what with a member library. Services call these; views only use them for display."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext as _

from simpul.accounts.models import Role
from simpul.core.errors import AccessDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from simpul.accounts.models import User
    from simpul.network.models import Library

    Actor = User | AnonymousUser


def _person(actor: Actor) -> User | None:
    """The signed-in person behind an actor, or None for an anonymous visitor."""
    return actor if actor.is_authenticated and isinstance(actor, AbstractBaseUser) else None


def _is_staff_of(actor: Actor, library: Library) -> bool:
    person = _person(actor)
    return bool(person and person.is_library_staff and person.library_id == library.pk)


def _role_at(actor: Actor, library: Library) -> str | None:
    return _person(actor).role if _is_staff_of(actor, library) else None  # type: ignore[union-attr]


def is_coordinator(actor: Actor) -> bool:
    person = _person(actor)
    return bool(person and person.is_coordinator)


def can_view_staff_data(actor: Actor, library: Library) -> bool:
    return is_coordinator(actor) or _is_staff_of(actor, library)


def can_edit_library(actor: Actor, library: Library) -> bool:
    return is_coordinator(actor) or _is_staff_of(actor, library)


def can_manage_people(actor: Actor, library: Library) -> bool:
    if is_coordinator(actor):
        return True
    return _role_at(actor, library) == Role.LIBRARY_ADMIN


def can_see_patrons(actor: Actor, library: Library) -> bool:
    if is_coordinator(actor):
        return True
    return _role_at(actor, library) in {Role.LIBRARY_ADMIN, Role.LIBRARIAN}


def check_can_edit_library(actor: Actor, library: Library) -> None:
    if not can_edit_library(actor, library):
        raise AccessDenied(
            _("Only staff of %(library)s can change its details.") % {"library": library.code}
        )


def check_can_view_staff_data(actor: Actor, library: Library) -> None:
    if not can_view_staff_data(actor, library):
        raise AccessDenied(
            _("This page is for staff of %(library)s only.") % {"library": library.code}
        )


def check_can_manage_people(actor: Actor, library: Library) -> None:
    if not can_manage_people(actor, library):
        raise AccessDenied(
            _("Only the administrator of %(library)s or the coordinator can manage its accounts.")
            % {"library": library.code}
        )


def check_is_coordinator(actor: Actor) -> None:
    if not is_coordinator(actor):
        raise AccessDenied(_("Only the network coordinator can do this."))
