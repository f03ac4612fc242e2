"""The network and its member libraries."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Typology(models.TextChoices):
    CORPORATE = "corporate", _("Corporate (one board, one budget)")
    FEDERATION = "federation", _("Federation")
    COOPERATIVE = "cooperative", _("Cooperative")


class Topology(models.TextChoices):
    STAR = "star", _("Star: everything through the coordinator")
    MESH = "mesh", _("Mesh: members deal directly")
    MIXED = "mixed", _("Mixed")


class Network(models.Model):
    """The cooperation network this installation serves (one per installation)."""

    name = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=40)
    typology = models.CharField(
        _("typology"), max_length=20, choices=Typology.choices, default=Typology.COOPERATIVE
    )
    topology = models.CharField(
        _("topology"), max_length=20, choices=Topology.choices, default=Topology.STAR
    )
    description = models.TextField(_("description (Indonesian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    coordinator = models.ForeignKey(
        "network.Library",
        verbose_name=_("coordinating library"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_en)

    @property
    def display_description(self) -> str:
        return localised(self.description, self.description_en)


class LibraryType(models.TextChoices):
    UNIVERSITY = "university", _("University library")
    INSTITUTE = "institute", _("Institute library")
    COLLEGE = "college", _("College (sekolah tinggi) library")
    POLYTECHNIC = "polytechnic", _("Polytechnic library")
    ACADEMY = "academy", _("Academy library")
    PUBLIC = "public", _("Public library")
    SPECIAL = "special", _("Special library")
    CORNER = "corner", _("Reading corner (partner)")


class LibraryManager(models.Manager["Library"]):
    def get_by_natural_key(self, code: str) -> Library:
        return self.get(code=code)


library_code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,19}$",
    _("Use 2 to 20 capital letters, digits or hyphens, for example UNPAD or ID-JBR-01."),
)


class Library(models.Model):
    """A member library (perpustakaan anggota) or an outside partner of the network."""

    code = models.CharField(
        _("code"), max_length=20, unique=True, validators=[library_code_validator]
    )
    name = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    library_type = models.CharField(_("type"), max_length=20, choices=LibraryType.choices)
    institution = models.CharField(_("parent institution"), max_length=200, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    city = models.CharField(_("city or regency"), max_length=100, blank=True)
    address = models.TextField(_("address"), blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    collection_size = models.PositiveIntegerField(_("collection size (titles)"), default=0)
    staff_count = models.PositiveIntegerField(_("number of staff"), default=0)
    description = models.TextField(_("about the library (Indonesian)"), blank=True)
    description_en = models.TextField(_("about the library (English)"), blank=True)
    visiting_rules = models.TextField(_("visiting rules (Indonesian)"), blank=True)
    visiting_rules_en = models.TextField(_("visiting rules (English)"), blank=True)
    oai_pmh_url = models.URLField(_("OAI-PMH base URL"), blank=True)
    sru_url = models.URLField(_("SRU base URL"), blank=True)
    iso18626_url = models.URLField(_("ISO 18626 endpoint"), blank=True)
    library_system = models.CharField(
        _("library system"),
        max_length=60,
        blank=True,
        help_text=_("e.g. SLiMS 9, INLIS Lite, Koha"),
    )
    internal_notes = models.TextField(
        _("internal notes (staff only)"),
        blank=True,
        help_text=_("Seen only by this library's staff and the network coordinator."),
    )
    is_active = models.BooleanField(_("active member"), default=True)
    joined_on = models.DateField(_("member since"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = LibraryManager()

    class Meta:
        verbose_name = _("member library")
        verbose_name_plural = _("member libraries")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.code})"

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_en)

    @property
    def display_description(self) -> str:
        return localised(self.description, self.description_en)

    @property
    def display_visiting_rules(self) -> str:
        return localised(self.visiting_rules, self.visiting_rules_en)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening period of a library on a weekday (a day may have two, around Friday prayers)."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="opening_closes_after_opens"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


def localised(indonesian: str, english: str) -> str:
    """The English text when the reader chose English and one exists, else the Indonesian."""
    if (get_language() or "id").startswith("en") and english:
        return english
    return indonesian or english
