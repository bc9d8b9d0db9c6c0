from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView


def health(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("api/twizzit/", include("twizzit.api.urls")),
    path("api/", include("twizzit.api.shotspot_data")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

# Under /api/ even an unknown path or a crash answers in the API's JSON error shape.
handler404 = "twizzit.api.errors.not_found"
handler500 = "twizzit.api.errors.server_error"
