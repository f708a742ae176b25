"""Field values of a request/response pair, computed lazily and at most once.

The compiler calls :func:`field_reader` once per field an expression reads and keeps
the returned function.  At evaluation time that function gives the field's value in
internal form (see :mod:`rulelang.values`), or :data:`~rulelang.values.MISSING`:

* a value given in the request's ``fields`` wins (``conventions.overrides``) — for
  response fields too: ``{"http.response.code": 404}`` in a sample's ``fields``
  replaces the response's status in expressions (a request-dependent value, so it is
  not cached on the response; a response read without a response object still takes
  a supplied value);
* otherwise a derived field is computed from the message (``fields_derive``);
* otherwise the field takes its default (``type_defaults`` / the field's ``default``).

Request field values are cached on the :class:`~rulelang.http.Request`, response
field values on the :class:`~rulelang.http.Response`, so a field read by many rules
costs one computation per message.  A response field read without a response (the
request phase) takes its default.  Values are shared: never mutate them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from rulelang.errors import RuleLangError
from rulelang.http.derive import REQUEST_DERIVATIONS, RESPONSE_DERIVATIONS, Value
from rulelang.http.field_values import _unknown_field, default_value
from rulelang.http.messages import Request, Response
from rulelang.schema import catalogue as schema

__all__ = ["Reader", "extract_all", "field_reader", "request_value"]

#: ``reader(request, response_or_None) -> internal value``.
Reader = Callable[[Request, "Response | None"], Any]

#: How a request field is derived: ``derive(request, value_of)``, where ``value_of(request,
#: name)`` reads another field.
Derivation = Callable[[Any, Value], Any]

_UNSET = object()


def request_value(req: Request, name: str) -> Any:
    """The value of request field ``name`` for ``req`` (cached on the request)."""
    return _readers()[name](req, None)


def _derived_request_reader(name: str, derive: Callable, supplied_as: tuple[str, ...],
                            value_of: Callable[[Request, str], Any]) -> Reader:
    def read(req: Request, resp: Response | None = None) -> Any:
        cache_ = req.field_cache
        value = cache_.get(name, _UNSET)
        if value is _UNSET:
            value = _supplied(req, supplied_as) if req.supplied_fields else _UNSET
            if value is _UNSET:
                value = derive(req, value_of)
            cache_[name] = value
        return value
    read.__name__ = f"read_{name}"
    return read


def _supplied(req: Request, names: tuple[str, ...]) -> Any:
    fields = req.supplied_fields
    for n in names:
        value = fields.get(n, _UNSET)
        if value is not _UNSET:
            return value
    return _UNSET


def _supplied_reader(name: str, default: Any, supplied_as: tuple[str, ...]) -> Reader:
    if len(supplied_as) == 1:
        def read(req: Request, resp: Response | None = None) -> Any:
            return req.supplied_fields.get(name, default)
    else:
        def read(req: Request, resp: Response | None = None) -> Any:
            value = _supplied(req, supplied_as)
            return default if value is _UNSET else value
    read.__name__ = f"read_{name}"
    return read


def _response_reader(name: str, derive: Callable | None, default: Any) -> Reader:
    # conventions.overrides: a value in the request's 'fields' replaces the derived value
    # of *any* field, response fields included.  Such a value depends on the request, so
    # it is never cached on the response.
    if derive is None:
        def read(req: Request, resp: Response | None = None) -> Any:
            return req.supplied_fields.get(name, default)
    else:
        def read(req: Request, resp: Response | None = None) -> Any:
            if req.supplied_fields:
                value = req.supplied_fields.get(name, _UNSET)
                if value is not _UNSET:
                    return value
            if resp is None:
                return default
            cache_ = resp.field_cache
            value = cache_.get(name, _UNSET)
            if value is _UNSET:
                value = cache_[name] = derive(resp)
            return value
    read.__name__ = f"read_{name}"
    return read


@cache
def _readers() -> dict[str, Reader]:
    known = schema.fields()
    # A deprecated alias and its current field read each other's supplied value.
    aliases: dict[str, list[str]] = {}
    for info in known.values():
        if info.deprecated_alias_of:
            aliases.setdefault(info.deprecated_alias_of, []).append(info.name)
    readers: dict[str, Reader] = {}

    def value_of(req: Request, name: str) -> Any:
        return readers[name](req, None)

    derive: Derivation | None
    for name, info in known.items():
        supplied_as = (name, *aliases.get(name, ()))
        if info.deprecated_alias_of:
            target = info.deprecated_alias_of
            supplied_as = (name, target)
            derive = _alias_of(target)
        else:
            derive = REQUEST_DERIVATIONS.get(name)
        if info.group == "response":
            readers[name] = _response_reader(name, RESPONSE_DERIVATIONS.get(name),
                                             default_value(info))
        elif derive is None:
            readers[name] = _supplied_reader(name, default_value(info), supplied_as)
        else:
            readers[name] = _derived_request_reader(name, derive, supplied_as, value_of)
    return readers


def _alias_of(target: str) -> Derivation:
    return lambda req, value: value(req, target)


def field_reader(name: str) -> Reader:
    """The function giving field ``name``'s internal value for a (request, response) pair.

    Raises :class:`RuleLangError` for a name that is not a field of the cache phases.
    """
    reader = _readers().get(name)
    if reader is None:
        raise _unknown_field(name, "")
    return reader


@cache
def _all_readers() -> tuple[tuple[str, Reader], ...]:
    return tuple(_readers().items())


def extract_all(request: Request, response: Response | None = None) -> dict[str, Any]:
    """Every field of both cache phases (schema order) → its internal value.

    Response fields take their defaults when ``response`` is ``None``.
    """
    if not isinstance(request, Request):
        raise RuleLangError(f"expected a rulelang.Request, got {type(request).__name__}")
    return {name: read(request, response) for name, read in _all_readers()}
