"""Items with their inventory snapshot, their sales history, and replenishment orders."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Item(models.Model):
    """A stock-keeping unit and its current inventory snapshot.

    Holding cost is given either as an amount (``holding_cost``, currency per unit per day)
    or as a rate (``holding_rate``, fraction of ``unit_cost`` per day); exactly one of the
    two must be set. ``service_level`` overrides the planner's target for this item.
    """

    sku = models.CharField(max_length=32, unique=True)
    description = models.CharField(max_length=200, blank=True, default="")
    on_hand = models.IntegerField(default=0, help_text="units in stock")
    on_order = models.IntegerField(
        default=0,
        validators=[MinValueValidator(0)],
        help_text="units on order that are not tracked as Order rows (e.g. from an ERP import)",
    )
    lead_time = models.PositiveIntegerField(help_text="days from order to arrival")
    unit_cost = models.DecimalField(max_digits=12, decimal_places=4)
    holding_cost = models.FloatField(
        null=True, blank=True, help_text="currency per unit per day (or set holding_rate)"
    )
    holding_rate = models.FloatField(
        null=True, blank=True, help_text="fraction of unit_cost per day (or set holding_cost)"
    )
    order_cost = models.DecimalField(max_digits=12, decimal_places=2, help_text="per order")
    moq = models.PositiveIntegerField(default=0, help_text="minimum order quantity")
    pack_size = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    service_level = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="cycle service level target in (0, 1); empty = the planner's default",
    )

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(
                condition=Q(holding_cost__isnull=False, holding_rate__isnull=True)
                | Q(holding_cost__isnull=True, holding_rate__isnull=False),
                name="item_one_holding_cost",
                violation_error_message="set exactly one of holding_cost and holding_rate",
            ),
            models.CheckConstraint(
                condition=Q(service_level__isnull=True)
                | Q(service_level__gt=0.0, service_level__lt=1.0),
                name="item_service_level_open_unit_interval",
            ),
        ]

    def holding_cost_per_day(self) -> float:
        """Holding cost in currency per unit per day, from the amount or the rate.

        Returns:
            ``holding_cost`` if set, else ``holding_rate * unit_cost``.

        Raises:
            ValueError: neither is set (the database constraint forbids this).
        """
        if self.holding_cost is not None:
            return float(self.holding_cost)
        if self.holding_rate is not None:
            return float(self.holding_rate) * float(self.unit_cost)
        raise ValueError(f"item {self.sku!r}: neither holding_cost nor holding_rate is set")

    def __str__(self) -> str:
        return self.sku

    def __repr__(self) -> str:
        return f"<Item {self.sku!r} on_hand={self.on_hand} on_order={self.on_order}>"


class Sale(models.Model):
    """Units sold of an item on a day (several rows per item and day are summed)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="sales")
    date = models.DateField()
    quantity = models.IntegerField(validators=[MinValueValidator(0)])
    price = models.DecimalField(max_digits=12, decimal_places=4, help_text="unit price")

    class Meta:
        indexes = [models.Index(fields=["item", "date"])]
        ordering = ["item", "date"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.date}: {self.quantity}"

    def __repr__(self) -> str:
        return f"<Sale item={self.item_id} date={self.date} quantity={self.quantity}>"


class Order(models.Model):
    """A replenishment order. Planned and placed orders count as stock on order."""

    class Status(models.TextChoices):
        PLANNED = "planned", "planned"
        PLACED = "placed", "placed with the supplier"
        RECEIVED = "received", "received"
        CANCELLED = "cancelled", "cancelled"

    class Source(models.TextChoices):
        REPLENISH = "replenish", "created by the replenish job"
        MANUAL = "manual", "entered by hand"

    OPEN_STATUSES = (Status.PLANNED, Status.PLACED)

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="orders")
    quantity = models.PositiveIntegerField()
    order_date = models.DateField()
    arrival_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order_date", "item"]
        constraints = [
            # what makes `replenish` idempotent: one job order per item and day
            models.UniqueConstraint(
                fields=["item", "order_date"],
                condition=Q(source="replenish"),
                name="order_one_replenish_per_item_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.item_id} on {self.order_date}"

    def __repr__(self) -> str:
        return (
            f"<Order item={self.item_id} quantity={self.quantity} order_date={self.order_date} "
            f"status={self.status!r}>"
        )
