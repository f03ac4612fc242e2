from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from simpul.network.models import Library, LibraryType, Weekday
from simpul.network.services import COORDINATOR_FIELDS, STAFF_EDITABLE_FIELDS


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search members"), required=False, max_length=200)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *LibraryType.choices]
    )
    province = forms.CharField(label=_("Province"), required=False, max_length=100)


class LibraryForm(forms.ModelForm[Library]):
    def __init__(self, *args: Any, editable: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in editable:
                del self.fields[name]
        kind = self.fields.get("library_type")
        if isinstance(kind, forms.ChoiceField):  # a type is required: no bare dashes to pick
            blank = [] if self.instance.pk else [("", _("Choose a type"))]
            kind.choices = [*blank, *LibraryType.choices]

    class Meta:
        model = Library
        # The form shows every field anyone may edit; __init__ keeps the ones this person may.
        fields = [
            "code",
            "library_type",
            *STAFF_EDITABLE_FIELDS,
            *(name for name in COORDINATOR_FIELDS if name not in {"code", "library_type"}),
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "visiting_rules": forms.Textarea(attrs={"rows": 4}),
            "visiting_rules_en": forms.Textarea(attrs={"rows": 4}),
            "internal_notes": forms.Textarea(attrs={"rows": 3}),
            "joined_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > settings.LOGO_MAX_BYTES:
            raise forms.ValidationError(
                _("The logo may be at most %(size)s KB."),
                params={"size": settings.LOGO_MAX_BYTES // 1024},
            )
        return logo


class OpeningPeriodForm(forms.Form):
    # The blank choice keeps an untouched extra row unchanged, so the formset skips it
    # instead of asking for its times; "HH:MM" is what <input type="time"> expects.
    weekday = forms.TypedChoiceField(
        label=_("Day"), choices=[("", "—"), *Weekday.choices], coerce=int, empty_value=None
    )
    opens = forms.TimeField(
        label=_("Opens"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes = forms.TimeField(
        label=_("Closes"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens: dt.time | None = data.get("opens")
        closes: dt.time | None = data.get("closes")
        if opens and closes and closes <= opens:
            raise forms.ValidationError(_("Closing time must be after opening time."))
        return data


OpeningHoursFormSet = forms.formset_factory(OpeningPeriodForm, extra=2, can_delete=True, max_num=21)
