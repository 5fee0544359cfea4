"""Pieces both sites share: environment parsing, request logging, JSON errors."""
