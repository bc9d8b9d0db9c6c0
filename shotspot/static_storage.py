"""The static files' storage in production: hashed names, a gzip copy, served by whitenoise.

`collectstatic` (run by `bin/web` at start-up, and by the Dockerfile at build) copies every
app's static files to STATIC_ROOT under content-hashed names (`base.1a2b3c4d5e6f.css`)
with a `.gz` beside each, and writes the manifest that maps plain names to hashed ones.
Whitenoise then serves them with a year's caching: a new release has new names, so a
browser never keeps a stale file.

Before anything was collected (the test suite, a checkout that never ran `bin/web`) there
is no manifest: then the plain names are used, and the finders serve the files (the test
servers), instead of every page failing on a missing manifest entry. In debug (`make run`)
the plain names are used always, since the development server serves from the apps.
"""

from __future__ import annotations

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def stored_name(self, name: str) -> str:
        if settings.DEBUG or not self.hashed_files:
            return name
        return super().stored_name(name)
