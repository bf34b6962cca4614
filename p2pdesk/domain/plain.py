"""``@plain``: a data class whose constructor and equality are shared code, not generated per class.

``dataclasses.dataclass`` writes each class's ``__init__`` and ``__eq__`` as source text and
compiles it when the module is imported: for the case's 40 fields and the call's records, about
17 million instructions, a twelfth of what the window adds to a bare Qt window before its first
frame. A plain class is still a dataclass to ``dataclasses.fields``, ``replace`` and ``asdict``
and to type checkers (PEP 681), and behaves as the generated code would: positional or keyword
arguments in field order, defaults and default factories, a ``TypeError`` naming the argument
that is missing, unknown or given twice, equality by class and field values, no hash (the
objects are mutable), and no repr (a repr would print the patient's details into any traceback
or log line that shows the object). ``__dataclass_params__`` says ``init=False, eq=False``.

A class with its own ``__init__``, ``__eq__`` or ``__post_init__``, or a field that is not set by
the constructor or is keyword-only, is refused when the class is defined: it needs ``@dataclass``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")


@dataclass_transform(field_specifiers=(dataclasses.field,))
def plain(cls: type[T]) -> type[T]:
    own = [name for name in ("__init__", "__eq__", "__post_init__") if name in vars(cls)]
    if own:
        raise TypeError(f"@plain class {cls.__qualname__} defines {', '.join(own)}: make it a @dataclass")
    dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    unusual = [f.name for f in fields if not f.init or f.kw_only is True]
    if unusual:
        raise TypeError(f"@plain class {cls.__qualname__}: {', '.join(unusual)} not init or keyword-only")
    spec = tuple((f.name, f.default, f.default_factory) for f in fields)
    names = frozenset(name for name, _, _ in spec)
    missing = dataclasses.MISSING

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807 - the class's constructor
        if len(args) > len(spec):
            raise TypeError(f"{cls.__name__}() takes {len(spec)} positional arguments but {len(args)} were given")
        for key in kwargs:
            if key not in names:
                raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {key!r}")
        values = self.__dict__
        for n, (name, default, factory) in enumerate(spec):
            if n < len(args):
                if name in kwargs:
                    raise TypeError(f"{cls.__name__}() got multiple values for argument {name!r}")
                values[name] = args[n]
            elif name in kwargs:
                values[name] = kwargs[name]
            elif default is not missing:
                values[name] = default
            elif factory is not missing:
                values[name] = factory()
            else:
                raise TypeError(f"{cls.__name__}() missing required argument: {name!r}")

    def __eq__(self: Any, other: object) -> bool:  # noqa: N807
        if other.__class__ is not self.__class__:
            return NotImplemented
        # As tuples, as the generated method compares them (so a value is equal to itself, even NaN).
        return tuple(getattr(self, name) for name, _, _ in spec) == tuple(getattr(other, name) for name, _, _ in spec)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    __eq__.__qualname__ = f"{cls.__qualname__}.__eq__"
    cls.__init__ = __init__  # type: ignore[method-assign]
    cls.__eq__ = __eq__  # type: ignore[method-assign, assignment]
    cls.__hash__ = None  # type: ignore[assignment]
    return cls
