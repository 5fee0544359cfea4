"""Parse a board's settings as the `manage` key sends them: JSON types checked here, each
problem an InvalidInput naming the field; the rules themselves (choices, bounds, the zone, the
source) are the model's, checked by writes/boards.py for the admin and the API alike."""

from __future__ import annotations

from backend_site.rankings import subscores
from backend_site.rankings.api.inputs import _fields_check, _json_object, slug_clean
from backend_site.rankings.errors import InvalidInput
from backend_site.rankings.fields import title_clean
from backend_site.rankings.writes.boards import SETTINGS

TEXT = ("order", "operator", "reset", "timezone")
NUMBERS = ("min_score", "max_score", "max_increment", "max_submissions_per_minute")


def board_create_parse(body: bytes) -> tuple[str, dict]:
    """A new board: {"slug", and any of the settings}; its slug and the settings given."""
    data = _json_object(body)
    _fields_check(data, required=("slug",), allowed={"slug", *SETTINGS})
    slug = slug_clean(data.pop("slug"), field="slug")
    return slug, _settings_clean(data)


def board_change_parse(body: bytes) -> dict:
    """A change: any of the settings (not the slug), each to its new value."""
    data = _json_object(body)
    if "slug" in data:
        raise InvalidInput("slug: a board keeps its slug; make a new board instead.", field="slug")
    _fields_check(data, required=(), allowed=set(SETTINGS))
    return _settings_clean(data)


def _settings_clean(data: dict) -> dict:
    settings = {}
    for name, value in data.items():
        if name == "title":
            value = title_clean(value)
        elif name in TEXT and not isinstance(value, str):
            raise InvalidInput(f"{name}: must be a string.", field=name)
        elif name == "source" and value is not None:
            value = slug_clean(value, field="source")
        elif name == "subscores":
            value = list(subscores.orders_of(subscores.orders_clean(value)))
        elif name in NUMBERS and value is not None and not _integer(value):
            raise InvalidInput(f"{name}: must be an integer or null.", field=name)
        settings[name] = value
    return settings


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # true/false are not numbers
