"""App configuration of the inventory app."""

from django.apps import AppConfig


class InventoryConfig(AppConfig):
    """Items, sales history and replenishment orders, planned with shelfcast."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "inventory"
