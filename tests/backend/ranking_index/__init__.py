"""Tests of rankings/ranking_index: Redis, its scripts, sync, rebuilds, verification."""
