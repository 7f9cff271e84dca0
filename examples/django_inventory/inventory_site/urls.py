"""URL configuration: the inventory app's JSON endpoints at the root."""

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("inventory.urls")),
]
