"""The shapes of the service's identifiers and the bounds of what callers send: one source for
the backend's parsing (rankings/api/inputs.py), its models, its OpenAPI document, and the
frontend's URLs. Patterns are anchored and ASCII-only ([0-9], not \\d, which takes any
script's digits), so Python's re and the document's ECMA-262 regexes read them alike."""

PLAYER_ID = r"^[A-Za-z0-9_.:-]{1,64}$"
SLUG_MAX = 50
SLUG = rf"^[-a-zA-Z0-9_]{{1,{SLUG_MAX}}}$"
PERIOD_ID = r"^[0-9]{4}-(W[0-9]{2}|[0-9]{2}(-[0-9]{2})?)$"  # 2026-11-25, 2026-W48, 2026-11
PERIOD = r"^(current|previous|[0-9]{4}-(W[0-9]{2}|[0-9]{2}(-[0-9]{2})?))$"

MAX_SCORE = 2**53 - 1  # the largest integer a JSON number (and a Redis score) holds exactly
NAME_MAX = 64
PAGE_LIMIT_MAX = 100
AROUND_MAX = 25
BATCH_MAX = 1000
LOOKUP_MAX = 100  # player ids in one lookup
METADATA_MAX = 1024  # bytes of an entry's metadata, as compact JSON
GETDATA_LIMIT_MAX = 1000
PERIODS_LIMIT_MAX = 100
HISTORY_DAYS_MAX = 365
