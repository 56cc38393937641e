"""Storage adapter: SQLAlchemy tables, the engine, and Alembic migrations (SQLite or PostgreSQL)."""
