"""Who is making the change being written: the name of the API key the request came with
(set by backend_site.access for the request's duration; "" for the admin, a command or a
migration). Every history event records it."""

from contextvars import ContextVar

key_name: ContextVar[str] = ContextVar("acting_key_name", default="")
