"""API keys: who may call the backend, and what for.

Each client (the public frontend, each game server, an operator's tooling) has a key of its
own with the narrowest scopes that serve it; only a hash of its secret is stored.
"""
