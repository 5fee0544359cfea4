"""The API's OpenAPI 3.1 document: its parts (parts.py), components (components.py),
paths (board_paths.py, moderation_paths.py), and the whole, served at
GET /api/v1/openapi.json (document.py)."""
