"""Service areas: the controlled vocabulary good practice is filed under (separate from free tags)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel
from wagtail.search import index
from wagtail.snippets.models import register_snippet

SEPARATOR = " › "


class ServiceAreaQuerySet(models.QuerySet):
    def in_tree_order(self) -> ServiceAreaQuerySet:
        """Top-level areas first, each followed by its children, alphabetically."""
        return self.select_related("parent").order_by(
            models.functions.Coalesce("parent__name", "name"),
            models.F("parent").asc(nulls_first=True),
            "name",
        )


@register_snippet
class ServiceArea(index.Indexed, models.Model):
    """A council service (Adult social care) or a part of one (Adult social care › Safeguarding).

    A two-level tree kept by a parent link; editors manage it as a snippet in the admin.
    """

    name = models.CharField(max_length=100)
    slug = models.SlugField(
        max_length=120, unique=True, help_text="Used in the library's filter links."
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="Leave empty for a top-level service area.",
    )
    description = models.TextField(blank=True)

    objects = ServiceAreaQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("parent"),
        FieldPanel("description"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unique_service_area_name")
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slugify(self.full_name.replace(SEPARATOR, " "))[:110]
            self.slug = base
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.parent.name}{SEPARATOR}{self.name}" if self.parent_id else self.name

    def clean(self) -> None:
        if self.parent_id and self.parent.parent_id:
            raise ValidationError(
                {"parent": "Service areas have two levels: choose a top-level area as parent."}
            )
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": "A service area cannot be its own parent."})

    def with_descendants(self) -> list[int]:
        """Ids of this area and its children: filtering by a service area includes its parts."""
        return [self.pk, *self.children.values_list("pk", flat=True)]
