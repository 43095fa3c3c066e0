"""Integers that come from outside (URL segments, ``page=`` and other parameters), kept inside the
range the database can store, so that a number too large for a column is "not found" or "bad
request" at the door instead of an error deep in a query.

- ``IdConverter`` is the path converter ``<id:…>`` (registered on import, as django-ninja registers
  its own): the digits of a positive 64-bit integer, the widest integer column the hub has (PostgreSQL
  ``bigint``). Anything longer or larger does not match, so the URL is a 404 before a view runs. It is
  used for every id in the hub's URLs and API paths.
- ``page_number`` reads a page number for a paginator: a positive integer up to ``MAX_PAGE_NUMBER``,
  1 when the parameter is missing, and ``BadNumber`` for anything else: a ``BadInput``, which
  Django answers with the 400 page and the API with a JSON 400, both saying what was wrong.
"""

from __future__ import annotations

from django.urls import register_converter
from django.urls.converters import get_converters

from hub.floor.bad_input import BadInput

MAX_ID = 2**63 - 1  # PostgreSQL bigint, the widest integer column the hub has
MAX_PAGE_NUMBER = 2**31 - 1  # a page number is multiplied by a page size into an OFFSET


class BadNumber(BadInput, ValueError):
    """A number from a request that is not a positive whole number within the range allowed."""


class IdConverter:
    """``<id:name>``: a positive integer that fits a database id column; anything else is a 404."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= MAX_ID:
            raise ValueError(value)  # a converter's ValueError means "this URL does not match"
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)


def bounded_int(value: object, *, maximum: int = MAX_ID, name: str = "number") -> int:
    """``value`` (a string or an integer) as a positive integer up to ``maximum``, or ``BadNumber``."""
    if isinstance(value, bool):
        raise BadNumber(f"The {name} must be a whole number from 1 to {maximum}.")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not text.isascii() or not text.isdecimal() or len(text) > len(str(maximum)):
            raise BadNumber(f"The {name} must be a whole number from 1 to {maximum}.")
        number = int(text)
    if not 1 <= number <= maximum:
        raise BadNumber(f"The {name} must be a whole number from 1 to {maximum}.")
    return number


def page_number(value: object) -> int:
    """The page number in ``value`` (``request.GET.get("page")``): 1 when absent or empty,
    ``BadNumber`` when it is not a whole number from 1 to ``MAX_PAGE_NUMBER``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1
    return bounded_int(value, maximum=MAX_PAGE_NUMBER, name="page number")


if "id" not in get_converters():
    register_converter(IdConverter, "id")
