"""The safe expression language of derived tags.

``compile_expr("line1.ram_speed / max(line1.ram_speed_sp, 0.1) * 100")`` parses the text
with Python's own parser, checks every node against a small allow-list and turns the tree
into nested closures. User text is never handed to ``eval``/``exec``, and evaluation costs
only a few function calls per node, because a derived tag is recomputed on every change of
its inputs.

A dotted name such as ``line1.ram_speed`` is one tag name. Compile errors are ``ExprError``
with the column; evaluation errors (division by zero, a math domain error, a missing value)
are ``ExprRuntimeError`` with a readable reason, which the engine turns into Bad quality.
"""

from __future__ import annotations

import ast
import math
import operator
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from .words import did_you_mean

MAX_LENGTH = 1000
MAX_DEPTH = 100
MAX_POWER_BITS = 4096  # an integer power may have at most this many bits

Values = Mapping[str, Any]
Evaluator = Callable[[Values], Any]


class ExprError(ValueError):
    """An expression that cannot be compiled. ``offset`` is 0-based, None for the whole text."""

    def __init__(self, message: str, offset: int | None = None, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.detail = detail

    @property
    def column(self) -> int | None:
        return None if self.offset is None else self.offset + 1

    def __str__(self) -> str:
        where = "" if self.offset is None else f" at column {self.column}"
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.message}{where}{detail}"


class ExprRuntimeError(ArithmeticError):
    """An expression that compiled but cannot be evaluated with these values."""


def _clamp(x: Any, lo: Any, hi: Any) -> Any:
    return lo if x < lo else hi if x > hi else x


def _bit(x: Any, n: Any) -> bool:
    number = int(n)
    if not 0 <= number <= 63:
        raise ValueError(f"bit number must be 0..63, got {n!r}")
    return bool((int(x) >> number) & 1)


def _log(x: Any, base: Any = math.e) -> float:
    return math.log(x, base)


def _min(*args: Any) -> Any:
    return min(args)


def _max(*args: Any) -> Any:
    return max(args)


# name -> (function, least arguments, most arguments or None for any number)
FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int | None]] = {
    "abs": (abs, 1, 1),
    "min": (_min, 2, None),
    "max": (_max, 2, None),
    "round": (round, 1, 2),
    "sqrt": (math.sqrt, 1, 1),
    "exp": (math.exp, 1, 1),
    "log": (_log, 1, 2),
    "log10": (math.log10, 1, 1),
    "sin": (math.sin, 1, 1),
    "cos": (math.cos, 1, 1),
    "tan": (math.tan, 1, 1),
    "floor": (math.floor, 1, 1),
    "ceil": (math.ceil, 1, 1),
    "clamp": (_clamp, 3, 3),
    "int": (int, 1, 1),
    "float": (float, 1, 1),
    "bool": (bool, 1, 1),
    "bit": (_bit, 2, 2),
}


def _short(value: Any) -> str:
    """A value as shown in a message: never pages of digits or text."""
    if isinstance(value, int) and value.bit_length() > 64:
        try:
            return f"{float(value):.6g}"
        except OverflowError:
            return "a huge number"
    shown = repr(value)
    return shown if len(shown) <= 40 else f"{shown[:37]}..."


def _mul(a: Any, b: Any) -> Any:
    if type(a) is str or type(b) is str:
        raise ExprRuntimeError("text cannot be multiplied")
    return a * b


def _pow(base: Any, exponent: Any) -> Any:
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and exponent > 0
        and abs(base) > 1
        and base.bit_length() * exponent > MAX_POWER_BITS
    ):
        raise ExprRuntimeError(f"{_short(base)} ** {_short(exponent)} is too large")
    try:
        result = base**exponent
    except OverflowError:
        raise ExprRuntimeError(f"{_short(base)} ** {_short(exponent)} is too large") from None
    if type(result) is complex:
        raise ExprRuntimeError(
            f"({_short(base)}) ** {_short(exponent)}: a negative number has no fractional power"
        )
    return result


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: _mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: _pow,
}

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}

_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Not: operator.not_,
}

_REFUSED_OPERATORS = {
    ast.BitAnd: "'&'",
    ast.BitOr: "'|'",
    ast.BitXor: "'^'",
    ast.LShift: "'<<'",
    ast.RShift: "'>>'",
    ast.MatMult: "'@'",
    ast.Invert: "'~'",
    ast.In: "'in'",
    ast.NotIn: "'not in'",
    ast.Is: "'is'",
    ast.IsNot: "'is not'",
}

