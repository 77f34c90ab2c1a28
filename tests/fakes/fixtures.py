"""Pytest fixtures for the fake Anthropic API.

Register for the whole suite in ``tests/conftest.py`` with
``from tests.fakes.fixtures import fake_anthropic  # noqa: F401``
(or ``pytest_plugins = ["tests.fakes.fixtures"]`` in the top-level conftest).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.fakes.fake_anthropic import FakeAnthropic


@pytest_asyncio.fixture
async def fake_anthropic() -> AsyncIterator[FakeAnthropic]:
    """A started fake, closed after the test; configure it through its attributes."""
    async with FakeAnthropic() as fake:
        yield fake
