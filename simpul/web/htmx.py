from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """True for a partial-page request made by HTMX (it asks for a fragment, not a page)."""
    return request.headers.get("HX-Request") == "true"
