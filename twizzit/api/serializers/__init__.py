"""Request and response shapes of the API.

Fields keep the models' names; request fields take JSON as typed (`twizzit.api.fields`).
The Twizzit password goes in as `api_password` and never comes out: responses say only
`password_set`. Neither the token nor any sealed value is a field of any serializer.
Saving goes through `twizzit.services.connections`, so the API validates a connection exactly as
the CLI and the admin do.

The JSON columns (sync stats, error entries, planned changes, conflict values) are
described field by field so the OpenAPI schema tells clients what they hold.

One module per concept: `connections`, `syncs` (with a connection's status),
`conflicts`, `mappings`, and `errors` (the error shapes of the schema).
"""

from twizzit.api.serializers.common import MAX_ID, MAX_INT  # noqa: F401
from twizzit.api.serializers.conflicts import (  # noqa: F401
    BULK_RESOLUTIONS,
    RESOLUTIONS,
    BulkResolveAcceptedSerializer,
    BulkResolveSerializer,
    CandidateSerializer,
    ConflictFieldSerializer,
    ConflictSerializer,
    ResolveSerializer,
)
from twizzit.api.serializers.connections import (  # noqa: F401
    ConnectionCreateSerializer,
    ConnectionSerializer,
    CredentialsSerializer,
    OrganizationSerializer,
    ReadableSerializer,
    RemovedConnectionSerializer,
    VerifyReportSerializer,
    check_event_type_overrides,
    check_role_overrides,
)
from twizzit.api.serializers.errors import (  # noqa: F401
    ErrorSerializer,
    SyncInProgressErrorSerializer,
    ValidationErrorSerializer,
)
from twizzit.api.serializers.mappings import (  # noqa: F401
    PlayerMappingSerializer,
    RelinkPlayerSerializer,
    RelinkTeamSerializer,
    TeamMappingSerializer,
    _tombstone_name,
)
from twizzit.api.serializers.syncs import (  # noqa: F401
    ApiUsageSerializer,
    ConnectionStatusSerializer,
    CountersSerializer,
    FinishedSyncSerializer,
    PlannedChangeSerializer,
    RunningSyncSerializer,
    StatusConnectionSerializer,
    SyncEntrySerializer,
    SyncLogDetailSerializer,
    SyncLogSerializer,
    SyncRequestSerializer,
)
