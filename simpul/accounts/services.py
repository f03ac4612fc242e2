"""The only place that changes accounts: people, roles, sign-in throttling and API tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from simpul.accounts.models import (
    ApiToken,
    FailedLogin,
    PasswordResetRequest,
    Role,
    User,
    hash_token,
)
from simpul.core.errors import AccessDenied, InvalidInput
from simpul.network import permissions
from simpul.network.models import Library

ROLES_A_LIBRARY_ADMIN_MAY_GIVE = {Role.LIBRARY_ADMIN, Role.LIBRARIAN, Role.IT_STAFF, Role.PATRON}


def _full_clean(person: User) -> None:
    """Django's model validation, refused as InvalidInput so every face shows it as a message."""
    try:
        person.full_clean()
    except ValidationError as exc:
        raise InvalidInput(
            exc.error_dict if hasattr(exc, "error_dict") else exc.error_list
        ) from None


def check_can_create_person(actor: permissions.Actor, role: str, library: Library | None) -> None:
    if role not in Role.values:
        raise InvalidInput(_("Unknown role %(role)s.") % {"role": role})
    if role == Role.COORDINATOR:
        permissions.check_is_coordinator(actor)
        return
    if library is None:
        raise InvalidInput(_("Every account except the coordinator's belongs to a library."))
    permissions.check_can_manage_people(actor, library)
    if not permissions.is_coordinator(actor) and role not in ROLES_A_LIBRARY_ADMIN_MAY_GIVE:
        raise AccessDenied(_("You cannot give this role."))


@transaction.atomic
def create_person(
    actor: permissions.Actor | None,
    *,
    username: str,
    email: str,
    password: str,
    role: str,
    library: Library | None,
    first_name: str = "",
    last_name: str = "",
    **profile: Any,
) -> User:
    """Create an account. `actor=None` is the command line acting as the installation itself."""
    if actor is not None:
        check_can_create_person(actor, role, library)
    elif role != Role.COORDINATOR and library is None:
        raise InvalidInput(_("Every account except the coordinator's belongs to a library."))
    username = username.strip()
    if not username:
        raise InvalidInput({"username": [_("A user name is required.")]})
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput({"username": [_("This user name is already taken.")]})
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput({"email": [_("Enter a valid e-mail address.")]}) from None
    person = User(
        username=username,
        email=email,
        role=role,
        library=library,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == Role.COORDINATOR,
        is_superuser=role == Role.COORDINATOR,
        **profile,
    )
    try:
        validate_password(password, person)
    except ValidationError as exc:
        raise InvalidInput({"password": exc.messages}) from None
    person.set_password(password)
    _full_clean(person)
    person.save()
    return person


PROFILE_FIELDS = ("first_name", "last_name", "email", "phone", "preferred_language")


@transaction.atomic
def update_profile(person: User, changes: Mapping[str, Any]) -> User:
    """A person changes their own contact details and language; never their role or library."""
    refused = sorted(set(changes) - set(PROFILE_FIELDS))
    if refused:
        raise InvalidInput(
            _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(refused)}
        )
    fresh = User.objects.select_for_update().get(pk=person.pk)
    for name, value in changes.items():
        setattr(fresh, name, value)
    _full_clean(fresh)
    fresh.save(update_fields=list(changes))
    for name, value in changes.items():
        setattr(person, name, value)
    return fresh


def set_password(person: User, password: str) -> None:
    """Give a person a new password (reset by e-mail or changed) and lift the sign-in throttle."""
    try:
        validate_password(password, person)
    except ValidationError as exc:
        raise InvalidInput({"password": exc.messages}) from None
    person.set_password(password)
    person.save(update_fields=["password"])
    clear_failed_sign_ins(person.get_username())


def set_preferred_language(person: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise InvalidInput(_("This language is not available."))
    if person.preferred_language != language:
        person.preferred_language = language
        person.save(update_fields=["preferred_language"])


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.LOGIN_WINDOW_MINUTES)


def is_sign_in_throttled(username: str, ip_address: str | None) -> bool:
    """True when this name, or this address, failed too often within the window."""
    recent = FailedLogin.objects.filter(attempted_at__gte=_window_start())
    if recent.filter(username__iexact=username).count() >= settings.LOGIN_ATTEMPTS:
        return True
    return bool(
        ip_address
        and recent.filter(ip_address=ip_address).count() >= settings.LOGIN_ATTEMPTS_PER_ADDRESS
    )


def record_failed_sign_in(username: str, ip_address: str | None) -> None:
    FailedLogin.objects.filter(attempted_at__lt=timezone.now() - dt.timedelta(days=1)).delete()
    FailedLogin.objects.create(username=username[:150], ip_address=ip_address)


RESETS_PER_ADDRESS_AN_HOUR = 3
RESETS_PER_NETWORK_ADDRESS_AN_HOUR = 30


def may_send_password_reset(email: str, ip_address: str | None) -> bool:
    """Record a reset request; False when this mailbox or this address asked too often.

    At most three mails an hour go to one mailbox, so the form cannot be used to flood it."""
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    PasswordResetRequest.objects.filter(
        requested_at__lt=timezone.now() - dt.timedelta(days=1)
    ).delete()
    recent = PasswordResetRequest.objects.filter(requested_at__gte=hour_ago)
    allowed = recent.filter(email__iexact=email).count() < RESETS_PER_ADDRESS_AN_HOUR and not (
        ip_address
        and recent.filter(ip_address=ip_address).count() >= RESETS_PER_NETWORK_ADDRESS_AN_HOUR
    )
    PasswordResetRequest.objects.create(email=email[:254], ip_address=ip_address)
    return allowed


def clear_failed_sign_ins(username: str) -> None:
    FailedLogin.objects.filter(username__iexact=username).delete()


def create_api_token(person: User, name: str) -> tuple[ApiToken, str]:
    """Make a personal API token; the raw token is returned once and never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput({"name": [_("Give the token a name of at most 100 characters.")]})
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(
        user=person, name=name, prefix=raw[4:12], token_hash=hash_token(raw)
    )
    return token, raw


def revoke_api_token(person: User, token_id: int) -> None:
    deleted, _rows = ApiToken.objects.filter(user=person, pk=token_id).delete()
    if not deleted:
        raise InvalidInput(_("This token does not exist."))


def user_for_api_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or timezone.now() - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
