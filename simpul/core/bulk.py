"""Write many rows' changed columns in one statement per batch, on SQLite and PostgreSQL.

Django's bulk_update builds one CASE expression per column and row, which costs far
more Python time than the database work when an import touches thousands of rows;
an executemany of a plain UPDATE does the same in a fraction of the time.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import Model, signals
from django.db.models.base import ModelState
from django.utils import timezone

M = TypeVar("M", bound=Model)

# Columns whose Python value (str, int, a related id) is what the database driver takes.
_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.ForeignKey)


def _preparers(fields: Sequence[Any]) -> list[Callable[[Any], Any] | None]:
    """Per column: None when the value goes to the driver as it is, else Django's preparation
    (JSON, dates, binary) — asking Django for every plain value costs more than the insert."""
    # The connection of this thread itself: through the `connection` proxy every value
    # would first look its connection up again.
    database = connections[DEFAULT_DB_ALIAS]
    return [
        None
        if isinstance(f, _PLAIN)
        else _json_text
        if isinstance(f, models.JSONField) and f.encoder is None and database.vendor == "sqlite"
        else functools.partial(_json, database.ops.adapt_json_value, f.encoder)
        if isinstance(f, models.JSONField)
        else _LastPrepared(f, database)
        if isinstance(f, models.DateField)
        else functools.partial(_prepare, f, database)
        for f in fields
    ]


def _prepare(field: Any, database: Any, value: Any) -> Any:
    return field.get_db_prep_save(value, database)


class _LastPrepared:
    """A date column's preparation, kept for the next row: a batch's rows mostly share one
    timestamp (written together), and preparing a datetime costs more than the insert."""

    __slots__ = ("database", "field", "prepared", "value")

    def __init__(self, field: Any, database: Any) -> None:
        self.field = field
        self.database = database
        self.value: Any = None
        self.prepared: Any = None

    def __call__(self, value: Any) -> Any:
        if value is not self.value:
            self.value = value
            self.prepared = self.field.get_db_prep_save(value, self.database)
        return self.prepared


# What Django writes for a JSON column on SQLite (json.dumps), without dumps' argument checks.
_ENCODE_JSON = json.JSONEncoder().encode


def _json_text(value: Any) -> str | None:
    """A JSON column's text on SQLite: most of a record's lists are empty."""
    if value is None:
        return None
    if type(value) is list and not value:
        return "[]"
    return _ENCODE_JSON(value)


def _json(adapt: Callable[[Any, Any], Any], encoder: Any, value: Any) -> Any:
    return None if value is None else adapt(value, encoder)


def _row(values: Sequence[Any], preparers: Sequence[Callable[[Any], Any] | None]) -> list[Any]:
    return [v if p is None else p(v) for v, p in zip(values, preparers, strict=True)]


def update_rows(model: type[Model], objs: Sequence[Model], field_names: Sequence[str]) -> int:
    """UPDATE these fields of these saved objects (by primary key); returns the rows given."""
    if not objs:
        return 0
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    # Like save(), keep auto_now columns (updated_at) current: datestamps depend on them.
    # The rows of one call are written together and get one timestamp.
    now = timezone.now()
    for field in meta.concrete_fields:
        if getattr(field, "auto_now", False) and field not in fields:
            fields.append(field)
            for obj in objs:
                setattr(obj, field.attname, _now_for(field, now))
    names = [str(f.attname) for f in fields]  # type: ignore[union-attr]
    return _update(model, fields, ((obj.pk, [getattr(obj, n) for n in names]) for obj in objs))


def set_column(model: type[Model], field_name: str, values: Iterable[tuple[Any, Any]]) -> int:
    """UPDATE one column of rows given as (primary key, value) pairs, leaving auto_now
    columns alone: for derived data that is no change to the row (OAI datestamps stay)."""
    field = model._meta.get_field(field_name)
    return _update(model, [field], ((key, [value]) for key, value in values))


def _update(
    model: type[Model], fields: Sequence[Any], rows: Iterable[tuple[Any, Sequence[Any]]]
) -> int:
    """One UPDATE by primary key, run for each (primary key, values of `fields`) row."""
    meta = model._meta
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
    table, pk = quote(meta.db_table), quote(str(meta.pk.column))
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 (quoted names)
    preparers = _preparers(fields)
    prepared = [[*_row(values, preparers), key] for key, values in rows]
    if prepared:
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)
    return len(prepared)


def reserve_keys(model: type[Model], count: int) -> list[int]:
    """Primary keys for `count` rows not yet written, so that rows pointing at them can be
    made first (foreign keys are checked at commit) and the rows written once, complete.

    On PostgreSQL the keys come from the table's sequence; on SQLite they follow the
    highest key ever given, which holds because the caller's transaction is the one
    writer (transactions begin IMMEDIATE) — hence the transaction is required."""
    if count <= 0:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("keys can only be reserved inside the transaction that writes them")
    meta = model._meta
    table, column = meta.db_table, str(meta.pk.column)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(table), column, count],
            )
            return [key for (key,) in cursor.fetchall()]
        cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")  # noqa: S608
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        given = cursor.fetchone()
        first = max(highest, given[0] if given else 0) + 1
    return list(range(first, first + count))


def insert_rows(model: type[Model], objs: Sequence[Model], *, with_keys: bool = False) -> int:
    """INSERT new rows whose primary keys nobody needs back (keys, holdings, log entries),
    or, `with_keys`, rows whose keys were given to them (`reserve_keys`)."""
    if not objs:
        return 0
    meta = model._meta
    fields = [f for f in meta.concrete_fields if with_keys or not f.primary_key]
    preparers = _preparers(fields)
    now = timezone.now()
    getters = [_value_on_insert(f, now) for f in fields]
    rows = [_row([get(obj) for get in getters], preparers) for obj in objs]
    _insert(meta.db_table, [str(f.column) for f in fields], rows)
    return len(rows)


def _insert(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """The rows into the table: COPY on PostgreSQL (two to three times faster than an
    INSERT per row for a batch of records), an INSERT per row elsewhere."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _value_on_insert(field: Any, now: dt.datetime) -> Callable[[Model], Any]:
    """The attribute itself, unless the field fills it in on saving (auto_now, files);
    the rows of one call are written together and get one timestamp."""
    if _set_on_insert(field):
        return functools.partial(_stamp, field.attname, _now_for(field, now))
    if isinstance(field, models.FileField):
        return functools.partial(field.pre_save, add=True)
    return operator.attrgetter(field.attname)


