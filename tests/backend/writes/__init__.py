"""Tests of rankings/writes: scores, batches, seeds and moderation."""
