"""The shared cache: Redis with reused clients, an atomic counter on the database cache,
a fixed-window rate counter, and the cache table made by `migrate` so the embedded
default needs no extra step."""

import socket
import time

from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
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


class _ReusedRedisClients(RedisCacheClient):
    """Django's Redis client maker, keeping one client per connection pool.

    The stock one builds a new `redis.Redis` for every command, and building one (its
    table of response callbacks) cost more than the round trip it makes. A client is
    thread-safe: it takes a connection from its pool for each command.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class SharedRedisCache(RedisCache):
    """Django's Redis cache with reused clients and a one-round-trip window counter."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedRedisClients

    def window_hit(self, window_key: str, timeout: int) -> int:
        """The window's counter is created with its expiry if it is new (SET NX EX), then
        incremented (INCR), both sent in one pipeline: every API request passes here."""
        key = self.make_and_validate_key(window_key)
        pipeline = self._cache.get_client(key, write=True).pipeline(transaction=False)
        pipeline.set(key, 0, ex=timeout, nx=True)
        pipeline.incr(key)
        return int(pipeline.execute()[1])


def window_hit(key: str, seconds: int) -> tuple[int, float]:
    """Counts one hit in the current fixed window of `seconds` for `key`.

    Returns the hits so far in this window (this one included) and the seconds until
    the window ends. Atomic on Redis and on `AtomicDatabaseCache`.
    """
    now = time.time()
    window_key = f"{key}:{int(now // seconds)}"
    backend = caches["default"]
    if isinstance(backend, SharedRedisCache):
        return backend.window_hit(window_key, seconds + 1), seconds - (now % seconds)
    cache.add(window_key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(window_key)
    except ValueError:  # expired between add and incr: this hit opens the window
        cache.set(window_key, 1, timeout=seconds + 1)
        count = 1
    return count, seconds - (now % seconds)


def redis_reachable(host: str = "127.0.0.1", port: int = 6379) -> bool:
    """Whether a Redis answers PING there (the benchmarks and `make fuzz` use it when up)."""
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def create_cache_table(sender, using="default", **kwargs) -> None:
    """post_migrate: makes the database cache table if a database cache is configured."""
    if sender.name == "skylight":
        call_command("createcachetable", database=using, verbosity=0)
