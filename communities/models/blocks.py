"""StreamField blocks for good practice case studies."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


class KeyFigureBlock(blocks.StructBlock):
    """A headline number: "£2.18m saved over five years"."""

    value = blocks.CharBlock(max_length=30, help_text="The number, for example 2.18 or 38%.")
    unit = blocks.CharBlock(
        max_length=30, required=False, help_text="For example £m, weeks, households."
    )
    label = blocks.CharBlock(
        max_length=120, help_text="What it measures, for example 'saved over five years'."
    )

    class Meta:
        icon = "pick"
        label = "Key figure"
        template = "communities/good_practice/blocks/key_figure.html"


class QuotationBlock(blocks.StructBlock):
    quote = blocks.TextBlock(max_length=1500)
    attribution = blocks.CharBlock(
        max_length=200, required=False, help_text="Who said it and their role."
    )

    class Meta:
        icon = "openquote"
        template = "communities/good_practice/blocks/quotation.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        max_length=250,
        required=False,
        help_text="Describe the image for people who cannot see it; leave empty if it is decorative.",
    )
    caption = blocks.CharBlock(max_length=250, required=False)

    class Meta:
        icon = "image"
        template = "communities/good_practice/blocks/image.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    title = blocks.CharBlock(
        max_length=200, required=False, help_text="Defaults to the document's title."
    )

    class Meta:
        icon = "doc-full"
        template = "communities/good_practice/blocks/document.html"


class StepsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, required=False, default="How we did it")
    steps = blocks.ListBlock(blocks.TextBlock(max_length=1000), min_num=1)

    class Meta:
        icon = "list-ol"
        label = "Step-by-step list"
        template = "communities/good_practice/blocks/steps.html"


class LinkBlock(blocks.StructBlock):
    url = blocks.URLBlock()
    title = blocks.CharBlock(max_length=200)
    description = blocks.CharBlock(max_length=300, required=False)

    class Meta:
        icon = "link"
        template = "communities/good_practice/blocks/link.html"


class BenchmarkEvidenceBlock(blocks.StructBlock):
    """A measure for an area before and after the change.

    Stored as identifiers (the measure's slug, the area's GSS code, period labels) plus the
    values the author quotes, so the block renders today and links up with the hub's linked
    data measures without any migration once they exist.
    """

    measure = blocks.CharBlock(
        max_length=100, help_text="The measure's identifier, for example household-recycling-rate."
    )
    area = blocks.CharBlock(
        max_length=9, help_text="The council's GSS code, for example E08000035."
    )
    period_before = blocks.CharBlock(max_length=20, help_text="For example 2019-20.")
    value_before = blocks.DecimalBlock(required=False)
    period_after = blocks.CharBlock(max_length=20, help_text="For example 2023-24.")
    value_after = blocks.DecimalBlock(required=False)
    unit = blocks.CharBlock(max_length=30, required=False, help_text="For example %, tonnes, £.")
    note = blocks.CharBlock(max_length=300, required=False)

    class Meta:
        icon = "table"
        label = "Benchmark evidence"
        template = "communities/good_practice/blocks/benchmark_evidence.html"

    def clean(self, value):
        from linkeddata.models import Area

        value = super().clean(value)
        code = (value.get("area") or "").strip().upper()
        if not Area.objects.filter(gss_code=code).exists():
            raise StructBlockValidationError(
                block_errors={
                    "area": ErrorList([ValidationError(f"No council has the GSS code {code!r}.")])
                }
            )
        value["area"] = code
        return value

    def get_context(self, value, parent_context=None):
        from linkeddata.presentation import describe_benchmark

        context = super().get_context(value, parent_context=parent_context)
        context["evidence"] = describe_benchmark(value)
        return context


class GoodPracticeBodyBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(features=["h2", "h3", "bold", "italic", "ol", "ul", "link"])
    key_figure = KeyFigureBlock()
    quotation = QuotationBlock()
    image = ImageBlock()
    document = DocumentBlock()
    steps = StepsBlock()
    link = LinkBlock()
    benchmark_evidence = BenchmarkEvidenceBlock()
