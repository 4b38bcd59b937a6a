"""grievance cases: the mini-program's key for one submission

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24 00:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("grievance_cases") as batch:  # SQLite adds a constraint by copying the table
        batch.add_column(sa.Column("client_key", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_grievance_cases_client_key", ["worker_id", "client_key"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("grievance_cases") as batch:
        batch.drop_constraint("uq_grievance_cases_client_key", type_="unique")
        batch.drop_column("client_key")
