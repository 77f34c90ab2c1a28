"""Persistence: SQLAlchemy models, migrations and repositories (no Slack types here)."""
