"""The shared cache: an atomic counter on the database cache, a fixed-window rate counter,
and the cache table made by `migrate` so the embedded default needs no extra step."""

import time

from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.db import connections, router, transaction


class AtomicDatabaseCache(DatabaseCache):
    """Django's database cache with an `incr` that holds in total across processes.

    The stock `incr` reads, adds and writes back, so two processes can both read 4 and
    both write 5. Here the row is locked (PostgreSQL) or the write lock is taken at the
    start of the transaction (SQLite in IMMEDIATE mode) before the read.
    """

    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db):
            if connection.features.has_select_for_update:
                table = connection.ops.quote_name(self._table)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",
                        [self.make_and_validate_key(key, version=version)],
                    )
            return super().incr(key, delta, version)


def window_hit(key: str, seconds: int) -> tuple[int, float]:
    """Counts one hit in the current fixed window of `seconds` for `key`.

    Returns the hits so far in this window (this one included) and the seconds until
    the window ends. Atomic on Redis and on `AtomicDatabaseCache`.
    """
    now = time.time()
    window_key = f"{key}:{int(now // seconds)}"
    if isinstance(cache, RedisCache):
        count = _redis_window_hit(window_key, seconds + 1)
        return count, seconds - (now % seconds)
    cache.add(window_key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(window_key)
    except ValueError:  # expired between add and incr: this hit opens the window
        cache.set(window_key, 1, timeout=seconds + 1)
        count = 1
    return count, seconds - (now % seconds)


def _redis_window_hit(window_key: str, timeout: int) -> int:
    """One round trip: the window's counter is created with its expiry if it is new
    (SET NX EX), then incremented (INCR), both sent in one pipeline. Every API request
    passes here, and three round trips (add, incr, then the client's own existence
    check) cost more than the rest of the throttle."""
    key = cache.make_and_validate_key(window_key)
    client = cache._cache.get_client(key, write=True)
    pipeline = client.pipeline(transaction=False)
    pipeline.set(key, 0, ex=timeout, nx=True)
    pipeline.incr(key)
    return int(pipeline.execute()[1])


def create_cache_table(sender, using="default", **kwargs) -> None:
    """post_migrate: makes the database cache table if a database cache is configured."""
    if sender.name == "skylight":
        call_command("createcachetable", database=using, verbosity=0)
