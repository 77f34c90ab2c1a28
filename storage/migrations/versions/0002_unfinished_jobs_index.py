"""Claims read only unfinished jobs: a partial index on queued and running jobs, in
claim order, replaces the index over every job's status. Finished jobs stay in the
table, and every claim used to scan all of its stage's history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNFINISHED = "status IN ('queued', 'running')"  # frozen copy of storage.models.JOB_UNFINISHED


def upgrade() -> None:
    op.create_index(
        "ix_jobs_unfinished",
        "jobs",
        ["stage", "run_after", "id"],
        sqlite_where=sa.text(UNFINISHED),
        postgresql_where=sa.text(UNFINISHED),
    )
    op.drop_index("ix_jobs_stage_status_run_after", table_name="jobs")


def downgrade() -> None:
    op.create_index("ix_jobs_stage_status_run_after", "jobs", ["stage", "status", "run_after"])
    op.drop_index("ix_jobs_unfinished", table_name="jobs")
