from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    name = "simpul.lists"
    verbose_name = _("New titles and serials lists")
    default_auto_field = "django.db.models.BigAutoField"
