"""Pieces both sites share: environment parsing, logging, the health-check and
request-log middleware, and the ranked ``Entry``."""
