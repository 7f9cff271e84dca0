"""URLs of the inventory app."""

from django.urls import URLPattern, path

from . import views

app_name = "inventory"
urlpatterns: list[URLPattern] = [
    path("items/", views.item_list, name="item-list"),
    path("items/<int:item_id>/forecast", views.item_forecast, name="item-forecast"),
]
