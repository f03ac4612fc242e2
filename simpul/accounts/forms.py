from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from simpul.accounts import services
from simpul.accounts.backends import client_ip
from simpul.accounts.models import Role, User
from simpul.core.errors import InvalidInput


def add_service_errors(form: BaseForm, exc: InvalidInput) -> None:
    """Show a service's refusal on the form: by field where the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many failed sign-ins. Wait a few minutes, or reset your password."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username and services.is_sign_in_throttled(username, client_ip(self.request)):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        return super().clean()


class NewPasswordForm(SetPasswordForm):
    """A new password from a reset link; saving it also lifts the sign-in throttle on the name."""

    def save(self, commit: bool = True) -> Any:
        if not commit:
            return super().save(commit=False)
        services.set_password(self.user, self.cleaned_data["new_password1"])
        return self.user


class ChangePasswordForm(PasswordChangeForm):
    """A signed-in person's new password, saved through the same service as a reset."""

    save = NewPasswordForm.save


class ProfileForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "phone", "preferred_language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = self.fields["preferred_language"]
        assert isinstance(language, forms.ChoiceField)
        # Saying what no choice means, rather than Django's "---------".
        language.choices = [("", _("No preference: the language switch decides")), *User.LANGUAGES]


class PersonForm(forms.Form):
    """A library administrator adds a colleague or a patron to their library."""

    username = forms.CharField(label=_("user name"), max_length=150)
    first_name = forms.CharField(label=_("first name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("e-mail"))
    role = forms.ChoiceField(
        label=_("role"),
        choices=[(r.value, r.label) for r in Role if r != Role.COORDINATOR],
    )
    password = forms.CharField(
        label=_("initial password"), widget=forms.PasswordInput, min_length=10, max_length=128
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("token name"), max_length=100)


class ThrottledPasswordResetForm(PasswordResetForm):
    """Sends the reset mail only while the mailbox has not had too many of them this hour.

    The page answers the same either way, so nobody learns whether an account exists."""

    def save(self, **options: Any) -> None:  # type: ignore[override]
        request: HttpRequest | None = options.get("request")
        if services.may_send_password_reset(self.cleaned_data["email"], client_ip(request)):
            super().save(**options)
