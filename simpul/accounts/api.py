from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from simpul.accounts.models import User

router = Router(tags=["account"])


class MeOut(Schema):
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    library: str | None
    preferred_language: str

    @staticmethod
    def resolve_library(obj: User) -> str | None:
        return obj.library.code if obj.library else None


@router.get("", response=MeOut, summary="The signed-in person")
def me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]
