"""GET /api/v1/audit: the audit log, newest first (the access check requires `moderate`)."""

from backend_site.audit import inputs, selectors
from backend_site.rankings.api.inputs import query_int
from backend_site.rankings.api.views import allow, json_response


@allow("GET", "HEAD")
def audit(request):
    limit = query_int(
        request.GET, "limit", default=inputs.LIMIT_DEFAULT, low=1, high=inputs.LIMIT_MAX
    )
    before = inputs.moment_param(request.GET, "before")
    entries = selectors.audit_entries(limit=limit, before=before)
    return json_response(
        {
            "entries": [
                {
                    "at": entry.at,
                    "actor": entry.actor,
                    "action": entry.action,
                    "target": entry.target,
                    "detail": entry.detail,
                }
                for entry in entries
            ]
        }
    )
