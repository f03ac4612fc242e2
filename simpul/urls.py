from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.static import serve

from simpul.api import api

# The admin's registrations are loaded here, with the URLs, not at start-up
# (settings: SimpleAdminConfig): imports and harvests never need them.
admin.autodiscover()

handler400 = "simpul.web.views.bad_request"
handler403 = "simpul.web.views.permission_denied"
handler404 = "simpul.web.views.page_not_found"
handler500 = "simpul.web.views.server_error"

urlpatterns = [
    path("", include("simpul.web.urls")),
    path("accounts/", include("simpul.accounts.urls")),
    path("", include("simpul.network.urls")),
    path("", include("simpul.catalog.urls")),
    path("", include("simpul.harvest.urls")),
    path("", include("simpul.agreements.urls")),
    path("", include("simpul.protocols.urls")),
    path("", include("simpul.repository.urls")),
    path("", include("simpul.cards.urls")),
    path("", include("simpul.ill.urls")),
    path("", include("simpul.lists.urls")),
    path("api/", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]
