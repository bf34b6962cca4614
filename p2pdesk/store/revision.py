"""The newest migration's id. Start-up compares the database with this instead of loading
Alembic's script directory (slow to import); a test checks it equals Alembic's head."""

HEAD_REVISION = "0012"
