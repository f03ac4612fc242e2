from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from simpul.accounts import services
from simpul.accounts.forms import (
    ApiTokenForm,
    ChangePasswordForm,
    NewPasswordForm,
    PersonForm,
    ProfileForm,
    SignInForm,
    ThrottledPasswordResetForm,
    add_service_errors,
)
from simpul.accounts.models import User
from simpul.core.errors import InvalidInput
from simpul.network import permissions
from simpul.network import queries as network_queries


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True


sign_out = auth_views.LogoutView.as_view()
password_reset = auth_views.PasswordResetView.as_view(
    form_class=ThrottledPasswordResetForm,
    template_name="accounts/password_reset.html",
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    form_class=NewPasswordForm,
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    form_class=ChangePasswordForm,
    template_name="accounts/password_change.html",
    success_url=reverse_lazy("accounts:profile"),
)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    person: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        # The form works on a copy, so refused input never shows as saved elsewhere on the page.
        form = ProfileForm(request.POST, instance=User.objects.get(pk=person.pk))
        if form.is_valid():
            try:
                services.update_profile(
                    person, {name: form.cleaned_data[name] for name in form.changed_data}
                )
            except InvalidInput as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("accounts:profile")
    else:
        form = ProfileForm(instance=person)
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "person": person, "tokens": person.api_tokens.order_by("-created_at")},
    )


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    person: User = request.user  # type: ignore[assignment]
    new_token = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.create_api_token(person, form.cleaned_data["name"])
        except InvalidInput as exc:
            form.add_error("name", exc.messages[0])
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "new_token": new_token, "tokens": person.api_tokens.order_by("-created_at")},
    )


@login_required
@require_POST
def revoke_api_token(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.revoke_api_token(request.user, token_id)  # type: ignore[arg-type]
    except InvalidInput as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The token was revoked."))
    return redirect("accounts:api_tokens")


@login_required
def add_person(request: HttpRequest, code: str) -> HttpResponse:
    library = network_queries.get_library(code)
    permissions.check_can_manage_people(request.user, library)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(request.user, library=library, **form.cleaned_data)
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The account %(username)s was created.") % {"username": person.username}
            )
            return redirect("network:library_staff", code=library.code)
    return render(request, "accounts/add_person.html", {"form": form, "library": library})
