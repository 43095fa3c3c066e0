"""Benchmarking data held relationally: the source of truth for pages and the RDF store."""

from __future__ import annotations

from django.db import models

from linkeddata.uris import period_slug


class AreaQuerySet(models.QuerySet):
    def councils(self) -> AreaQuerySet:
        """Current English councils: the list practitioners pick their council from."""
        return self.filter(nation="England", is_current=True).exclude(
            authority_type__in=["COMB", "SRA"]
        )


class Area(models.Model):  # type: ignore[django-manager-missing]  # Profile.council: its base (modelcluster) is untyped
    """A local authority (council), identified by its ONS GSS code."""

    code = models.CharField(
        "authority code", max_length=8, unique=True, help_text="mySociety/BS-6879 code"
    )
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
    replaced_by = models.CharField(
        max_length=200, blank=True, help_text="codes of successor authorities"
    )
    combined_authority = models.CharField(max_length=8, blank=True)
    former_gss_codes = models.CharField(max_length=200, blank=True)
    slug = models.SlugField(max_length=120, blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["short_name"]
        indexes = [models.Index(fields=["nation", "is_current"]), models.Index(fields=["region"])]

    def __str__(self) -> str:
        return self.short_name

    @property
    def successor_codes(self) -> list[str]:
        """Authority codes of the councils that replaced this one (abolished areas only)."""
        return [code for code in self.replaced_by.replace(";", ",").split(",") if code.strip()]


class SimilarityType(models.TextChoices):
    GLOBAL = "global", "overall"
    ECONOMIC = "economic", "economic"
    DEMOGRAPHIC = "demographic", "demographic"


class SimilarArea(models.Model):
    """One of an area's ONS similar authorities (nearest neighbours), ranked 1 = most similar."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="similar_links")
    similar = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    similarity_type = models.CharField(max_length=12, choices=SimilarityType.choices)
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["area", "similarity_type", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "similarity_type", "rank"], name="similar_area_unique_rank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} ~ {self.similar} ({self.similarity_type} #{self.rank})"


class Cluster(models.Model):
    """An ONS cluster of similar areas (A–D) for one kind of similarity, with its ONS description."""

    similarity_type = models.CharField(max_length=12, choices=SimilarityType.choices)
    code = models.CharField(max_length=2)
    description = models.TextField(blank=True)
    areas = models.ManyToManyField(Area, related_name="clusters", blank=True)

    class Meta:
        ordering = ["similarity_type", "code"]
        constraints = [
            models.UniqueConstraint(fields=["similarity_type", "code"], name="cluster_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.get_similarity_type_display()} cluster {self.code}"


class PeriodKind(models.TextChoices):
    CALENDAR = "calendar", "calendar year"
    FINANCIAL = "financial", "financial year"


class Period(models.Model):
    """A calendar year (``2023``) or a financial year from 1 April (``2023/24``)."""

    code = models.CharField(max_length=7, unique=True)
    kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["start_date", "kind"]

    def __str__(self) -> str:
        return self.code

    @property
    def slug(self) -> str:
        """The period as a URL segment: ``2023`` or ``2023-24``."""
        return period_slug(self.code)


class Measure(models.Model):
    """What a dataset measures, in users' words, with its unit and which direction is good."""

    slug = models.SlugField(max_length=80, unique=True)
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=80)
    higher_is_better = models.BooleanField(
        help_text="True when a higher value is the better outcome"
    )
    source = models.CharField(max_length=300, help_text="who publishes the figures")
    source_url = models.URLField(blank=True)
    licence_name = models.CharField(max_length=120)
    licence_url = models.URLField()
    decimal_places = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label

    @property
    def polarity_text(self) -> str:
        return "higher is better" if self.higher_is_better else "lower is better"


class Dataset(models.Model):
    """A published set of observations of one measure, imported from a tidy CSV."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="datasets")
    period_kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    attribution = models.TextField(blank=True)
    issued = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Observation(models.Model):
    """The value of a dataset's measure for one area and period; its earlier values are kept."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="observations")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="observations")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="observations")
    value = models.DecimalField(max_digits=14, decimal_places=4)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["dataset", "area", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "area", "period"], name="observation_unique_key"
            ),
        ]
        indexes = [models.Index(fields=["dataset", "period"])]

    def __str__(self) -> str:
        return f"{self.dataset_id}/{self.area_id}/{self.period_id} = {self.value}"


class ObservationRevision(models.Model):
    """An earlier value of an observation, kept when a re-import changed it."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="revisions")
    value = models.DecimalField(max_digits=14, decimal_places=4)
    replaced_at = models.DateTimeField()
    source_file = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["observation", "-replaced_at"]

    def __str__(self) -> str:
        return f"{self.value} (replaced {self.replaced_at:%Y-%m-%d})"


class PendingPublication(models.Model):
    """A named graph (a dataset's, ``reference`` or ``content``) whose store copy and downloads must be
    rebuilt, or one item of the content graph whose triples must be replaced
    (``linkeddata.services.content.ContentItem``).

    Written in the transaction that changed the figures and deleted once they are published, so a store
    that is busy or unreachable delays publication and never loses it.
    """

    graph = models.CharField(
        max_length=300,
        unique=True,
        help_text="a dataset slug, 'reference', 'content', or one item of it: 'content:<kind>:<key>'",
    )
    requested_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at"]

    def __str__(self) -> str:
        return self.graph
