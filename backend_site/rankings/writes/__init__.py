"""Every change: scores, batches, players, boards, seeds, moderation (bounds, sanctions,
rollback, erasure) and archiving ended periods (closing.py; due.py, the step reads take
first). Each is one transaction in the database; ranking_index/ brings Redis along after."""
