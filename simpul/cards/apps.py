from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CardsConfig(AppConfig):
    name = "simpul.cards"
    verbose_name = _("Member cards and visits")
    default_auto_field = "django.db.models.BigAutoField"
