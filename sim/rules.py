"""Decision rules: the compiled functions by which agents decide, with one fixed signature per
kind of agent, and the base classes that carry them.

Each strategy, patron policy and US policy is a small class whose ``rule`` is a compiled
function made with one of the decorators here, and whose dataclass fields are the rule's
options. The kernel (:func:`sim.world.run_block`) takes the four rules of a run as arguments
(numba first-class functions), so a new strategy needs no change anywhere in the package:

=============  ===========================================  ==========================
decorator      signature                                    returns
=============  ===========================================  ==========================
`prk_rule`     ``rule(x, m, q, opts)``                      :class:`sim.types.PRKDecision`
`patron_rule`  ``rule(actor, x, m, q, opts)``               :class:`sim.types.PatronDecision`
`us_rule`      ``rule(x, m, q, opts)``                      :class:`sim.types.USDecision`
=============  ===========================================  ==========================

``x`` is one replication's state record (:data:`sim.state.STATE`), ``m`` the month's drivers
(:class:`sim.types.Month`), ``q`` the replication's parameter record
(:data:`sim.params.PARAM_RECORD`), ``actor`` the patron's index (CHN or RUS) and ``opts`` the
class's options as a float array, read by name through the class's :func:`option_names`
layout: ``opts[OPTS.china_cap]``.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections import namedtuple
from collections.abc import Callable
from functools import cache
from typing import Any, ClassVar

import numba
import numpy as np
from numba import types
from numba.core.registry import CPUDispatcher

from sim.jitcache import ensure, jit
from sim.params import PARAM_RECORD
from sim.state import STATE
from sim.types import (
    SAMPLE_MONTH,
    SAMPLE_PATRON_DECISION,
    SAMPLE_PRK_DECISION,
    SAMPLE_US_DECISION,
    Month,
    PatronDecision,
    PRKDecision,
    USDecision,
)

#: The argument names each kind of rule must take, in order.
ARGUMENTS = {"prk": ("x", "m", "q", "opts"), "patron": ("actor", "x", "m", "q", "opts"), "us": ("x", "m", "q", "opts")}


class RuleError(TypeError):
    """A decision rule that does not fit its kind: missing, not compiled, wrong arguments or
    return type. The message is one line that names the class and what is expected."""


@cache
def signatures() -> dict[str, Any]:
    """The numba signature of each kind of rule (built on first use: numba types)."""
    state, params = numba.from_dtype(STATE), numba.from_dtype(PARAM_RECORD)
    month, opts = numba.typeof(SAMPLE_MONTH), types.float64[::1]
    return {
        "prk": numba.typeof(SAMPLE_PRK_DECISION)(state, month, params, opts),
        "patron": numba.typeof(SAMPLE_PATRON_DECISION)(types.int64, state, month, params, opts),
        "us": numba.typeof(SAMPLE_US_DECISION)(state, month, params, opts),
    }


def _rule(kind: str):
    def decorate(fn):
        d = jit(fn)
        d.rule_kind = kind
        return d

    return decorate


#: Decorator of a PRK strategy's rule ``rule(x, m, q, opts) -> PRKDecision``.
prk_rule = _rule("prk")
#: Decorator of a patron policy's rule ``rule(actor, x, m, q, opts) -> PatronDecision``.
patron_rule = _rule("patron")
#: Decorator of a US policy's rule ``rule(x, m, q, opts) -> USDecision``.
us_rule = _rule("us")


def option_names(*names: str) -> Any:
    """A layout of a rule's options: ``OPTS = option_names("china_cap", "usa_share")`` gives
    ``OPTS.china_cap == 0``, ``OPTS.usa_share == 1``; compiled code reads them as constants."""
    return namedtuple("Options", names)(*range(len(names)))


def checker(kind: str) -> Callable[[type], None]:
    """The check a registry of ``kind`` rules runs on each class that registers."""
    return lambda cls: check_rule(cls, kind)


def check_rule(cls: type, kind: str) -> None:
    """Refuse, with one line, a class whose ``rule`` is missing, not made with the decorator of
    its kind, or takes other arguments; and one whose ``OPTIONS`` layout does not name its
    option fields. Runs when the class registers."""
    name = getattr(cls, "name", cls.__name__)
    rule = getattr(cls, "rule", None)
    deco = {"prk": "prk_rule", "patron": "patron_rule", "us": "us_rule"}[kind]
    if rule is None:
        raise RuleError(f"{cls.__name__} ({name!r}) has no rule: give it a compiled function made with @{deco}")
    if not isinstance(rule, CPUDispatcher) or getattr(rule, "rule_kind", None) != kind:
        raise RuleError(f"{cls.__name__} ({name!r}): rule must be a function made with @sim.rules.{deco}, "
                        f"got {rule!r}")
    args = tuple(inspect.signature(rule.py_func).parameters)
    if args != ARGUMENTS[kind]:
        raise RuleError(f"{cls.__name__} ({name!r}): rule {rule.py_func.__name__} takes ({', '.join(args)}); "
                        f"a {kind} rule takes ({', '.join(ARGUMENTS[kind])})")
    fields = tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else ()
    layout = tuple(getattr(cls, "OPTIONS", option_names())._fields)
    if layout != fields:
        raise RuleError(f"{cls.__name__} ({name!r}): OPTIONS names ({', '.join(layout)}) but its option fields "
                        f"are ({', '.join(fields)}); they must match, in order")


_KIND_TEXT = {"prk": "PRK rule (x, m, q, opts) -> PRKDecision",
              "patron": "patron rule (actor, x, m, q, opts) -> PatronDecision",
              "us": "US rule (x, m, q, opts) -> USDecision"}


def _reason(err: Exception) -> str:
    """The informative line of a numba compilation error (numba's messages span many lines)."""
    if isinstance(err, KeyError):
        return f"unknown field {err.args[0]!r}"
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(err))
    skip = ("Failed in", "During:", "File ", "^", "- ", "Resolution failure", "This error")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith(skip)]
    return lines[0][:300] if lines else type(err).__name__


