from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopConfig(AppConfig):
    name = "workshop"
    verbose_name = _("Workshops")

    def ready(self):
        # Sockets close when their person signs out, or their workshop is deleted.
        from workshop import revocations  # noqa: F401
