"""The store: SQLAlchemy models, the engine, and the Alembic migrations that own the schema."""
