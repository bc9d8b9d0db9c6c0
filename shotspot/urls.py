from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    # The database, the broker, the workers, the janitor, the connections' schedules.
    path("health/", include("twizzit.api.health")),
    path("api/twizzit/", include("twizzit.api.urls")),
    path("api/", include("twizzit.api.shotspot_data")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

# Under /api/ even an unknown path or a crash answers in the API's JSON error shape.
handler404 = "twizzit.api.errors.not_found"
handler500 = "twizzit.api.errors.server_error"
