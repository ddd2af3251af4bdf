"""The attribute of a program's object bound to a waited-on object
(``self.lock``), found without reading the object's ``__dict__``.

Since CPython 3.11 an instance keeps its attributes in inline values until
something asks for its ``__dict__``; that read makes a dict for good, and
every later method call on the object takes a slower path (x2.3 on 3.11,
x1.6 on 3.13: ``bench/attribute_names.py``). So the names are tried one by
one instead: the attribute names the waiting frame's code uses and those its
class's own code uses, each read with ``getattr`` only where nothing but the
instance's own attributes can answer (no property, no ``__getattr__``: no
program code runs). A dict the program already made is searched too where
``gc.get_referents`` shows it without making one (3.11, 3.12; from 3.13 it
shares the inline values and is not shown).
"""

from __future__ import annotations

import gc
import weakref
from collections import deque
from types import FunctionType, MemberDescriptorType, ModuleType
from typing import Any

#: Most names looked at when naming an object (a frame's locals, an object's
#: attributes, a module's globals; the names taken from one class's code).
MAX_NAMES = 256

_MISSING = object()
#: Objects never looked into: classes, modules and functions (their names are
#: not attributes of a value), and containers (their referents are items).
_SKIPPED = (type, ModuleType, FunctionType, list, tuple, dict, set, frozenset, deque)

#: Per class: the attribute names its own code uses, or None when reading an
#: attribute of its instances can run the program's code (``__getattr__``).
_class_names: weakref.WeakKeyDictionary[type, tuple[str, ...] | None] = weakref.WeakKeyDictionary()


def attribute_naming(obj: Any, target: Any, hints: tuple[str, ...]) -> str | None:
    """The name of ``obj``'s attribute bound to ``target``: one of ``hints``
    (the names the waiting code uses), one its class's code uses, or a key of
    a dict ``obj`` already has; None when none is."""
    if isinstance(obj, _SKIPPED):
        return None
    cls = type(obj)
    own = _names_of(cls)
    if own is None:
        return None
    for name in (*hints[:MAX_NAMES], *own):
        if _instance_value(obj, cls, name) is target:
            return name
    for ref in gc.get_referents(obj):
        if type(ref) is dict:
            for i, (name, value) in enumerate(ref.items()):
                if value is target and isinstance(name, str) and _instance_value(obj, cls, name) is target:
                    return name
                if i >= MAX_NAMES:
                    break
    return None


def _instance_value(obj: Any, cls: type, name: str) -> Any:
    """``obj.name`` where only the instance can answer (its attributes or a
    slot), else _MISSING: a class attribute may be a property."""
    for klass in cls.__mro__:
        found = klass.__dict__.get(name, _MISSING)
        if found is not _MISSING:
            if type(found) is not MemberDescriptorType:
                return _MISSING
            break
    return getattr(obj, name, _MISSING)


def _names_of(cls: type) -> tuple[str, ...] | None:
    try:
        return _class_names[cls]
    except KeyError:
        pass
    except TypeError:  # a class that takes no weak reference
        return None
    names: tuple[str, ...] | None = None
    mro = [klass for klass in cls.__mro__ if klass is not object]
    if not any("__getattr__" in klass.__dict__ or "__getattribute__" in klass.__dict__ for klass in mro):
        found: dict[str, None] = {}
        for klass in mro:
            slots = klass.__dict__.get("__slots__", ())
            found.update(dict.fromkeys([slots] if isinstance(slots, str) else slots))
            for value in klass.__dict__.values():
                if isinstance(value, (staticmethod, classmethod)):
                    value = value.__func__
                elif isinstance(value, property):
                    value = value.fset
                if isinstance(value, FunctionType):
                    found.update(dict.fromkeys(value.__code__.co_names))
        names = tuple(name for name in found if isinstance(name, str))[:MAX_NAMES]
    _class_names[cls] = names
    return names
