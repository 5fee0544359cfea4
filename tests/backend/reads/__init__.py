"""Tests of rankings/reads: pages, standings, overviews and history."""
