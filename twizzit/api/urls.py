"""The integration's routes, mounted at /api/twizzit/ (namespace `twizzit-api`).

Ids are in the path, with trailing slashes; query parameters only filter, search and page.
"""

from rest_framework.routers import SimpleRouter

from twizzit.api import views

app_name = "twizzit-api"

router = SimpleRouter()
router.register("connections", views.ConnectionViewSet, basename="connection")
router.register("sync-logs", views.SyncLogViewSet, basename="sync-log")
router.register("conflicts", views.ConflictViewSet, basename="conflict")
router.register("player-mappings", views.PlayerMappingViewSet, basename="player-mapping")
router.register("team-mappings", views.TeamMappingViewSet, basename="team-mapping")

router.register("access", views.AccessViewSet, basename="access")

urlpatterns = router.urls
