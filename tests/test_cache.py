"""The project's Redis cache backend: Django's, with one redis-py client per pool."""

import os

import pytest
from django.core.cache import caches

from rodovre_udvikling.cache import RedisCache


@pytest.fixture
def redis_cache():
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        reason = "needs Redis: set REDIS_CACHE_URL"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI runs every test)")
        pytest.skip(reason)
    return cache


def test_the_client_is_built_once_and_shared(redis_cache):
    client = redis_cache._cache.get_client(write=True)

    assert redis_cache._cache.get_client(write=True) is client
    assert redis_cache._cache.get_client("some-key") is client  # one server: one pool


def test_the_shared_client_still_stores_counts_and_deletes(redis_cache):
    redis_cache.set("cache-test", {"æøå": 1}, timeout=30)
    redis_cache.set("cache-counter", 1, timeout=30)

    assert redis_cache.get("cache-test") == {"æøå": 1}
    assert redis_cache.incr("cache-counter") == 2
    redis_cache.delete_many(["cache-test", "cache-counter"])
    assert redis_cache.get_many(["cache-test", "cache-counter"]) == {}
