"""The only place that changes the network and its member libraries."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from simpul.core.errors import InvalidInput
from simpul.network import permissions
from simpul.network.models import Library, Network, OpeningHours

# Fields a library's own staff may change; the rest (code, type, membership) is the coordinator's.
STAFF_EDITABLE_FIELDS = (
    "name",
    "name_en",
    "institution",
    "province",
    "city",
    "address",
    "postal_code",
    "latitude",
    "longitude",
    "email",
    "phone",
    "website",
    "logo",
    "collection_size",
    "staff_count",
    "description",
    "description_en",
    "visiting_rules",
    "visiting_rules_en",
    "oai_pmh_url",
    "sru_url",
    "iso18626_url",
    "library_system",
    "internal_notes",
)
COORDINATOR_FIELDS = ("code", "library_type", "is_active", "joined_on")
# One weekly opening period: (weekday 0 = Monday, opens, closes).
Period = tuple[int, dt.time, dt.time]


def editable_fields_for(actor: permissions.Actor) -> tuple[str, ...]:
    if permissions.is_coordinator(actor):
        return STAFF_EDITABLE_FIELDS + COORDINATOR_FIELDS
    return STAFF_EDITABLE_FIELDS


def _apply(instance: Library | Network, changes: Mapping[str, Any], allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    refused = sorted(set(changes) - allowed)
    if refused:
        raise InvalidInput(
            _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(refused)}
        )
    for name, value in changes.items():
        field = instance._meta.get_field(name)
        if isinstance(field, models.FileField):
            # A form's file field gives False for "clear it"; the field knows how to store that.
            field.save_form_data(instance, value)
        else:
            setattr(instance, name, value)
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise InvalidInput(
            exc.error_dict if hasattr(exc, "error_dict") else exc.error_list
        ) from None


@transaction.atomic
def update_library(
    actor: permissions.Actor,
    library: Library,
    changes: Mapping[str, Any],
    opening_hours: Iterable[Period] | None = None,
) -> Library:
    """Change a member library's details; staff change their own library, the coordinator any.

    With `opening_hours`, the weekly hours are replaced too, in the same transaction: when
    either part is refused, nothing is saved."""
    permissions.check_can_edit_library(actor, library)
    rows = None if opening_hours is None else check_opening_hours(library, opening_hours)
    library = Library.objects.select_for_update().get(pk=library.pk)
    _apply(library, changes, editable_fields_for(actor))
    library.save()
    if rows is not None:
        _replace_opening_hours(library, rows)
    return library


@transaction.atomic
def create_library(actor: permissions.Actor, fields: Mapping[str, Any]) -> Library:
    permissions.check_is_coordinator(actor)
    library = Library()
    _apply(library, fields, STAFF_EDITABLE_FIELDS + COORDINATOR_FIELDS)
    library.save()
    return library


def check_opening_hours(library: Library, periods: Iterable[Period]) -> list[OpeningHours]:
    """Unsaved opening periods, after checking each (weekday, opens, closes) and their overlaps."""
    rows = []
    for weekday, opens, closes in periods:
        if not 0 <= weekday <= 6:
            raise InvalidInput(_("The day of the week is not valid."))
        if closes <= opens:
            raise InvalidInput(
                _("Closing time %(closes)s must be after opening time %(opens)s.")
                % {"closes": closes.strftime("%H:%M"), "opens": opens.strftime("%H:%M")}
            )
        rows.append(OpeningHours(library=library, weekday=weekday, opens=opens, closes=closes))
    rows.sort(key=lambda row: (row.weekday, row.opens))
    for earlier, later in itertools.pairwise(rows):
        if earlier.weekday == later.weekday and later.opens < earlier.closes:
            raise InvalidInput(_("Two opening periods on the same day overlap."))
    return rows


def _replace_opening_hours(library: Library, rows: list[OpeningHours]) -> list[OpeningHours]:
    for row in rows:
        row.library = library
    OpeningHours.objects.filter(library=library).delete()
    return OpeningHours.objects.bulk_create(rows)


@transaction.atomic
def set_opening_hours(
    actor: permissions.Actor, library: Library, periods: Iterable[Period]
) -> list[OpeningHours]:
    """Replace a library's weekly opening hours with the given (weekday, opens, closes) periods."""
    permissions.check_can_edit_library(actor, library)
    return _replace_opening_hours(library, check_opening_hours(library, periods))


NETWORK_FIELDS = (
    "name",
    "name_en",
    "short_name",
    "typology",
    "topology",
    "description",
    "description_en",
    "founded_on",
    "coordinator",
)


@transaction.atomic
def update_network(actor: permissions.Actor, changes: Mapping[str, Any]) -> Network:
    permissions.check_is_coordinator(actor)
    network = Network.objects.select_for_update().first() or Network()
    _apply(network, changes, NETWORK_FIELDS)
    network.save()
    return network
