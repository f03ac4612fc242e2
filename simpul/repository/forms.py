"""The deposit form: Dublin Core with the fields Indonesian campuses use, and the files."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from simpul.repository import clock
from simpul.repository.models import AccessLevel, ItemType, Language, Licence


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files; each is inspected by the service, not trusted here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(part, initial) for part in data if part]
        return [single(data, initial)] if data else []


def _people(text: str) -> list[dict[str, str]]:
    """Lines of "Name; identifier" (the identifier — NIM, NIDN, NIP — may be left out)."""
    people = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _sep, identifier = line.partition(";")
        people.append({"name": " ".join(name.split()), "identifier": identifier.strip()})
    return people


def _people_text(people: list[dict[str, str]]) -> str:
    return "\n".join(
        f"{p['name']}; {p['identifier']}" if p.get("identifier") else p["name"] for p in people
    )


class ItemForm(forms.Form):
    item_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=ItemType.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=1000)
    author_name = forms.CharField(
        label=gettext_lazy("Author"),
        max_length=255,
        help_text=gettext_lazy("Surname, given names — e.g. Sari, Dewi Kartika"),
    )
    author_identifier = forms.CharField(
        label=gettext_lazy("Author's student or lecturer number (NIM/NIDN)"),
        max_length=50,
        required=False,
    )
    other_authors = forms.CharField(
        label=gettext_lazy("Other authors"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=gettext_lazy("One a line: name; NIM or NIDN"),
    )
    advisors = forms.CharField(
        label=gettext_lazy("Advisors"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=gettext_lazy("One a line: name; NIDN"),
    )
    faculty = forms.CharField(label=gettext_lazy("Faculty"), max_length=255, required=False)
    programme = forms.CharField(
        label=gettext_lazy("Study programme"), max_length=255, required=False
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1900)
    abstract_id = forms.CharField(
        label=gettext_lazy("Abstract (Indonesian)"), widget=forms.Textarea(attrs={"rows": 5})
    )
    abstract_en = forms.CharField(
        label=gettext_lazy("Abstract (English)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    keywords = forms.CharField(
        label=gettext_lazy("Keywords"),
        max_length=1000,
        help_text=gettext_lazy("Separated by semicolons"),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Language.choices)
    publisher = forms.CharField(
        label=gettext_lazy("Publisher"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("Leave empty for the library's institution"),
    )
    licence = forms.ChoiceField(label=gettext_lazy("Licence"), choices=Licence.choices)
    access_level = forms.ChoiceField(label=gettext_lazy("Access"), choices=AccessLevel.choices)
    embargo_until = forms.DateField(
        label=gettext_lazy("Embargo until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Only for embargoed items: the files open on this date."),
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Files"),
        required=False,
        help_text=gettext_lazy("PDF and other documents or data; their type is checked."),
    )
    note = forms.CharField(
        label=gettext_lazy("What changed (for a published item's new version)"),
        max_length=1000,
        required=False,
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["note"]

    def clean_year(self) -> int:
        year = int(self.cleaned_data["year"])
        if year > clock.today().year + 1:
            raise forms.ValidationError(_("The year lies in the future."))
        return year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        until = data.get("embargo_until")
        if data.get("access_level") == AccessLevel.EMBARGOED:
            if not until:
                self.add_error("embargo_until", _("Give the date the embargo ends."))
            elif until <= clock.today():
                self.add_error("embargo_until", _("The embargo must end after today."))
        return data

    def values(self) -> dict[str, Any]:
        """The cleaned form as the service's item fields."""
        data = self.cleaned_data
        authors = [
            {
                "name": " ".join(data["author_name"].split()),
                "identifier": data["author_identifier"].strip(),
            }
        ]
        return {
            "item_type": data["item_type"],
            "title": " ".join(data["title"].split()),
            "authors": authors + _people(data["other_authors"]),
            "advisors": _people(data["advisors"]),
            "faculty": data["faculty"].strip(),
            "programme": data["programme"].strip(),
            "year": data["year"],
            "abstract_id": data["abstract_id"].strip(),
            "abstract_en": data["abstract_en"].strip(),
            "keywords": [k.strip() for k in data["keywords"].split(";") if k.strip()],
            "language": data["language"],
            "publisher": data["publisher"].strip(),
            "licence": data["licence"],
            "access_level": data["access_level"],
            "embargo_until": data.get("embargo_until"),
        }

    @staticmethod
    def initial_for(item: Any) -> dict[str, Any]:
        first = item.authors[0] if item.authors else {"name": "", "identifier": ""}
        until: dt.date | None = item.embargo_until
        return {
            "item_type": item.item_type,
            "title": item.title,
            "author_name": first.get("name", ""),
            "author_identifier": first.get("identifier", ""),
            "other_authors": _people_text(item.authors[1:]),
            "advisors": _people_text(item.advisors),
            "faculty": item.faculty,
            "programme": item.programme,
            "year": item.year,
            "abstract_id": item.abstract_id,
            "abstract_en": item.abstract_en,
            "keywords": "; ".join(item.keywords),
            "language": item.language,
            "publisher": item.publisher,
            "licence": item.licence,
            "access_level": item.access_level,
            "embargo_until": until,
        }


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comments for the depositor"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the withdrawal (shown publicly)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PolicyForm(forms.Form):
    body_id = forms.CharField(
        label=gettext_lazy("Text (Indonesian)"), widget=forms.Textarea(attrs={"rows": 12})
    )
    body_en = forms.CharField(
        label=gettext_lazy("Text (English)"), widget=forms.Textarea(attrs={"rows": 12})
    )