def compiled_rule(cls: type) -> Any:
    """``cls.rule`` compiled for its kind's signature (loaded from the cache when it can be);
    a rule whose body does not type-check or returns the wrong type is refused in one line."""
    ensure()
    rule = cls.rule
    sig = signatures()[rule.rule_kind]
    if tuple(sig.args) not in rule.overloads:
        try:
            rule.compile(sig)
        except Exception as err:  # numba raises TypingError, but KeyError for an unknown record field
            raise RuleError(f"{cls.__name__} ({cls.name!r}): rule {rule.py_func.__name__} does not compile as a "
                            f"{_KIND_TEXT[rule.rule_kind]}: {_reason(err)}") from None
        if rule.overloads[tuple(sig.args)].signature.return_type != sig.return_type:
            raise RuleError(f"{cls.__name__} ({cls.name!r}): rule {rule.py_func.__name__} must return what a "
                            f"{_KIND_TEXT[rule.rule_kind]}")
    return rule


class Behaviour:
    """What strategies and policies share: a ``name``, a compiled ``rule``, and options that
    are the dataclass fields of the subclass, laid out by ``OPTIONS``."""

    name: ClassVar[str]
    rule: ClassVar[Any]
    OPTIONS: ClassVar[Any] = option_names()

    def options(self) -> np.ndarray:
        """The rule's options, a float array in the order of ``OPTIONS``."""
        return np.array([float(getattr(self, f)) for f in self.OPTIONS._fields], dtype=np.float64)


class PRKRuleBase(Behaviour):
    """Base of the classes whose rule is a PRK strategy's (:data:`prk_rule`)."""

    kind: ClassVar[str] = "prk"

    def decide(self, x: np.record, m: Month, q: np.record) -> PRKDecision:
        """PRK's decision in the replication whose state record is ``x`` and parameter record
        ``q``, in month ``m``: what the Mesa agent does each step."""
        return compiled_rule(type(self))(x, m, q, self.options())


class PatronRuleBase(Behaviour):
    kind: ClassVar[str] = "patron"

    def decide(self, actor: int, x: np.record, m: Month, q: np.record) -> PatronDecision:
        """The bid (and stake) of patron ``actor`` in the replication of state ``x``, parameters
        ``q``."""
        return compiled_rule(type(self))(actor, x, m, q, self.options())


class USRuleBase(Behaviour):
    kind: ClassVar[str] = "us"

    def decide(self, x: np.record, m: Month, q: np.record) -> USDecision:
        """The US's stance in the replication of state ``x``, parameters ``q``."""
        return compiled_rule(type(self))(x, m, q, self.options())
