import pytest


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """The per-address counts live in the process's cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
