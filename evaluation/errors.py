"""Errors that mean "this input cannot be coached", each with a message for the user."""

from __future__ import annotations


class UnusableMemo(Exception):
    """The input is not something we can evaluate. ``user_message`` says what happened
    and what to do; it never contains the memo text."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class ExtractionError(UnusableMemo):
    """A file could not be turned into memo text (unsupported, corrupt, too big...)."""


class MemoRejected(UnusableMemo):
    """Memo text that is empty, too short or too long."""


class EvaluationFailed(Exception):
    """The evaluator could not produce a result (after retries and repair)."""

    def __init__(self, reason: str, *, retryable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
