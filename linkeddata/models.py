"""Benchmarking data held relationally: the source of truth for pages and the RDF store."""

from __future__ import annotations

from django.db import models


class AreaQuerySet(models.QuerySet):
    def councils(self) -> AreaQuerySet:
        """Current English councils: the list practitioners pick their council from."""
        return self.filter(nation="England", is_current=True).exclude(authority_type__in=["COMB", "SRA"])


class Area(models.Model):
    """A local authority (council), identified by its ONS GSS code."""

    code = models.CharField("authority code", max_length=8, unique=True, help_text="mySociety/BS-6879 code")
    gss_code = models.CharField("GSS code", max_length=9, unique=True, null=True, blank=True)
    name = models.CharField("official name", max_length=200)
    short_name = models.CharField(max_length=120)
    authority_type = models.CharField(max_length=8)
    authority_type_name = models.CharField(max_length=80)
    nation = models.CharField(max_length=40)
    region = models.CharField(max_length=60, blank=True)
    is_current = models.BooleanField(default=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    replaced_by = models.CharField(max_length=200, blank=True, help_text="codes of successor authorities")
    combined_authority = models.CharField(max_length=8, blank=True)
    former_gss_codes = models.CharField(max_length=200, blank=True)
    slug = models.SlugField(max_length=120, blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["short_name"]
        indexes = [models.Index(fields=["nation", "is_current"]), models.Index(fields=["region"])]

    def __str__(self) -> str:
        return self.short_name
