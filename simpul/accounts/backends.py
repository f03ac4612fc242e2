"""Sign-in that stops checking passwords once a name or address has failed too often.

The sign-in form tells the person why; this backend makes sure no other entry point
can be used to keep guessing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from simpul.accounts import services


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None or password is None:
            return None
        ip = client_ip(request)
        if services.is_sign_in_throttled(username, ip):
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            services.record_failed_sign_in(username, ip)
        else:
            services.clear_failed_sign_ins(username)
        return user
