"""Querysets compiled to SQL once, then run with other parameter values.

Building a query's SQL (resolving lookups, joins, selected columns) is most of what a
small ORM query costs in Python, several times the database's own work. The queries the
API runs most (the request's API key, a campaign read by id) are compiled once per
process with stand-in values; each run substitutes the real values and builds the rows'
objects the way the ORM does (its converters, `select_related` populators and
annotations), so the objects are the same. Compiled once per database alias, under a lock.
"""

import threading

from django.db import connections
from django.db.models.query import get_related_populators


class PreparedQuery:
    """`PreparedQuery(lambda **values: queryset, name=stand_in, ...)`, then `run(name=value)`.

    The stand-ins must be values that appear only where those parameters go (e.g. strings
    no real value equals); the queryset must select model instances (no `values()`),
    without `prefetch_related`.
    """

    def __init__(self, build, **stand_ins):
        self._build = build
        self._stand_ins = stand_ins
        self._compiled = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str):
        with self._lock:
            if alias not in self._compiled:
                queryset = self._build(**self._stand_ins).using(alias)
                compiler = queryset.query.get_compiler(using=alias)
                sql, params = compiler.as_sql()
                params = list(params)
                slots = {}
                for name, stand_in in self._stand_ins.items():
                    slots[name] = [i for i, param in enumerate(params) if param == stand_in]
                    if not slots[name]:
                        raise ValueError(f"{name}'s stand-in is not among the query's parameters")
                klass_info, select = compiler.klass_info, compiler.select
                fields = klass_info["select_fields"]
                start, end = fields[0], fields[-1] + 1
                self._compiled[alias] = (
                    compiler,
                    sql,
                    params,
                    slots,
                    klass_info["model"],
                    [column[0].target.attname for column in select[start:end]],
                    (start, end),
                    get_related_populators(klass_info, select, alias),
                    dict(compiler.annotation_col_map or {}),
                )
        return self._compiled[alias]

    def run(self, alias: str = "default", **values) -> list:
        compiled = self._compiled.get(alias) or self._compile(alias)
        compiler, sql, params, slots, model, names, (start, end), populators, annotations = compiled
        params = list(params)
        for name, value in values.items():
            for i in slots[name]:
                params[i] = value
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        objects = []
        for row in compiler.results_iter(results=[rows]):
            obj = model.from_db(alias, names, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


def attach_prefetched(instance, related_name: str, rows: list) -> None:
    """Leaves on `instance` what `prefetch_related(related_name)` would, for a reverse
    foreign key whose rows were read already: `instance.<related_name>.all()` answers them
    without a query, and each row's link back is `instance`."""
    manager = getattr(instance, related_name)
    for row in rows:
        manager.field.set_cached_value(row, instance)
    queryset = manager.get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[manager.field.remote_field.cache_name] = queryset
