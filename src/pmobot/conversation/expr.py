"""The tiny condition language of ``when:`` in dialog specs.

A PMO writes conditions such as ``budget > 50000 and 'hr' in departments`` in
YAML. They are tokenised and parsed here by hand into a small tree and
evaluated against the answers; nothing is ever handed to ``eval``, so a spec
cannot run code, reach attributes or call functions.

Grammar (keywords are case-insensitive)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" expr ")" | test
    test       := value [ cmp_op value
                        | ["not"] "in" (list | identifier)
                        | "is" ["not"] "set" ]
    cmp_op     := "==" | "!=" | "<" | "<=" | ">" | ">="
    value      := number | string | true | false | yes | no | null | none | identifier
    list       := "[" [value ("," value)* [","]] "]"

Evaluation never raises: a missing or skipped answer is ``None`` and every
comparison with it is false except ``== null`` (and ``!= null``, its
negation); values of different kinds (a number against a string) compare
false rather than fail.

(Longer than our usual 400 lines: one grammar, its tokens, tree and parser,
reads best in one file.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

MAX_LENGTH = 500
MAX_DEPTH = 20


class ExpressionError(ValueError):
    """A condition that cannot be parsed, with where and what was expected."""

    def __init__(self, message: str, position: int | None = None):
        self.position = position
        super().__init__(f"{message} (at character {position + 1})" if position is not None else message)


# --- tokens -----------------------------------------------------------------

_KEYWORDS = {"and", "or", "not", "in", "is", "set", "true", "false", "yes", "no", "null", "none"}


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "str", "name", "kw", "op", "end"
    text: str
    pos: int
    value: Any = None


_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<num>-?\d+(?:\.\d+)?)(?![\w.])
  | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
    """,
    re.VERBOSE,
)

# Characters people try that this language deliberately does not have.
_HINTS = {
    "=": "use == to compare",
    ".": "attribute access is not allowed",
    "&": "use 'and'",
    "|": "use 'or'",
    "!": "use 'not' or !=",
}


def _unescape(quoted: str) -> str:
    return re.sub(r"\\(.)", r"\1", quoted[1:-1])


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            ch = text[pos]
            hint = _HINTS.get(ch)
            if ch in "'\"":
                raise ExpressionError("unterminated string", pos)
            if ch.isdigit() or ch == "-":
                raise ExpressionError("malformed number", pos)
            raise ExpressionError(f"unexpected character {ch!r}" + (f": {hint}" if hint else ""), pos)
        kind = m.lastgroup
        raw = m.group()
        if kind == "num":
            tokens.append(_Token("num", raw, pos, Decimal(raw)))
        elif kind == "str":
            tokens.append(_Token("str", raw, pos, _unescape(raw)))
        elif kind == "name":
            if raw.lower() in _KEYWORDS:
                tokens.append(_Token("kw", raw.lower(), pos))
            elif raw.startswith("__"):
                # Field ids never look like Python internals; refuse them outright.
                raise ExpressionError(f"name {raw!r} is not allowed", pos)
            else:
                tokens.append(_Token("name", raw, pos))
        elif kind == "op":
            tokens.append(_Token("op", raw, pos))
        pos = m.end()
    tokens.append(_Token("end", "end of condition", len(text)))
    return tokens


# --- tree ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Literal:
    value: Any

    def resolve(self, answers: dict[str, Any]) -> Any:
        return self.value

    def names(self) -> set[str]:
        return set()


@dataclass(frozen=True)
class _Field:
    name: str

    def resolve(self, answers: dict[str, Any]) -> Any:
        return _normalize(answers.get(self.name))

    def names(self) -> set[str]:
        return {self.name}


@dataclass(frozen=True)
class _ListLit:
    items: tuple[_Literal | _Field, ...]

    def resolve(self, answers: dict[str, Any]) -> Any:
        return [item.resolve(answers) for item in self.items]

    def names(self) -> set[str]:
        return set().union(*(item.names() for item in self.items)) if self.items else set()


def _is_null(node: Any) -> bool:
    return isinstance(node, _Literal) and node.value is None


@dataclass(frozen=True)
class _Truthy:
    operand: _Literal | _Field

    def evaluate(self, answers: dict[str, Any]) -> bool:
        return _truthy(self.operand.resolve(answers))

    def names(self) -> set[str]:
        return set(self.operand.names())


