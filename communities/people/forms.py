"""Forms for accounts, profiles, membership and moderation. They parse input; services decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from taggit.forms import TagField

from communities.models import Profile, ProfileVisibility, Visibility
from communities.models.profiles import validate_display_name
from communities.people.services.mail import queue_rendered_email
from linkeddata.models import Area


class CouncilChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return obj.name if obj.name != obj.short_name else obj.short_name


class SignUpForm(forms.Form):
    display_name = forms.CharField(
        label="Your name", max_length=120, validators=[validate_display_name]
    )
    email = forms.EmailField(
        label="Work email address",
        max_length=150,
        help_text="You sign in with it; we send a link to confirm it.",
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput,
        help_text="At least 10 characters, not only numbers, not a common password.",
    )
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput)

    def clean_email(self) -> str:
        # Whether the address has an account is not said here: the service emails its owner instead.
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords are different.")
        elif first:
            candidate = User(
                username=cleaned.get("email", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("display_name", ""),
            )
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(label="Email address you signed up with", max_length=150)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class ProfileForm(forms.ModelForm):
    council = CouncilChoiceField(
        queryset=Area.objects.councils().order_by("name"),
        required=False,
        empty_label="Not given",
        help_text="Type the first letters of the council's name to jump to it.",
    )
    expertise = TagField(
        required=False,
        label="Expertise",
        help_text="Topics you know about, separated by commas, for example: waste, recycling.",
    )
    visibility = forms.ChoiceField(
        choices=ProfileVisibility.choices,
        widget=forms.RadioSelect,
        label="Who may see your profile",
    )

    class Meta:
        model = Profile
        fields = ["display_name", "job_title", "council", "expertise", "bio", "visibility"]
        labels = {"display_name": "Name", "bio": "About you"}
        help_texts = {"bio": "A few sentences, up to 2,000 characters."}
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label="Message to the facilitators (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Say what you do and why you would like to join.",
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    response = forms.CharField(
        label="Message to the requester (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address to invite")


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        choices=[("member", "Member"), ("facilitator", "Facilitator"), ("owner", "Owner")]
    )


class CommunitySettingsForm(forms.Form):
    description = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    tags = TagField(required=False, label="Topics", help_text="Separated by commas.")
    visibility = forms.ChoiceField(
        choices=Visibility.choices, widget=forms.RadioSelect, label="Who may see it"
    )


class ProposalForm(forms.Form):
    title = forms.CharField(label="Name of the community", min_length=3, max_length=120)
    description = forms.CharField(
        label="What it is for", max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        initial=Visibility.OPEN,
        label="Who may see it",
    )
    tags = forms.CharField(
        label="Topics (optional)",
        required=False,
        max_length=300,
        help_text="Separated by commas, for example: housing, homelessness.",
    )
    reason = forms.CharField(
        label="Why the hub needs it (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, its email sent by the task worker through the hub's one sender: the page
    answers as fast whether or not the address has an account, and a mail server that is down delays
    the email instead of failing the page."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict,
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        queue_rendered_email(
            [to_email],
            render_to_string(subject_template_name, context),
            render_to_string(email_template_name, context),
            kind="password_reset",
        )
