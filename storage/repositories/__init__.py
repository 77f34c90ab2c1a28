"""Plain async functions over an AsyncSession, one module per table group.

They flush but never commit (unless a docstring says otherwise): the caller owns the
transaction, so one Slack interaction can be recorded atomically.
"""
