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