@dataclass(frozen=True)
class _IsSet:
    operand: _Literal | _Field
    negated: bool

    def evaluate(self, answers: dict[str, Any]) -> bool:
        return (self.operand.resolve(answers) is not None) != self.negated

    def names(self) -> set[str]:
        return set(self.operand.names())


@dataclass(frozen=True)
class _Compare:
    op: str
    left: _Literal | _Field
    right: _Literal | _Field

    def evaluate(self, answers: dict[str, Any]) -> bool:
        a, b = self.left.resolve(answers), self.right.resolve(answers)
        if self.op == "!=" and (_is_null(self.left) or _is_null(self.right)):
            # "x != null" reads "x is answered": the negation of "x == null".
            return not _equal(a, b)
        return _compare(self.op, a, b)

    def names(self) -> set[str]:
        return self.left.names() | self.right.names()


@dataclass(frozen=True)
class _In:
    needle: _Literal | _Field
    haystack: _ListLit | _Field
    negated: bool

    def evaluate(self, answers: dict[str, Any]) -> bool:
        found = _contains(self.haystack.resolve(answers), self.needle.resolve(answers))
        if found is None:  # undefined or mismatched: false both ways
            return False
        return found != self.negated

    def names(self) -> set[str]:
        return self.needle.names() | self.haystack.names()


@dataclass(frozen=True)
class _Not:
    operand: Any

    def evaluate(self, answers: dict[str, Any]) -> bool:
        return not self.operand.evaluate(answers)

    def names(self) -> set[str]:
        return set(self.operand.names())


@dataclass(frozen=True)
class _Bool:
    op: str  # "and" | "or"
    operands: tuple[Any, ...]

    def evaluate(self, answers: dict[str, Any]) -> bool:
        combine: Callable[[Any], bool] = all if self.op == "and" else any
        return combine(o.evaluate(answers) for o in self.operands)

    def names(self) -> set[str]:
        return set().union(*(o.names() for o in self.operands))


# --- values -------------------------------------------------------------------


def _normalize(value: Any) -> Any:
    """Bring a JSON-native answer to the few kinds the comparisons know."""
    if isinstance(value, bool) or value is None:
        return value
    raw = value["amount"] if isinstance(value, dict) and "amount" in value else value  # money
    if isinstance(raw, (int, float)) or raw is not value:
        try:
            number = Decimal(str(raw))
        except (InvalidOperation, TypeError, ValueError):
            return None
        # NaN and infinities order against nothing: treat them as no answer.
        return number if number.is_finite() else None
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Decimal):
        return "num"
    if isinstance(value, str):
        return "str"
    return "other"


def _truthy(value: Any) -> bool:
    """Answered and not empty or false. A zero is an answer, so it counts."""
    if value is None or value is False:
        return False
    if isinstance(value, (str, list, tuple, dict)):
        return bool(value.strip() if isinstance(value, str) else value)
    return True


def _equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    # True is not 1 here: a yes/no answer never equals a number.
    return _kind(a) == _kind(b) and a == b


_ORDER = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compare(op: str, a: Any, b: Any) -> bool:
    if op == "==":
        return _equal(a, b)
    if a is None or b is None:
        return False
    ka, kb = _kind(a), _kind(b)
    if ka != kb:
        return False
    if op == "!=":
        return bool(a != b)
    # Numbers with numbers, strings (ISO dates) with strings; nothing else orders.
    if ka not in ("num", "str"):
        return False
    try:
        return bool(_ORDER[op](a, b))
    except (InvalidOperation, TypeError):  # defensive: evaluation never raises
        return False


def _contains(haystack: Any, needle: Any) -> bool | None:
    """Membership for ``in``; None when it cannot be decided (missing, mismatched)."""
    if haystack is None or not isinstance(haystack, list):
        return None
    if needle is None:
        return None
    items = [_normalize(item) for item in haystack]
    if isinstance(needle, list):
        # A multi_choice answer against a list literal: any selection in the list.
        wanted = [_normalize(n) for n in needle]
        return any(_equal(w, item) for w in wanted for item in items)
    return any(_equal(needle, item) for item in items)


