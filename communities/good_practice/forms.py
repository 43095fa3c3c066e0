"""Forms for submitting good practice and recording reuse: validation only, writes go through services."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from wagtail.images.fields import WagtailImageField

from communities.models import (
    CommunityPage,
    GoodPracticePage,
    PracticeStatus,
    ReuseLicence,
    SavingsPeriod,
    ServiceArea,
)
from communities.models.good_practice import MAX_AMOUNT
from communities.permissions import can_see_profile, listable_communities
from linkeddata.models import Area

LIST_SEPARATORS = re.compile(r"[\n;]+")
MAX_STEPS = 20


def _body_initial(page: GoodPracticePage) -> dict:
    """The key figure and steps the form edits: the body's first block of each kind."""
    initial: dict = {}
    for block in page.body:
        if block.block_type == "key_figure" and "key_figure_value" not in initial:
            initial.update(
                {
                    f"key_figure_{part}": block.value.get(part, "")
                    for part in ("value", "unit", "label")
                }
            )
        elif block.block_type == "steps" and "steps" not in initial:
            initial["steps"] = "\n".join(block.value.get("steps", []))
    return initial


def resolve_councils(text: str) -> tuple[list[Area], list[str]]:
    """Councils named in ``text`` (one per line or separated by semicolons or commas, by name or
    GSS code), and the entries that match no current council."""
    councils = Area.objects.councils()
    found: list[Area] = []
    unknown: list[str] = []

    def lookup(entry: str) -> Area | None:
        return (
            councils.filter(gss_code__iexact=entry).first()
            or councils.filter(short_name__iexact=entry).first()
            or councils.filter(name__iexact=entry).first()
        )

    for line in LIST_SEPARATORS.split(text or ""):
        line = line.strip()
        if not line:
            continue
        area = lookup(line)
        parts = [line] if area else [part.strip() for part in line.split(",") if part.strip()]
        for part in parts:
            area = area if len(parts) == 1 and area else lookup(part)
            if area is None:
                unknown.append(part)
            elif area not in found:
                found.append(area)
            area = None
    return found, unknown


class ServiceAreaChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ServiceArea) -> str:
        return obj.full_name


