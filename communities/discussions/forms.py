"""Forms of the discussion pages' moderation: flagging a post, moving a thread."""

from __future__ import annotations

from django import forms

from communities.models import CommunityPage, Flag


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        choices=Flag.Reason.choices,
        widget=forms.RadioSelect,
        label="Why should a facilitator look at this post?",
    )
    detail = forms.CharField(
        label="Anything else the facilitators should know (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MoveThreadForm(forms.Form):
    to = forms.ModelChoiceField(
        queryset=CommunityPage.objects.none(),
        label="Move to community",
        empty_label="Choose a community",
    )

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["to"].queryset = communities


class AskAboutFigureForm(forms.Form):
    """A question about one figure: where to ask it (communities the member may post in), a title
    and the question. The figure itself travels in hidden fields and is checked by the service."""

    community = forms.ModelChoiceField(
        queryset=CommunityPage.objects.none(),
        label="Community to ask in",
        empty_label=None,
        help_text="Communities where you can start a thread.",
        error_messages={
            "invalid_choice": "Choose one of the communities listed: you cannot start a thread "
            "in that one.",
            "required": "Choose a community to ask in.",
        },
    )
    title = forms.CharField(
        label="Title (5 to 200 characters)",
        max_length=200,
        widget=forms.TextInput(attrs={"minlength": 5}),
    )
    body = forms.CharField(
        label="Your question (Markdown)",
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Write your question before sending."},
    )
    area = forms.CharField(widget=forms.HiddenInput, required=False)
    measure = forms.CharField(widget=forms.HiddenInput, required=False)
    period = forms.CharField(widget=forms.HiddenInput, required=False)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities
