"""The JSON Schemas in resources/schema, and their errors in words that name the field.

Every problem is reported with the field's path and what is wrong, e.g.
``coverage.member_id: is required but missing``.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from p2pdesk.domain.errors import Problem
from p2pdesk.resources import resource_path

_PATTERN_HINTS = {
    "state": "two capital letters, e.g. TX",
    "npi": "ten digits",
    "code": "letters, digits and dots only, e.g. M05.79 or J1745",
    "pmid": "digits only",
    "date": "a date as YYYY-MM-DD",
    "date_of_birth": "a date as YYYY-MM-DD",
    "start": "a date as YYYY-MM-DD",
    "end": "a date as YYYY-MM-DD",
}
_TYPE_WORDS = {"string": "text", "integer": "a whole number", "object": "an object", "array": "a list"}


def _schema(name: str) -> dict[str, Any]:
    return json.loads(resource_path("schema", name).read_text(encoding="utf-8"))


@cache
def _validator(name: str) -> Any:
    """A validator for one of the schemas in resources/schema (the record schema refers to the case's)."""
    from jsonschema import Draft202012Validator  # imported only when a file is read: it is slow to import
    from referencing import Registry, Resource

    case = _schema("case.schema.json")
    registry = Registry().with_resource(case["$id"], Resource.from_contents(case))
    return Draft202012Validator(_schema(name), registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def load_json(text: str) -> Any:
    """The JSON value ``text`` holds, or InvalidInput saying what keeps it from being read: not
    JSON (with the line and column), nested too deeply to read, or holding a broken character (an
    unpaired surrogate, left where an emoji was cut in half), which no database can keep."""
    from p2pdesk.domain.errors import InvalidInput

    twice: list[str] = []
    odd: list[str] = []

    def one_of_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        twice.extend(key for n, key in enumerate(keys) if key in keys[:n])
        return dict(pairs)

    try:
        value = json.loads(text, object_pairs_hook=one_of_each, parse_constant=odd.append)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            Problem("file", f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
        ) from None
    except RecursionError:
        raise InvalidInput(Problem("file", "is nested too deeply to be read (brackets within brackets)")) from None
    if twice or odd:
        raise InvalidInput(
            [Problem("file", f"names the field {key!r} twice in one place; keep one") for key in dict.fromkeys(twice)]
            + [Problem("file", f"holds {word}, which is not a number in JSON") for word in dict.fromkeys(odd)]
        )
    broken = [path for path, s in _texts(value, []) if not _encodable(s)]
    if broken:
        raise InvalidInput(
            [Problem(_dotted(path), "holds a broken character (half of an emoji or symbol)") for path in broken]
        )
    return value


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _texts(value: Any, path: list[Any]) -> list[tuple[list[Any], str]]:
    """Every text in a JSON value (keys too), with its path."""
    if isinstance(value, str):
        return [(path, value)]
    found: list[tuple[list[Any], str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += [(path, key)] if not _encodable(key) else []
            found += _texts(item, [*path, key if _encodable(key) else "(a key)"])
    elif isinstance(value, list):
        for n, item in enumerate(value):
            found += _texts(item, [*path, n])
    return found


def schema_problems(name: str, instance: Any) -> list[Problem]:
    """Every place ``instance`` departs from the schema ``name``, in field order."""
    errors = sorted(_validator(name).iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    return [_problem(e) for e in errors]


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else type(value).__name__


def _dotted(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _problem(error: Any) -> Problem:
    """One jsonschema error in words that name the field and what is wrong."""
    field = _dotted(error.absolute_path)
    value = error.instance
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "a field"
        return Problem(_dotted([*error.absolute_path, missing]), "is required but missing")
    if kind == "additionalProperties":
        return Problem(field, f"has fields this format does not know: {error.message.split('(')[-1].rstrip(')')}")
    if kind == "type":
        wanted = error.validator_value
        wanted_word = _TYPE_WORDS.get(wanted, str(wanted)) if isinstance(wanted, str) else str(wanted)
        return Problem(field, f"should be {wanted_word}, not {json_type(value)}")
    if kind == "format" and error.validator_value == "date":
        return Problem(field, f"{value!r} is not a real calendar date (expected YYYY-MM-DD)")
    if kind == "pattern":
        leaf = next((p for p in reversed(list(error.absolute_path)) if isinstance(p, str)), "")
        hint = _PATTERN_HINTS.get(leaf, "see the case format")
        return Problem(field, f"{value!r} is not in the expected form ({hint})")
    if kind == "enum":
        return Problem(field, f"{value!r} is not one of: {', '.join(map(str, error.validator_value))}")
    if kind == "const":
        return Problem(field, f"must be {error.validator_value!r}")
    if kind == "minLength":
        return Problem(field, "is empty")
    if kind == "maxLength":
        return Problem(field, f"is {len(value):,} characters; at most {error.validator_value:,} fit here")
    if kind in ("minimum", "maximum"):
        return Problem(field, f"{value!r} is out of range ({kind} {error.validator_value})")
    return Problem(field, error.message)