def _set_on_insert(field: Any) -> bool:
    """Whether the field takes the time of writing (auto_now, auto_now_add)."""
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _now_for(field: Any, now: dt.datetime) -> dt.datetime | dt.date:
    return now if isinstance(field, models.DateTimeField) else timezone.localdate(now)


def _stamp(attname: str, value: Any, obj: Model) -> Any:
    setattr(obj, attname, value)
    return value


def insert_values(
    model: type[Model], field_names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """INSERT rows given as plain values in the order of `field_names` (attribute names):
    for the many small rows of an import, building model instances costs more than writing."""
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    preparers = _preparers(fields)
    prepared = [_row(row, preparers) for row in rows]
    _insert(meta.db_table, [str(f.column) for f in fields], prepared)  # type: ignore[union-attr]
    return len(prepared)


def insert_returning_keys(
    model: type[Model], field_names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[Any]:
    """INSERT new rows given as plain values of `field_names`, the other columns at their
    defaults, and return their primary keys in the rows' order — what bulk_create gives,
    without building a model instance for each row."""
    if not rows:
        return []
    meta = model._meta
    given = [meta.get_field(name) for name in field_names]
    now = timezone.now()
    rest = [f for f in meta.concrete_fields if not f.primary_key and f not in given]
    defaults = [
        _now_for(f, now) if _set_on_insert(f) or f.default is timezone.now else f.get_default()
        for f in rest
    ]
    fields = [*given, *rest]
    preparers = _preparers(fields)
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(f.column)) for f in fields)  # type: ignore[union-attr]
    table, pk = quote(meta.db_table), quote(str(meta.pk.column))
    per_statement = max(1, 30_000 // len(fields))  # within SQLite's 32,766 parameters
    keys: list[Any] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {values} RETURNING {pk}",  # noqa: S608
                [value for row in chunk for value in _row([*row, *defaults], preparers)],
            )
            # SQLite leaves RETURNING's order open; keys are handed out in VALUES order.
            keys.extend(sorted(key for (key,) in cursor.fetchall()))
    return keys


class NewInstances(Generic[M]):
    """Unsaved instances of a model that share most of their values, made by copying one
    built the usual way. Django's `__init__` works out every column's default for each
    instance (some 20 µs for a record's 38 columns); a copy costs a tenth of that. Lists
    and dicts are copied, so no two instances share one. A model whose instances someone
    listens for being made (image or generic-relation fields) gets `__init__` each time."""

    def __init__(self, model: type[M], **shared: Any) -> None:
        self._model = model
        self._shared = shared
        first = model(**shared)
        self._values = {k: v for k, v in vars(first).items() if k != "_state"}
        self._mutable = [k for k, v in self._values.items() if isinstance(v, list | dict)]
        self._related = dict(first._state.fields_cache)
        self._listened = signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(
            model
        )

    def __call__(self, **values: Any) -> M:
        if self._listened:
            return self._model(**self._shared, **values)
        obj = self._model.__new__(self._model)
        attributes = obj.__dict__
        attributes.update(self._values)
        for name in self._mutable:
            attributes[name] = self._values[name].copy()
        obj._state = ModelState()
        obj._state.fields_cache = dict(self._related)
        for name, value in values.items():
            setattr(obj, name, value)
        return obj
