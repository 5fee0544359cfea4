"""The API's OpenAPI 3.1 document, served at GET /api/v1/openapi.json and committed as
docs/openapi.json (``make openapi`` rewrites it).

- ``parts.py``: the tags, the shapes of ids, names, scores and times, and the builders below;
- ``schemas.py``, ``moderation_schemas.py``, ``manage_schemas.py``: every object a body or
  an answer holds, named (``Error``, ``Page``, ``Standing``, ``Leaderboard``,
  ``ScoreSubmission``, ``Sanction``, ``LeaderboardCreate``...);
- ``responses.py``: the error answers by name, and the response headers; ``parameters.py``:
  the shared parameters;
- ``board_paths.py``, ``moderation_paths.py``, ``manage_paths.py``: the paths (a path in
  several, as /api/v1/leaderboards, gets each one's operations); ``document.py``: the whole.

Adding a path: write it in a module of its own (``<noun>_paths.py``) and add its dict to
``document.PATHS``; its schemas go in ``<noun>_schemas.py``, added to ``document.SCHEMAS``.
Build each operation with ``parts.operation``::

    "/api/v1/things/{slug}": {
        "parameters": [ref("parameters", "slug")],
        "post": operation(
            tag="leaderboards",            # one of parts.TAGS (add yours there, described)
            operation_id="createThing",    # camelCase, unique: the generated function's name
            summary="Make a thing.",
            scope="write",                 # what access.scope_needed requires
            body="ThingRequest",           # a components schema; adds 400, 411 and 413
            responses={
                "201": answer("The thing.", ref("schemas", "Thing")),
                "404": ref("responses", "PlayerUnknown"),   # an error of its own, or
                # "409": error("The thing exists.", "thing_exists"),
            },
            errors=(404,),                 # common errors by status (parts.COMMON_ERRORS)
            description="...",
            parameters=[...],
        ),
    },

``operation`` adds the answers every operation may give before its view runs (401, 403,
414, 429, 431, 503: ``parts.ACCESS_ERRORS``). ``answer(description, schema, replayed=,
headers=, media=, example=)`` is a success (X-Request-ID and the optional RateLimit fields;
Idempotent-Replayed when ``replayed``; ``media="text/csv"`` with a string schema for a body
that is not JSON, never HTML), ``no_content`` a 204, ``error(description, *codes,
headers=)`` an error of the one ``Error`` schema with the codes it may carry
(``x-error-codes``), and ``error_responses(*statuses)`` the components' common errors. A
header is a $ref to ``responses.HEADERS`` (add yours there, with its schema). Objects are
never written out in a body or an answer: name them in a schemas module and
``ref("schemas", name)`` them (``array_of(name)`` for a list); say null as
``nullable(schema)`` (``type: [X, "null"]``; ``anyOf`` with null around a $ref).

``tests/backend/api/test_openapi_rules.py`` holds these rules for every operation (tags,
operationIds, JSON only, the Error schema, no inline objects, headers as components,
docs/openapi.json up to date); ``test_openapi.py`` that the document and the URL
configuration agree; ``test_api_fuzz.py`` that the served backend answers as it says.
"""
