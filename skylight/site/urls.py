"""Root URLs: the admin, the API, provider webhooks, sign-in and the dashboard."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from skylight import errors

urlpatterns = [
    path("", include("skylight.health_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("skylight.site.api_urls", "api"), namespace="api")),
    path("webhooks/", include("channels.webhook_urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("skylight.site.dashboard_urls")),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
