"""Pieces both sites share: environment parsing, logging, and the health-check and
request-log middleware."""
