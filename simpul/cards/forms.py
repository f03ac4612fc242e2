"""Forms of the card and visit pages; they check the shape of input, services the rules."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from simpul.cards.models import VisitRules
from simpul.network.models import Library, Weekday

CATALOGUE_NUMBER = re.compile(r"(?:/catalogue/)?(\d{1,12})/?$")


class ApplicationForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("A passport-style photo: JPEG, PNG or WebP, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    note = forms.CharField(
        label=_("Note for your library (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class PolicyForm(forms.Form):
    auto_issue = forms.BooleanField(
        label=_("Issue cards automatically to verified patrons"),
        required=False,
        help_text=_("Verified: the home library has recorded the patron's member number."),
    )
    validity_months = forms.IntegerField(label=_("Validity (months)"), min_value=1, max_value=60)


class RulesForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Visiting days"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    listed_libraries = forms.ModelMultipleChoiceField(
        label=_("Libraries whose patrons may visit (when listed only)"),
        queryset=Library.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = VisitRules
        fields = [
            "audience",
            "listed_libraries",
            "weekdays",
            "opens",
            "closes",
            "time_zone",
            "reading_on_site",
            "borrowing",
            "copying",
            "computer_use",
            "max_visits_per_month",
            "preregistration_required",
            "preregistration_days",
            "notes",
        ]
        widgets = {
            "opens": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, host: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        listed = self.fields["listed_libraries"]
        assert isinstance(listed, forms.ModelMultipleChoiceField)
        listed.queryset = Library.objects.filter(is_active=True).exclude(pk=host.pk)
        if self.instance.pk is None:
            listed.initial = []
        self.initial.setdefault("weekdays", self.instance.weekdays)


class VisitForm(forms.Form):
    host_library = forms.ModelChoiceField(
        label=_("Library to visit"),
        queryset=Library.objects.none(),
        empty_label=_("Choose a library"),
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.CharField(
        label=_("Purpose of the visit"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    titles = forms.CharField(
        label=_("Titles to consult (optional)"),
        required=False,
        max_length=2000,
        help_text=_(
            "Paste links to titles in the union catalogue (or their numbers), one per line."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, hosts: list[Library], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        host = self.fields["host_library"]
        assert isinstance(host, forms.ModelChoiceField)
        host.queryset = Library.objects.filter(pk__in=[lib.pk for lib in hosts])

    def clean_titles(self) -> list[int]:
        numbers = []
        for line in re.split(r"[\s,]+", self.cleaned_data["titles"]):
            if not line:
                continue
            found = CATALOGUE_NUMBER.search(line.split("?")[0])
            if not found:
                raise forms.ValidationError(
                    _("“%(value)s” is not a link to a title in the union catalogue."),
                    params={"value": line[:80]},
                )
            numbers.append(int(found.group(1)))
        return numbers


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Message to the visitor"), required=False, max_length=500)


class DeskForm(forms.Form):
    # Long enough for a hand scanner that types the QR code's text into it.
    number = forms.CharField(
        label=_("Card number"),
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    token = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number = data.get("number", "").strip()
        if number.startswith("SMP1."):
            data["number"], data["token"] = "", number
        if not data.get("number", "").strip() and not data.get("token", "").strip():
            raise forms.ValidationError(_("Scan the card's QR code or type its number."))
        return data


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date must come before the end date."))
        return data
