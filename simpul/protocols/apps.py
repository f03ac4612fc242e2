from django.apps import AppConfig


class ProtocolsConfig(AppConfig):
    name = "simpul.protocols"
    label = "protocols"
    default_auto_field = "django.db.models.BigAutoField"
