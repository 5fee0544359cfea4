"""Every change: scores, batches, players, boards, seeds, and moderation (bounds,
sanctions, rollback, erasure). Each is one transaction in the database; ranking_index/
brings Redis along after it commits."""