# --- parser -------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def _advance(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def _is(self, kind: str, text: str | None = None) -> bool:
        tok = self.tok
        return tok.kind == kind and (text is None or tok.text == text)

    def _expect(self, kind: str, text: str, what: str) -> _Token:
        if not self._is(kind, text):
            self._fail(what)
        return self._advance()

    def _fail(self, expected: str) -> None:
        tok = self.tok
        found = "the end of the condition" if tok.kind == "end" else repr(tok.text)
        raise ExpressionError(f"expected {expected}, found {found}", tok.pos)

    def _nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"condition nested more than {MAX_DEPTH} levels deep", self.tok.pos)

    def parse(self) -> Any:
        node = self._or()
        if not self._is("end"):
            self._fail("'and', 'or' or the end of the condition")
        return node

    def _or(self) -> Any:
        return self._chain("or", self._and)

    def _and(self) -> Any:
        return self._chain("and", self._not)

    def _chain(self, keyword: str, operand: Callable[[], Any]) -> Any:
        """Operands joined by ``keyword`` ("a and b and c"); one operand alone is itself."""
        operands = [operand()]
        while self._is("kw", keyword):
            self._advance()
            operands.append(operand())
        return operands[0] if len(operands) == 1 else _Bool(keyword, tuple(operands))

    def _not(self) -> Any:
        if self._is("kw", "not"):
            self._advance()
            self._nest()
            node = _Not(self._not())
            self.depth -= 1
            return node
        if self._is("op", "("):
            self._advance()
            self._nest()
            node = self._or()
            self._expect("op", ")", "')'")
            self.depth -= 1
            return node
        return self._test()

    def _value(self) -> _Literal | _Field:
        tok = self.tok
        if tok.kind in ("num", "str"):
            self._advance()
            return _Literal(tok.value)
        if tok.kind == "name":
            self._advance()
            return _Field(tok.text)
        if tok.kind == "kw" and tok.text in ("true", "yes"):
            self._advance()
            return _Literal(True)
        if tok.kind == "kw" and tok.text in ("false", "no"):
            self._advance()
            return _Literal(False)
        if tok.kind == "kw" and tok.text in ("null", "none"):
            self._advance()
            return _Literal(None)
        self._fail("a field name, a number, a quoted string, true, false or null")
        raise AssertionError  # unreachable: _fail raises

    def _list(self) -> _ListLit:
        self._advance()  # "["
        items: list[_Literal | _Field] = []
        while not self._is("op", "]"):
            items.append(self._value())
            if self._is("op", ","):
                self._advance()
            elif not self._is("op", "]"):
                self._fail("',' or ']'")
        self._advance()  # "]"
        return _ListLit(tuple(items))

    def _container(self) -> _ListLit | _Field:
        if self._is("op", "["):
            return self._list()
        if self._is("name"):
            return _Field(self._advance().text)
        self._fail("a list such as ['a', 'b'] or a field name after 'in'")
        raise AssertionError

    def _test(self) -> Any:
        left = self._value()
        tok = self.tok
        if tok.kind == "op" and tok.text in ("==", "!=", "<", "<=", ">", ">="):
            self._advance()
            return _Compare(tok.text, left, self._value())
        if tok.kind == "kw" and tok.text == "in":
            self._advance()
            return _In(left, self._container(), negated=False)
        if tok.kind == "kw" and tok.text == "not":
            self._advance()
            self._expect("kw", "in", "'in' after 'not'")
            return _In(left, self._container(), negated=True)
        if tok.kind == "kw" and tok.text == "is":
            self._advance()
            negated = False
            if self._is("kw", "not"):
                self._advance()
                negated = True
            self._expect("kw", "set", "'set' after 'is'")
            return _IsSet(left, negated)
        return _Truthy(left)


# --- public API ---------------------------------------------------------------


class Expression:
    """A parsed condition: ask which fields it reads, and evaluate it."""

    def __init__(self, text: str, root: Any):
        self.text = text
        self._root = root

    def names(self) -> set[str]:
        """The field ids the condition refers to."""
        return set(self._root.names())

    def evaluate(self, answers: dict[str, Any]) -> bool:
        """True when the condition holds for these answers; never raises."""
        return bool(self._root.evaluate(answers))

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


@lru_cache(maxsize=512)
def parse_expression(text: str) -> Expression:
    """Parse a ``when:`` condition, or raise ExpressionError saying where and why."""
    if not isinstance(text, str):
        raise ExpressionError("a condition is a string")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"condition is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if not text.strip():
        raise ExpressionError("empty condition")
    return Expression(text, _Parser(text).parse())