_REFUSED_NODES = {
    ast.Lambda: "lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Subscript: "indexing",
    ast.Slice: "slicing",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.JoinedStr: "an f-string",
    ast.NamedExpr: "assignment (:=)",
    ast.Starred: "unpacking (*)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}


class _Const:
    """A value known at compile time."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


class _Ref:
    """A tag read: kept apart so operators can index the values mapping directly."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


_Compiled = _Const | _Ref | Evaluator


def _evaluator(node: _Compiled) -> Evaluator:
    if isinstance(node, _Const):
        value = node.value
        return lambda values: value
    if isinstance(node, _Ref):
        return operator.itemgetter(node.name)
    return node


def _binary(op: Callable[[Any, Any], Any], left: _Compiled, right: _Compiled) -> Evaluator:
    """``op(left, right)`` specialised so tag reads and constants cost no extra call."""
    if isinstance(left, _Ref):
        a = left.name
        if isinstance(right, _Const):
            c = right.value
            return lambda v: op(v[a], c)
        if isinstance(right, _Ref):
            b = right.name
            return lambda v: op(v[a], v[b])
        r = right
        return lambda v: op(v[a], r(v))
    if isinstance(left, _Const):
        c = left.value
        if isinstance(right, _Ref):
            b = right.name
            return lambda v: op(c, v[b])
        r = _evaluator(right)
        return lambda v: op(c, r(v))
    f = left
    if isinstance(right, _Const):
        c = right.value
        return lambda v: op(f(v), c)
    if isinstance(right, _Ref):
        b = right.name
        return lambda v: op(f(v), v[b])
    r = right
    return lambda v: op(f(v), r(v))


def _call(name: str, function: Callable[..., Any], args: list[Evaluator]) -> Evaluator:
    """A function call whose value and math errors name the function and its arguments."""

    def fail(error: Exception, *values: Any) -> ExprRuntimeError:
        shown = ", ".join(_short(value) for value in values)
        verdict = "is too large" if isinstance(error, OverflowError) else "is undefined"
        return ExprRuntimeError(f"{name}({shown}) {verdict} ({error})")

    if len(args) == 1:
        (a,) = args

        def call_one(v: Values) -> Any:
            x = a(v)
            try:
                return function(x)
            except (ValueError, OverflowError) as error:
                raise fail(error, x) from None

        return call_one
    if len(args) == 2:
        a, b = args

        def call_two(v: Values) -> Any:
            x, y = a(v), b(v)
            try:
                return function(x, y)
            except (ValueError, OverflowError) as error:
                raise fail(error, x, y) from None

        return call_two

    if len(args) == 3:
        a, b, c = args

        def call_three(v: Values) -> Any:
            x, y, z = a(v), b(v), c(v)
            try:
                return function(x, y, z)
            except (ValueError, OverflowError) as error:
                raise fail(error, x, y, z) from None

        return call_three

    def call_many(v: Values) -> Any:
        xs = [arg(v) for arg in args]
        try:
            return function(*xs)
        except (ValueError, OverflowError) as error:
            raise fail(error, *xs) from None

    return call_many


def _compare_chain(
    operators: list[Callable[[Any, Any], Any]], operands: list[Evaluator]
) -> Evaluator:
    first, rest = operands[0], list(zip(operators, operands[1:], strict=True))

    def compare(v: Values) -> bool:
        left = first(v)
        for op, operand in rest:
            right = operand(v)
            if not op(left, right):
                return False
            left = right
        return True

    return compare


def _bool_op(is_and: bool, operands: list[Evaluator]) -> Evaluator:
    if len(operands) == 2:
        a, b = operands
        return (lambda v: a(v) and b(v)) if is_and else (lambda v: a(v) or b(v))

    def chain(v: Values) -> Any:
        result: Any = None
        for operand in operands:
            result = operand(v)
            if bool(result) is not is_and:
                return result
        return result

    return chain


class _Compiler:
    """Walks the parse tree once, refusing anything outside the language."""

    def __init__(self, text: str, base_offset: int):
        self.text = text
        self.encoded = text.encode()
        self.base_offset = base_offset
        self.names: set[str] = set()

    def offset(self, node: ast.AST) -> int:
        byte_offset = getattr(node, "col_offset", 0)
        return self.base_offset + len(self.encoded[:byte_offset].decode(errors="ignore"))

    def error(self, node: ast.AST, message: str, detail: str = "") -> ExprError:
        return ExprError(message, self.offset(node), detail)

    def compile(self, node: ast.AST, depth: int = 0) -> _Compiled:
        if depth > MAX_DEPTH:
            raise self.error(node, f"expression is nested too deeply (limit {MAX_DEPTH} levels)")
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            kind = _REFUSED_NODES.get(type(node), type(node).__name__)
            raise self.error(node, f"{kind} is not allowed in an expression")
        return method(node, depth + 1)

    def fold(self, node: ast.AST, compute: Callable[[], Any]) -> _Const:
        """Evaluate a constant part now, so a certain failure is a compile error."""
        try:
            return _Const(compute())
        except ExprRuntimeError as error:
            raise self.error(node, str(error)) from None
        except ZeroDivisionError:
            raise self.error(node, "division by zero") from None
        except (ArithmeticError, ValueError, TypeError) as error:
            raise self.error(node, f"cannot be computed: {error}") from None

    def _Constant(self, node: ast.Constant, depth: int) -> _Compiled:
        value = node.value
        if isinstance(value, bool | int | float | str):
            return _Const(value)
        if value is None:
            raise self.error(node, "None is not allowed; use a number, text, True or False")
        kind = {complex: "an imaginary number", bytes: "a bytes literal"}.get(type(value))
        raise self.error(node, f"{kind or repr(value)} is not allowed in an expression")

    def _Name(self, node: ast.Name, depth: int) -> _Compiled:
        return self.reference(node, node.id)

    def _Attribute(self, node: ast.Attribute, depth: int) -> _Compiled:
        return self.reference(node, self.dotted_name(node))

    def dotted_name(self, node: ast.AST) -> str:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            raise self.error(node, "attribute access is not allowed; only tag names have dots")
        parts.append(node.id)
        return ".".join(reversed(parts))

    def reference(self, node: ast.AST, name: str) -> _Ref:
        if any(part.startswith("__") for part in name.split(".")):
            raise self.error(node, f"name '{name}' is not allowed")
        if name in FUNCTIONS:
            raise self.error(node, f"'{name}' is a function; call it like {name}(x)")
        self.names.add(name)
        return _Ref(name)

    def _BinOp(self, node: ast.BinOp, depth: int) -> _Compiled:
        op = _BINARY.get(type(node.op))
        if op is None:
            shown = _REFUSED_OPERATORS.get(type(node.op), type(node.op).__name__)
            hint = "; use bit(x, n) to test a bit" if type(node.op) is not ast.MatMult else ""
            raise self.error(node, f"operator {shown} is not allowed{hint}")
        left = self.compile(node.left, depth)
        right = self.compile(node.right, depth)
        if isinstance(left, _Const) and isinstance(right, _Const):
            return self.fold(node, lambda: op(left.value, right.value))
        return _binary(op, left, right)

    def _UnaryOp(self, node: ast.UnaryOp, depth: int) -> _Compiled:
        op = _UNARY.get(type(node.op))
        if op is None:
            shown = _REFUSED_OPERATORS.get(type(node.op), type(node.op).__name__)
            raise self.error(node, f"operator {shown} is not allowed")
        operand = self.compile(node.operand, depth)
        if isinstance(operand, _Const):
            return self.fold(node, lambda: op(operand.value))
        if isinstance(operand, _Ref):
            name = operand.name
            return lambda v: op(v[name])
        return lambda v: op(operand(v))

    def _Compare(self, node: ast.Compare, depth: int) -> _Compiled:
        operators = []
        for cmp in node.ops:
            op = _COMPARE.get(type(cmp))
            if op is None:
                shown = _REFUSED_OPERATORS.get(type(cmp), type(cmp).__name__)
                raise self.error(node, f"operator {shown} is not allowed")
            operators.append(op)
        operands = [self.compile(part, depth) for part in [node.left, *node.comparators]]
        if len(operators) == 1:
            left, right = operands
            if isinstance(left, _Const) and isinstance(right, _Const):
                return self.fold(node, lambda: operators[0](left.value, right.value))
            return _binary(operators[0], left, right)
        chain = _compare_chain(operators, [_evaluator(part) for part in operands])
        if all(isinstance(part, _Const) for part in operands):
            return self.fold(node, lambda: chain({}))
        return chain

    def _BoolOp(self, node: ast.BoolOp, depth: int) -> _Compiled:
        operands = [self.compile(value, depth) for value in node.values]
        combined = _bool_op(isinstance(node.op, ast.And), [_evaluator(op) for op in operands])
        if all(isinstance(part, _Const) for part in operands):
            return self.fold(node, lambda: combined({}))
        return combined

    def _IfExp(self, node: ast.IfExp, depth: int) -> _Compiled:
        test = self.compile(node.test, depth)
        body = self.compile(node.body, depth)
        orelse = self.compile(node.orelse, depth)
        if isinstance(test, _Const):
            return body if test.value else orelse
        condition, when_true, when_false = _evaluator(test), _evaluator(body), _evaluator(orelse)
        return lambda v: when_true(v) if condition(v) else when_false(v)

    def _Call(self, node: ast.Call, depth: int) -> _Compiled:
        if not isinstance(node.func, ast.Name | ast.Attribute):
            raise self.error(node, "only named functions can be called")
        name = self.dotted_name(node.func)
        entry = FUNCTIONS.get(name)
        if entry is None:
            hint = did_you_mean(name, sorted(FUNCTIONS), "functions", listed=len(FUNCTIONS))
            raise self.error(node, f"unknown function '{name}'", hint)
        function, least, most = entry
        if node.keywords:
            raise self.error(node.keywords[0], f"{name}() takes no keyword arguments")
        count = len(node.args)
        if count < least or (most is not None and count > most):
            raise self.error(node, f"{name}() takes {_arity(least, most)}, got {count}")
        args = [self.compile(arg, depth) for arg in node.args]
        if all(isinstance(arg, _Const) for arg in args):
            call = _call(name, function, [_evaluator(arg) for arg in args])
            return self.fold(node, lambda: call({}))
        return _call(name, function, [_evaluator(arg) for arg in args])


def _arity(least: int, most: int | None) -> str:
    noun = "argument" if (most or least) == 1 else "arguments"
    if most is None:
        return f"at least {least} {noun}"
    if least == most:
        return f"{least} {noun}"
    return f"{least} or {most} arguments" if most == least + 1 else f"{least} to {most} {noun}"


class Expression:
    """A compiled expression: ``names`` are the tags it reads, ``evaluate`` computes it."""

    __slots__ = ("_evaluate", "names", "text")

    def __init__(self, text: str, names: frozenset[str], evaluate: Evaluator):
        self.text = text
        self.names = names
        self._evaluate = evaluate

    def evaluate(self, values: Values) -> Any:
        """The value for these tag values; ``ExprRuntimeError`` says why there is none."""
        try:
            return self._evaluate(values)
        except ExprRuntimeError:
            raise
        except KeyError as error:
            raise ExprRuntimeError(f"no value for tag {error.args[0]!r}") from None
        except ZeroDivisionError:
            raise ExprRuntimeError("division by zero") from None
        except TypeError as error:
            raise ExprRuntimeError(f"wrong kind of value: {error}") from None
        except (ArithmeticError, ValueError) as error:
            raise ExprRuntimeError(str(error)) from None

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def compile_expr(text: str) -> Expression:
    """Parse and check ``text``; raise ``ExprError`` saying what is wrong and where."""
    if not isinstance(text, str):
        raise ExprError(f"an expression must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    # Newlines become spaces so a long expression may be folded over lines in YAML
    # while columns still count from the start of the text.
    flat = text.replace("\r", " ").replace("\n", " ")
    stripped = flat.lstrip()
    base_offset = len(flat) - len(stripped)
    if not stripped.strip():
        raise ExprError("expression is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "1if x else 2" and the like: refuse, never print
            tree = ast.parse(stripped, mode="eval")
    except SyntaxError as error:
        detail = "" if error.msg == "invalid syntax" else error.msg
        if not error.offset:  # the parser reached the end still expecting more
            position, detail = len(stripped.rstrip()), detail or "the expression is incomplete"
        else:
            position = min(error.offset - 1, len(stripped))
        offset = base_offset + position
        raise ExprError("syntax error", offset, detail) from None
    except ValueError:
        raise ExprError("expression contains a NUL character") from None
    except (RecursionError, MemoryError):
        raise ExprError(f"expression is nested too deeply (limit {MAX_DEPTH} levels)") from None
    compiler = _Compiler(stripped, base_offset)
    root = compiler.compile(tree.body)
    return Expression(text, frozenset(compiler.names), _evaluator(root))
