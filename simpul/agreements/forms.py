"""Forms for recording an agreement: its text, its services, and one row per party."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from simpul.agreements.models import Agreement, Kind, Service, Status
from simpul.agreements.services import MAX_PDF_BYTES, PartyValues
from simpul.network.models import Library

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgreementForm(forms.ModelForm):
    services = forms.MultipleChoiceField(
        label=_("Services covered"),
        choices=Service.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The services this agreement switches on between its parties while it is active."
        ),
    )
    signed_document = forms.FileField(
        label=_("Signed document (PDF)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text=_("The scanned or exported signed agreement, a PDF of at most %(size)d MB.")
        % {"size": MAX_PDF_BYTES // (1024 * 1024)},
    )

    all_members = forms.BooleanField(
        label=_("Every active member library is a party"),
        required=False,
        help_text=_(
            "For an MoU of the whole network: adds every member library not listed below. "
            "Add outside partners and details per party in the rows below."
        ),
    )

    class Meta:
        model = Agreement
        fields = [
            "kind",
            "title",
            "reference",
            "parent",
            "status",
            "start_date",
            "end_date",
            "background",
            "scope",
            "division_of_work",
            "financing",
            "implementation",
            "terminated_on",
            "termination_reason",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "terminated_on": DATE,
            "background": forms.Textarea(attrs={"rows": 4}),
            "scope": forms.Textarea(attrs={"rows": 3}),
            "division_of_work": forms.Textarea(attrs={"rows": 3}),
            "financing": forms.Textarea(attrs={"rows": 3}),
            "implementation": forms.Textarea(attrs={"rows": 3}),
            "termination_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, mous: Any, coordinator: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        assert isinstance(parent, forms.ModelChoiceField)
        parent.queryset = mous.exclude(pk=self.instance.pk) if self.instance.pk else mous
        parent.empty_label = _("None: not under another agreement")
        if not coordinator:
            kind = self.fields["kind"]
            assert isinstance(kind, forms.ChoiceField)
            kind.choices = [(k.value, k.label) for k in Kind if k != Kind.MOU]
        if self.instance.pk:
            self.fields["services"].initial = self.instance.service_codes
        else:
            self.fields["status"].initial = Status.DRAFT


class PartyForm(forms.Form):
    library = forms.ModelChoiceField(
        label=_("Library"),
        queryset=Library.objects.order_by("name"),
        required=False,
        empty_label=_("None: an outside partner"),
    )
    partner_name = forms.CharField(
        label=_("or outside partner"),
        max_length=200,
        required=False,
        help_text=_("A partner not in the library directory, e.g. a bank's reading corner."),
    )
    signatory = forms.CharField(label=_("Signed by"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    rights_and_obligations = forms.CharField(
        label=_("Rights and obligations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("library") and data.get("partner_name"):
            raise forms.ValidationError(_("Choose a library or name an outside partner, not both."))
        if not data.get("library") and not data.get("partner_name"):
            raise forms.ValidationError(_("Choose a library or name the outside partner."))
        return data

    def values(self) -> PartyValues:
        data = self.cleaned_data
        return PartyValues(
            library=data["library"],
            partner_name=data["partner_name"].strip(),
            signatory=data["signatory"],
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            rights_and_obligations=data["rights_and_obligations"],
        )


PartyFormSet = forms.formset_factory(
    PartyForm, extra=3, max_num=200, validate_max=True, can_delete=True
)


def party_initial(agreement: Agreement) -> list[dict[str, Any]]:
    return [
        {
            "library": party.library_id,
            "partner_name": party.partner_name,
            "signatory": party.signatory,
            "contact_name": party.contact_name,
            "contact_email": party.contact_email,
            "rights_and_obligations": party.rights_and_obligations,
        }
        for party in agreement.parties.all()
    ]


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Status.choices]
    )
    service = forms.ChoiceField(
        label=_("Service"), required=False, choices=[("", _("Any service")), *Service.choices]
    )
    library = forms.ModelChoiceField(
        label=_("Party"),
        required=False,
        queryset=Library.objects.order_by("name"),
        to_field_name="code",
        empty_label=_("Any library"),
    )
