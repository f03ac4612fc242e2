"""Read side of accounts: who may see which people."""

from __future__ import annotations

from django.db.models import QuerySet

from simpul.accounts.models import STAFF_ROLES, Role, User
from simpul.core.errors import AccessDenied
from simpul.network import permissions
from simpul.network.models import Library


def staff_of(actor: permissions.Actor, library: Library) -> QuerySet[User]:
    permissions.check_can_view_staff_data(actor, library)
    return User.objects.filter(library=library, role__in=STAFF_ROLES, is_active=True).order_by(
        "role", "last_name", "first_name"
    )


def patrons_of(actor: permissions.Actor, library: Library) -> QuerySet[User]:
    """A library's patrons, for its admins and librarians (not IT staff) and the coordinator."""
    if not permissions.can_see_patrons(actor, library):
        raise AccessDenied()
    return User.objects.filter(library=library, role=Role.PATRON).order_by(
        "last_name", "first_name"
    )


def get_person_for(actor: permissions.Actor, person_id: int) -> User:
    """A person's record, if the actor is that person, the coordinator, or staff who serve them."""
    person = User.objects.select_related("library").filter(pk=person_id).first()
    if person is None:
        raise AccessDenied()
    if actor.is_authenticated and actor.pk == person.pk:
        return person
    if person.library and (
        permissions.can_see_patrons(actor, person.library)
        if person.role == Role.PATRON
        else permissions.can_view_staff_data(actor, person.library)
    ):
        return person
    if permissions.is_coordinator(actor):
        return person
    raise AccessDenied()