class GoodPracticeForm(forms.Form):
    """The structured case study a practitioner submits from the front end."""

    title = forms.CharField(
        max_length=200,
        help_text="Say what worked, for example 'Trusted assessors cut adaptation waits by ten weeks'.",
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="One paragraph: what you did and what it achieved.",
    )
    problem = forms.CharField(
        label="The problem", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    approach = forms.CharField(
        label="The approach", widget=forms.Textarea(attrs={"rows": 6}), max_length=10000
    )
    outcomes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    evidence = forms.CharField(
        label="Evidence and evaluation",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
        help_text="How you know it worked: evaluations, data, audits.",
    )
    cost_amount = forms.DecimalField(
        label="Cost (£)",
        required=False,
        min_value=0,
        max_value=MAX_AMOUNT,
        max_digits=13,
        decimal_places=2,
        help_text="What it cost, in pounds. Leave empty if unknown.",
        error_messages={
            "min_value": "Enter a cost of zero or more.",
            "max_value": "Enter a cost up to £1,000,000,000.",
        },
    )
    savings_amount = forms.DecimalField(
        label="Savings (£)",
        required=False,
        min_value=0,
        max_value=MAX_AMOUNT,
        max_digits=13,
        decimal_places=2,
        help_text="What it saved, in pounds. Leave empty if unknown.",
        error_messages={
            "min_value": "Enter savings of zero or more.",
            "max_value": "Enter savings up to £1,000,000,000.",
        },
    )
    savings_period = forms.ChoiceField(
        label="Savings period",
        required=False,
        choices=[("", "Choose a period"), *SavingsPeriod.choices],
    )
    savings_measurement = forms.CharField(
        label="How the savings were measured",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    key_figure_value = forms.CharField(
        label="Key figure: number",
        max_length=30,
        required=False,
        help_text="For example 2.18 or 38.",
    )
    key_figure_unit = forms.CharField(
        label="Key figure: unit",
        max_length=30,
        required=False,
        help_text="For example £m, %, weeks.",
    )
    key_figure_label = forms.CharField(
        label="Key figure: what it measures",
        max_length=120,
        required=False,
        help_text="For example 'saved over five years'.",
    )
    steps = forms.CharField(
        label="Steps others can follow",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        required=False,
        help_text="One step per line, in order.",
    )
    councils = forms.CharField(
        label="Councils involved",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line, by name or GSS code, for example Leeds or E08000035.",
    )
    service_areas = ServiceAreaChoiceField(
        queryset=ServiceArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one service area."},
    )
    tags = forms.CharField(
        required=False,
        max_length=500,
        help_text="Separate tags with commas, for example food waste, contracts.",
    )
    communities = forms.ModelMultipleChoiceField(
        label="Communities where this was discussed",
        queryset=CommunityPage.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contact_email = forms.EmailField(
        label="Contact person's email",
        required=False,
        help_text="A member of the hub other councils can contact. Leave empty to be the contact yourself.",
    )
    practice_date = forms.DateField(
        label="Date it started", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(choices=PracticeStatus.choices, initial=PracticeStatus.ESTABLISHED)
    licence = forms.ChoiceField(
        label="Licence for reuse", choices=ReuseLicence.choices, initial=ReuseLicence.OGL
    )
    image = WagtailImageField(label="Image", required=False)
    image_alt = forms.CharField(
        label="Image description",
        max_length=250,
        required=False,
        help_text="Describe the image for people who cannot see it.",
    )

    def __init__(self, *args, user, instance: GoodPracticePage | None = None, **kwargs):
        self.user = user
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(instance)
        super().__init__(*args, **kwargs)
        self.fields["service_areas"].queryset = ServiceArea.objects.in_tree_order()
        self.fields["communities"].queryset = listable_communities(user).order_by("title")

    @staticmethod
    def initial_from(page: GoodPracticePage) -> dict:
        return {
            **{
                name: getattr(page, name)
                for name in (
                    "title",
                    "summary",
                    "problem",
                    "approach",
                    "outcomes",
                    "evidence",
                    "cost_amount",
                    "savings_amount",
                    "savings_period",
                    "savings_measurement",
                    "practice_date",
                    "status",
                    "licence",
                    "image_alt",
                )
            },
            "councils": "\n".join(area.short_name for area in page.councils.all()),
            "service_areas": list(page.service_areas.all()),
            "tags": ", ".join(tag.name for tag in page.tags.all()),
            "communities": list(page.communities.all()),
            **_body_initial(page),
            "contact_email": page.contact.email
            if page.contact_id and page.contact_id != page.author_id
            else "",
        }

    def clean_councils(self) -> list[Area]:
        found, unknown = resolve_councils(self.cleaned_data["councils"])
        if unknown:
            names = ", ".join(repr(entry) for entry in unknown)
            raise forms.ValidationError(
                f"No council matches {names}. Use the council's name or GSS code, for example Leeds or E08000035."
            )
        if not found:
            raise forms.ValidationError("Name at least one council.")
        return found

    def clean_tags(self) -> list[str]:
        tags = [t.strip()[:100] for t in self.cleaned_data["tags"].split(",") if t.strip()]
        return list(dict.fromkeys(tags))[:20]

    def clean_steps(self) -> list[str]:
        steps = [line.strip() for line in self.cleaned_data["steps"].splitlines() if line.strip()]
        if len(steps) > MAX_STEPS:
            raise forms.ValidationError(f"List at most {MAX_STEPS} steps.")
        if any(len(step) > 1000 for step in steps):
            raise forms.ValidationError("Keep each step under 1,000 characters.")
        return steps

    def clean_contact_email(self):
        email = self.cleaned_data["contact_email"].strip().lower()
        if not email:
            return None
        contact = (
            get_user_model()
            .objects.filter(email__iexact=email, is_active=True)
            .select_related("profile")
            .first()
        )
        # A member whose profile the author may not see is answered as if there were none.
        if contact is None or not can_see_profile(self.user, getattr(contact, "profile", None)):
            raise forms.ValidationError("No member of the hub has this email address.")
        return contact

    def clean(self):
        data = super().clean()
        if data.get("savings_amount") is not None and not data.get("savings_period"):
            self.add_error(
                "savings_period",
                "Say whether the savings are one-off, yearly, monthly or over the whole project.",
            )
        if data.get("key_figure_value") and not data.get("key_figure_label"):
            self.add_error("key_figure_label", "Say what the key figure measures.")
        if data.get("key_figure_label") and not data.get("key_figure_value"):
            self.add_error("key_figure_value", "Enter the key figure's number.")
        if data.get("image") and not data.get("image_alt", "").strip():
            self.add_error("image_alt", "Describe the image for people who cannot see it.")
        return data

    def to_data(self) -> dict:
        """The cleaned form in the shape ``do_create_good_practice`` takes."""
        data = dict(self.cleaned_data)
        value, unit, label = (
            data.pop(f"key_figure_{part}", "") for part in ("value", "unit", "label")
        )
        data["body_parts"] = {
            "key_figure": {"value": value, "unit": unit, "label": label} if value else None,
            "steps": data.pop("steps", []),
        }
        data["contact"] = data.pop("contact_email") or (
            self.instance.author if self.instance else self.user
        )
        if not data.get("image"):
            data.pop("image", None)
            if self.instance is None or not self.instance.image_id:
                data.pop("image_alt", None)
        else:
            data["image_file"] = data.pop("image")
        return data


class AdoptionForm(forms.Form):
    note = forms.CharField(
        label="How your council adopted it (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve and publish"), ("reject", "Request changes")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text="Required when you request changes: tell the author what to change.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("comment", "").strip():
            self.add_error("comment", "Tell the author what to change.")
        return data
