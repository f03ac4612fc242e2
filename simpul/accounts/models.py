"""People who use Simpul and what they may do."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Network coordinator")
    LIBRARY_ADMIN = "library_admin", _("Library administrator")
    LIBRARIAN = "librarian", _("Librarian")
    IT_STAFF = "it_staff", _("IT staff")
    PATRON = "patron", _("Patron (pemustaka)")


STAFF_ROLES = frozenset({Role.LIBRARY_ADMIN, Role.LIBRARIAN, Role.IT_STAFF})


class PatronCategory(models.TextChoices):
    STUDENT = "student", _("Student")
    LECTURER = "lecturer", _("Lecturer")
    STAFF = "staff", _("Staff of the institution")
    ALUMNUS = "alumnus", _("Alumnus")
    PUBLIC = "public", _("General public")


class User(AbstractUser):
    """A person: coordinator, library staff or patron; all but the coordinator have a library."""

    LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PATRON)
    library = models.ForeignKey(
        "network.Library",
        verbose_name=_("library"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
        help_text=_("The library a staff member works for, or a patron's home library."),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        blank=True,
        choices=LANGUAGES,
    )
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    member_number = models.CharField(
        _("member number at the home library"), max_length=40, blank=True
    )
    patron_category = models.CharField(
        _("patron category"), max_length=20, choices=PatronCategory.choices, blank=True
    )
    faculty = models.CharField(_("faculty or unit"), max_length=200, blank=True)
    city = models.CharField(_("city of residence"), max_length=100, blank=True)

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="coordinator") | models.Q(library__isnull=False),
                name="user_has_library_unless_coordinator",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_coordinator(self) -> bool:
        return self.is_active and (self.role == Role.COORDINATOR or self.is_superuser)

    @property
    def is_library_staff(self) -> bool:
        return self.is_active and self.role in STAFF_ROLES

    @property
    def is_patron(self) -> bool:
        return self.role == Role.PATRON


class FailedLogin(models.Model):
    """A failed sign-in, kept briefly so that password guessing can be slowed down."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    attempted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")

    def __str__(self) -> str:
        return f"{self.username} @ {self.attempted_at:%Y-%m-%d %H:%M}"


class PasswordResetRequest(models.Model):
    """A request for a password-reset e-mail, kept briefly so nobody can flood a mailbox."""

    email = models.EmailField(db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")

    def __str__(self) -> str:
        return f"{self.email} @ {self.requested_at:%Y-%m-%d %H:%M}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token; only its hash is stored, the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_raw_token() -> str:
        return "smp_" + secrets.token_urlsafe(32)
