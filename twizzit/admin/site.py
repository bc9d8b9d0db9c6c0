"""The admin site's face: "ShotSpot administration", and "View site" opens the API docs.

The index's "needs attention" panel is `twizzit/templates/admin/index.html`, filled by the
`attention_panel` tag (`twizzit/templatetags/twizzit_admin.py`) from
`twizzit.services.attention.needs_attention`.
"""

from django.contrib import admin

admin.site.site_header = "ShotSpot administration"
admin.site.site_title = "ShotSpot administration"
admin.site.index_title = "Club administration"
admin.site.site_url = "/api/docs/"
