"""Alembic environment: always handed a live connection by ``pmobot.db``."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from pmobot.domain import (  # noqa: F401  (registers the tables)
    models,
    models_governance,
    models_inbound,
    models_scope,
    models_tracking,
)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with 'pmobot db upgrade', which provides the connection")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
