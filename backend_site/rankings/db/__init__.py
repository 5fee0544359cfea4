"""Hand-written SQL the ORM cannot say in one round trip, for SQLite and PostgreSQL."""
