"""Alembic migrations, applied by ``pmobot db upgrade``."""
