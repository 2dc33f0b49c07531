r"""Parse lavaan model syntax into a parameter table with lavaan's ``sem()`` defaults.

Supported syntax (single group, no mean structure):

- ``f =~ y1 + y2 + y3``: latent ``f`` measured by ``y1``–``y3`` (the first
  loading is fixed to 1 unless it carries a modifier);
- ``y ~ x1 + x2``: regressions (of latent or observed variables);
- ``y1 ~~ y2``: (residual) variances and covariances;
- modifiers before a variable, joined by ``*``: a number fixes the parameter
  (``0.5*y2``), ``NA`` frees it (``NA*y1``), a name labels it (``a*y2``; the same
  label twice means an equality constraint), ``start(0.5)``, ``label("a")``;
- ``name := expression``: a defined parameter, an arithmetic expression of labels
  (``+ - * / ^``, ``exp``, ``log``, ``sqrt``, ``abs``);
- ``a == b``: an equality constraint between two labels;
- comments after ``#`` or ``!``; several statements on a line separated by ``;``;
  a statement continues on the next line after a trailing operator or ``+``.

The defaults follow lavaan's ``sem()`` and ``cfa()``: ``auto.fix.first``,
``auto.fix.single``, ``auto.var``, ``auto.cov.lv.x``, ``auto.cov.y`` and
``fixed.x`` (variances and covariances of exogenous observed covariates are
fixed at their sample values). Every error is an
:class:`~cxmetrics.errors.InvalidParameterError` that quotes the line and puts a
caret under the problem.

Imports: errors only (pure Python).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cxmetrics.errors import InvalidParameterError

__all__ = [
    "Definition",
    "ParTable",
    "ParsedModel",
    "Row",
    "Statement",
    "Term",
    "build_partable",
    "parse_model",
]

_OPERATORS = ("=~", "~~", ":=", "==", "<~", "~*~", "~", "<", ">", "|")
_NAME = re.compile(r"[A-Za-z_.][A-Za-z0-9_.]*")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@dataclass(frozen=True, slots=True)
class Term:
    """One right-hand-side variable with its modifiers."""

    name: str
    fixed: float | None = None
    free: bool = False
    label: str | None = None
    start: float | None = None
    has_modifier: bool = False


@dataclass(frozen=True, slots=True)
class Statement:
    """A model statement ``lhs op rhs1 + rhs2 + ...`` (one or more left names)."""

    lhs: tuple[str, ...]
    op: str
    rhs: tuple[Term, ...]
    line: int
    text: str


@dataclass(frozen=True, slots=True)
class Definition:
    """A defined parameter ``name := expression``."""

    name: str
    expression: str
    names: tuple[str, ...]
    line: int
    text: str


@dataclass(frozen=True, slots=True)
class ParsedModel:
    """Statements, definitions and equality constraints, in source order."""

    statements: tuple[Statement, ...]
    definitions: tuple[Definition, ...]
    equalities: tuple[tuple[str, str, int, str], ...]
    source: str


@dataclass(slots=True)
class Row:
    """One row of the parameter table (lavaan's ``parTable``)."""

    lhs: str
    op: str
    rhs: str
    user: bool
    free: bool
    value: float = 0.0
    label: str = ""
    start: float | None = None
    exo: bool = False
    param: int = -1


@dataclass(frozen=True, slots=True)
class ParTable:
    """The full parameter table and the variables of the model.

    Attributes
    ----------
    rows : tuple of Row
        ``=~``, ``~`` and ``~~`` rows (lavaan's order: user rows, then the
        automatic variances and covariances, then fixed exogenous ones).
    definitions : tuple of Definition
        ``:=`` rows.
    observed : tuple of str
        Observed variables, in lavaan's order (exogenous covariates last).
    latent : tuple of str
        Latent variables in order of definition.
    exogenous_x : tuple of str
        Observed covariates whose (co)variances are fixed at the sample values.
    n_free : int
        Number of distinct free parameters (shared labels count once).
    labels : dict of str to int
        Row index of the parameter each label names (``a == b`` included).
    """

    rows: tuple[Row, ...]
    definitions: tuple[Definition, ...]
    observed: tuple[str, ...]
    latent: tuple[str, ...]
    exogenous_x: tuple[str, ...]
    n_free: int
    labels: dict[str, int] = field(default_factory=dict)


# --- errors -----------------------------------------------------------------------


def _error(
    message: str, source_line: str, line: int, column: int, hint: str | None = None
) -> InvalidParameterError:
    caret = " " * max(column, 0) + "^"
    text = f"Syntax error in `model` line {line}: {message}\n  {source_line}\n  {caret}"
    if hint:
        text += f"\nHint: {hint}"
    return InvalidParameterError(text)


# --- lexing -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # name, number, op, plus, star, lparen, rparen, comma, string, minus
    text: str
    column: int


@dataclass(frozen=True, slots=True)
class _Logical:
    text: str
    line: int  # first physical line (1-based)
    positions: tuple[tuple[int, int], ...]  # (line, column) of every character
    lines: tuple[str, ...]  # the physical source lines

    def locate(self, index: int) -> tuple[int, int, str]:
        if not self.positions:
            return self.line, 0, self.lines[self.line - 1]
        index = min(max(index, 0), len(self.positions) - 1)
        line, column = self.positions[index]
        return line, column, self.lines[line - 1]


def _strip_comment(line: str) -> str:
    out = []
    quote = ""
    for ch in line:
        if quote:
            out.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "#!":
            break
        out.append(ch)
    return "".join(out)


_CONTINUES_AFTER = ("+", "*", "=~", "~", "~~", ":=", "==", "-", "/", "(", ",")


def _logical_statements(source: str) -> list[_Logical]:
    """Split the source into statements, joining continued lines."""
    physical = source.splitlines()
    pieces: list[tuple[str, list[tuple[int, int]]]] = []
    for number, raw in enumerate(physical, start=1):
        text = _strip_comment(raw)
        start = 0
        for part in [*text.split(";")]:
            positions = [(number, start + i) for i in range(len(part))]
            pieces.append((part, positions))
            start += len(part) + 1
    statements: list[_Logical] = []
    current_text = ""
    current_pos: list[tuple[int, int]] = []
    for part, positions in pieces:
        stripped = part.strip()
        if not stripped:
            continue
        continues = bool(current_text) and (
            current_text.rstrip().endswith(_CONTINUES_AFTER)
            or stripped.startswith(("+", "*"))
        )
        if continues:
            current_text += " " + part
            current_pos += [current_pos[-1], *positions]
        else:
            if current_text.strip():
                statements.append(_make_logical(current_text, current_pos, physical))
            current_text = part
            current_pos = list(positions)
    if current_text.strip():
        statements.append(_make_logical(current_text, current_pos, physical))
    return statements


def _make_logical(
    text: str, positions: list[tuple[int, int]], physical: list[str]
) -> _Logical:
    return _Logical(
        text=text,
        line=positions[0][0] if positions else 1,
        positions=tuple(positions),
        lines=tuple(physical),
    )


def _tokens(stmt: _Logical, start: int, end: int) -> list[_Token]:
    text = stmt.text
    out: list[_Token] = []
    i = start
    while i < end:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "\"'":
            close = text.find(ch, i + 1)
            if close < 0 or close >= end:
                raise _at(stmt, i, "unterminated string")
            out.append(_Token("string", text[i + 1 : close], i))
            i = close + 1
            continue
        simple = {
            "+": "plus",
            "*": "star",
            "(": "lparen",
            ")": "rparen",
            ",": "comma",
        }
        if ch in simple:
            out.append(_Token(simple[ch], ch, i))
            i += 1
            continue
        number = _NUMBER.match(text, i, end)
        if number and (ch.isdigit() or ch in ".-+"):
            if ch in "-+" and not (out and out[-1].kind in ("star", "plus")) and out:
                raise _at(stmt, i, f"unexpected {ch!r}")
            out.append(_Token("number", number.group(), i))
            i = number.end()
            continue
        name = _NAME.match(text, i, end)
        if name:
            out.append(_Token("name", name.group(), i))
            i = name.end()
            continue
        raise _at(stmt, i, f"unexpected character {ch!r}")
    return out


def _at(
    stmt: _Logical, index: int, message: str, hint: str | None = None
) -> InvalidParameterError:
    line, column, source_line = stmt.locate(index)
    return _error(message, source_line, line, column, hint)


# --- parsing -------------------------------------------------------------------------


def _find_operator(stmt: _Logical) -> tuple[str, int]:
    text = stmt.text
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
            i += 1
            continue
        if ch in "\"'":
            quote = ch
            i += 1
            continue
        for op in _OPERATORS:
            if text.startswith(op, i):
                return op, i
        i += 1
    first = len(text.rstrip())
    if "=" in text:
        first = text.index("=")
    raise _at(
        stmt,
        first,
        "expected an operator (=~, ~, ~~, :=, ==) in this statement",
        "lavaan operators are =~ (is measured by), ~ (is regressed on), ~~ "
        "(covariance) and := (defined parameter).",
    )


def _parse_number(token: _Token) -> float:
    return float(token.text)


def _parse_modifier(
    stmt: _Logical, tokens: list[_Token], k: int
) -> tuple[dict[str, Any], int]:
    """Parse one modifier starting at ``tokens[k]``; return it and the next index."""
    token = tokens[k]
    if token.kind == "number":
        return {"fixed": _parse_number(token)}, k + 1
    if token.kind == "name" and token.text == "NA":
        return {"free": True}, k + 1
    if token.kind == "name" and k + 1 < len(tokens) and tokens[k + 1].kind == "lparen":
        func = token.text
        close = k + 2
        while close < len(tokens) and tokens[close].kind != "rparen":
            close += 1
        if close >= len(tokens):
            raise _at(stmt, tokens[k + 1].column, "unclosed parenthesis")
        inner = tokens[k + 2 : close]
        if func in ("c",):
            raise _at(
                stmt,
                token.column,
                "c(...) modifiers are for multiple-group models, which are not "
                "supported",
                "fit one group at a time, or pass a single value.",
            )
        if func == "start" and len(inner) == 1 and inner[0].kind == "number":
            return {"start": _parse_number(inner[0])}, close + 1
        if (
            func in ("label", "equal")
            and len(inner) == 1
            and inner[0].kind in ("string", "name")
        ):
            return {"label": inner[0].text}, close + 1
        raise _at(
            stmt,
            token.column,
            f"unsupported modifier {func}(...)",
            "modifiers are a number, NA, a label, start(value) or label('name').",
        )
    if token.kind == "name":
        return {"label": token.text}, k + 1
    raise _at(stmt, token.column, f"unexpected {token.text!r} in a modifier")


def _parse_terms(stmt: _Logical, tokens: list[_Token], side: str) -> list[Term]:
    if not tokens:
        raise _at(
            stmt,
            len(stmt.text.rstrip()),
            f"missing variable name on the {side} of the operator",
        )
    terms: list[Term] = []
    k = 0
    while k < len(tokens):
        modifiers: dict[str, Any] = {}
        has_modifier = False
        # modifiers: (modifier '*')* name
        while True:
            if k >= len(tokens):
                raise _at(stmt, len(stmt.text.rstrip()), "missing variable name")
            token = tokens[k]
            nxt_star = False
            j = k
            if token.kind in ("number", "name"):
                if (
                    token.kind == "name"
                    and j + 1 < len(tokens)
                    and tokens[j + 1].kind == "lparen"
                ):
                    depth = 0
                    while j < len(tokens):
                        if tokens[j].kind == "lparen":
                            depth += 1
                        elif tokens[j].kind == "rparen":
                            depth -= 1
                            if depth == 0:
                                break
                        j += 1
                nxt_star = j + 1 < len(tokens) and tokens[j + 1].kind == "star"
            if nxt_star:
                modifier, k = _parse_modifier(stmt, tokens, k)
                for key, value in modifier.items():
                    if key in modifiers and modifiers[key] != value:
                        raise _at(stmt, token.column, f"conflicting {key} modifiers")
                    modifiers[key] = value
                has_modifier = True
                k += 1  # the star
                continue
            break
        token = tokens[k]
        if token.kind == "number":
            if token.text in ("1", "0") and side == "right" and stmt.text:
                raise _at(
                    stmt,
                    token.column,
                    "intercepts and mean structures (~ 1) are not supported",
                    "remove the intercept; models are fitted to the covariance matrix.",
                )
            raise _at(stmt, token.column, f"expected a variable name, got {token.text}")
        if token.kind != "name":
            raise _at(
                stmt, token.column, f"expected a variable name, got {token.text!r}"
            )
        if "fixed" in modifiers and "free" in modifiers:
            raise _at(stmt, token.column, "a parameter cannot be both fixed and NA")
        terms.append(
            Term(
                name=token.text,
                fixed=modifiers.get("fixed"),
                free=bool(modifiers.get("free", False)),
                label=modifiers.get("label"),
                start=modifiers.get("start"),
                has_modifier=has_modifier,
            )
        )
        k += 1
        if k < len(tokens):
            if tokens[k].kind != "plus":
                raise _at(
                    stmt,
                    tokens[k].column,
                    f"expected '+' between variables, got {tokens[k].text!r}",
                )
            k += 1
            if k >= len(tokens):
                raise _at(stmt, tokens[k - 1].column + 1, "missing variable after '+'")
    return terms


def _check_expression(stmt: _Logical, start: int, expression: str) -> tuple[str, ...]:
    text = expression.replace("^", "**")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        offset = (err.offset or 1) - 1
        lead = len(expression) - len(expression.lstrip())
        raise _at(
            stmt, start + lead + offset, "invalid expression after ':='"
        ) from None
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _MATH:
                raise _at(
                    stmt,
                    start,
                    "only exp(), log(), sqrt() and abs() may be called in ':='",
                )
        elif isinstance(node, ast.Name):
            if node.id not in _MATH:
                names.append(node.id)
        elif not isinstance(node, _ALLOWED_NODES):
            raise _at(
                stmt,
                start,
                f"unsupported element {type(node).__name__} in ':=' expression",
                "use labels, numbers and + - * / ^.",
            )
    return tuple(dict.fromkeys(names))


_ALLOWED_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Pow,
    ast.USub,
    ast.UAdd,
    ast.Call,
)
_MATH = ("exp", "log", "sqrt", "abs")


def parse_model(source: str) -> ParsedModel:
    """Parse lavaan model syntax (see the module docstring for what is supported).

    Raises
    ------
    InvalidParameterError
        On a syntax error; the message quotes the line with a caret.
    """
    if not isinstance(source, str):
        raise InvalidParameterError(
            f"`model` must be a string of lavaan model syntax; got "
            f"{type(source).__name__}."
        )
    statements: list[Statement] = []
    definitions: list[Definition] = []
    equalities: list[tuple[str, str, int, str]] = []
    for stmt in _logical_statements(source):
        op, position = _find_operator(stmt)
        left_text = stmt.text[:position]
        line, _, source_line = stmt.locate(position)
        if op in ("<~", "~*~", "|", "<", ">"):
            what = {
                "<~": "composites (<~)",
                "~*~": "scale factors (~*~)",
                "|": "thresholds (|) of ordinal indicators",
                "<": "inequality constraints (<)",
                ">": "inequality constraints (>)",
            }[op]
            raise _at(stmt, position, f"{what} are not supported")
        if op == ":=":
            left = _tokens(stmt, 0, position)
            if len(left) != 1 or left[0].kind != "name":
                raise _at(stmt, 0, "':=' needs one new parameter name on the left")
            expression = stmt.text[position + 2 :]
            if not expression.strip():
                raise _at(stmt, position + 2, "missing expression after ':='")
            names = _check_expression(stmt, position + 2, expression)
            definitions.append(
                Definition(
                    name=left[0].text,
                    expression=expression.strip(),
                    names=names,
                    line=line,
                    text=source_line.strip(),
                )
            )
            continue
        if op == "==":
            left = _tokens(stmt, 0, position)
            right = _tokens(stmt, position + 2, len(stmt.text))
            if not (
                len(left) == 1
                and len(right) == 1
                and left[0].kind == "name"
                and right[0].kind == "name"
            ):
                raise _at(
                    stmt,
                    position,
                    "only equality of two labels (a == b) is supported",
                )
            equalities.append((left[0].text, right[0].text, line, source_line.strip()))
            continue
        left_tokens = _tokens(stmt, 0, position)
        right_tokens = _tokens(stmt, position + len(op), len(stmt.text))
        lhs_terms = _parse_terms(stmt, left_tokens, "left")
        for term in lhs_terms:
            if term.has_modifier:
                raise _at(stmt, 0, "modifiers belong on the right of the operator")
        if not left_text.strip():
            raise _at(stmt, position, "missing variable name before the operator")
        rhs_terms = _parse_terms(stmt, right_tokens, "right")
        statements.append(
            Statement(
                lhs=tuple(t.name for t in lhs_terms),
                op=op,
                rhs=tuple(rhs_terms),
                line=line,
                text=source_line.strip(),
            )
        )
    if not statements:
        raise InvalidParameterError(
            "`model` holds no statement (=~, ~ or ~~). Hint: e.g. "
            "'satisfaction =~ sat1 + sat2 + sat3'."
        )
    return ParsedModel(
        statements=tuple(statements),
        definitions=tuple(definitions),
        equalities=tuple(equalities),
        source=source,
    )


# --- parameter table --------------------------------------------------------


def _ordered_unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _statement_error(
    statement: Statement, message: str, hint: str | None = None
) -> Any:
    text = f"Error in `model` line {statement.line}: {message}\n  {statement.text}"
    if hint:
        text += f"\nHint: {hint}"
    return InvalidParameterError(text)


def build_partable(parsed: ParsedModel, *, fixed_x: bool = True) -> ParTable:
    """Expand parsed statements into lavaan's full parameter table.

    Parameters
    ----------
    parsed : ParsedModel
        Output of :func:`parse_model`.
    fixed_x : bool, default: True
        Fix (co)variances of exogenous observed covariates at their sample values
        (lavaan's default for ``sem()`` with ML).
    """
    rows: list[Row] = []
    keys: dict[tuple[str, str, str], Statement] = {}
    latent = _ordered_unique(
        lhs for s in parsed.statements if s.op == "=~" for lhs in s.lhs
    )
    indicators: dict[str, list[str]] = {f: [] for f in latent}

    def add(statement: Statement, lhs: str, op: str, term: Term) -> None:
        rhs = term.name
        key = (lhs, op, rhs)
        mirror = (rhs, op, lhs) if op == "~~" else None
        if key in keys or (mirror is not None and mirror in keys):
            raise _statement_error(
                statement,
                f"'{lhs} {op} {rhs}' is specified twice",
                "remove the duplicate statement.",
            )
        if op == "~" and lhs == rhs:
            raise _statement_error(statement, f"'{lhs}' is regressed on itself")
        if op == "=~" and rhs == lhs:
            raise _statement_error(statement, f"'{lhs}' is its own indicator")
        keys[key] = statement
        rows.append(
            Row(
                lhs=lhs,
                op=op,
                rhs=rhs,
                user=True,
                free=term.fixed is None,
                value=0.0 if term.fixed is None else float(term.fixed),
                label=term.label or "",
                start=term.start,
            )
        )

    for statement in parsed.statements:
        for lhs in statement.lhs:
            for term in statement.rhs:
                if statement.op == "=~":
                    indicators[lhs].append(term.name)
                add(statement, lhs, statement.op, term)

    # auto.fix.first: the first indicator's loading is fixed to 1 unless it has a
    # number or NA modifier.
    first_seen: set[str] = set()
    user_terms: dict[tuple[str, str, str], Term] = {}
    for statement in parsed.statements:
        for lhs in statement.lhs:
            for term in statement.rhs:
                user_terms[(lhs, statement.op, term.name)] = term
    for row in rows:
        if row.op != "=~" or row.lhs in first_seen:
            continue
        first_seen.add(row.lhs)
        term = user_terms[(row.lhs, row.op, row.rhs)]
        if term.fixed is None and not term.free:
            row.free = False
            row.value = 1.0

    structural_lhs = _ordered_unique(r.lhs for r in rows if r.op == "~")
    structural_rhs = _ordered_unique(r.rhs for r in rows if r.op == "~")
    indicator_names = _ordered_unique(i for f in latent for i in indicators[f])
    mentioned = _ordered_unique(
        name for r in rows for name in (r.lhs, r.rhs) if name not in latent
    )
    # observed variables: indicators first (in order), then the rest
    observed_all = _ordered_unique([*indicator_names, *mentioned])
    observed_all = [v for v in observed_all if v not in latent]
    user_cov = {frozenset((r.lhs, r.rhs)) for r in rows if r.op == "~~"}
    exogenous_x = [
        name
        for name in observed_all
        if fixed_x
        and name in structural_rhs
        and name not in structural_lhs
        and name not in indicator_names
        and not any(name in pair for pair in user_cov)
    ]
    observed = [v for v in observed_all if v not in exogenous_x] + exogenous_x

    # auto.fix.single: a lone indicator gets a zero residual variance.
    single = {
        indicators[f][0]
        for f in latent
        if len(indicators[f]) == 1 and indicators[f][0] not in latent
    }
    variances_given = {r.lhs for r in rows if r.op == "~~" and r.lhs == r.rhs}

    # auto.var: residual variances of observed (not fixed.x) and latent variables
    for name in [*[v for v in observed if v not in exogenous_x], *latent]:
        if name in variances_given:
            continue
        if name in single and _loads_only_once(name, indicators):
            rows.append(Row(name, "~~", name, user=False, free=False, value=0.0))
        else:
            rows.append(Row(name, "~~", name, user=False, free=True))

    # auto.cov.lv.x: covariances of exogenous latent variables
    exo_latent = [
        f for f in latent if f not in structural_lhs and f not in indicator_names
    ]
    rows.extend(
        Row(a, "~~", b, user=False, free=True)
        for i, a in enumerate(exo_latent)
        for b in exo_latent[i + 1 :]
        if frozenset((a, b)) not in user_cov
    )

    # auto.cov.y: covariances of pure dependent variables (never a predictor)
    pure_y = [
        v
        for v in structural_lhs
        if v not in structural_rhs and v not in indicator_names
    ]
    rows.extend(
        Row(a, "~~", b, user=False, free=True)
        for i, a in enumerate(pure_y)
        for b in pure_y[i + 1 :]
        if frozenset((a, b)) not in user_cov
    )

    # fixed.x: exogenous covariates, fixed at their sample values (filled at fit)
    rows.extend(
        Row(a, "~~", b, user=False, free=False, exo=True)
        for i, a in enumerate(exogenous_x)
        for b in exogenous_x[i:]
    )

    # equality constraints between labels: a == b
    rename: dict[str, str] = {}
    labels = {r.label for r in rows if r.label}

    def root(name: str) -> str:
        while name in rename:
            name = rename[name]
        return name

    for a, b, line, text in parsed.equalities:
        for name in (a, b):
            if name not in labels:
                raise InvalidParameterError(
                    f"Error in `model` line {line}: unknown label {name!r} in "
                    f"'{a} == {b}'.\n  {text}\nHint: labels are set with a "
                    "modifier, e.g. 'y ~ a*x'."
                )
        ra, rb = root(a), root(b)
        if ra != rb:
            rename[rb] = ra

    # assign parameter indices (shared labels share a parameter)
    index_of_label: dict[str, int] = {}
    n_free = 0
    for row in rows:
        if not row.free:
            if row.label:
                lab = root(row.label)
                if lab in index_of_label:
                    # a fixed row sharing a label with a free one: lavaan would
                    # constrain them equal; keep it simple and refuse.
                    raise InvalidParameterError(
                        f"Label {row.label!r} is used on a fixed and on a free "
                        "parameter. Hint: give the fixed parameter another label."
                    )
            continue
        lab = root(row.label) if row.label else ""
        if lab and lab in index_of_label:
            row.param = index_of_label[lab]
            continue
        row.param = n_free
        if lab:
            index_of_label[lab] = n_free
        n_free += 1
    fixed_labels = {root(r.label) for r in rows if r.label and not r.free}
    for lab in fixed_labels:
        if lab in index_of_label:
            raise InvalidParameterError(
                f"Label {lab!r} is used on a fixed and on a free parameter. "
                "Hint: give the fixed parameter another label."
            )

    label_rows: dict[str, int] = {}
    for i, row in enumerate(rows):
        if row.label and row.label not in label_rows:
            label_rows[row.label] = i
    for name in rename:
        label_rows[name] = label_rows[root(name)]

    # definitions: names must be labels or earlier definitions
    known = set(labels) | set(rename)
    defined: list[str] = []
    for definition in parsed.definitions:
        if definition.name in known or definition.name in defined:
            raise InvalidParameterError(
                f"Error in `model` line {definition.line}: {definition.name!r} is "
                f"already a label or a defined parameter.\n  {definition.text}"
            )
        if definition.name in observed or definition.name in latent:
            raise InvalidParameterError(
                f"Error in `model` line {definition.line}: {definition.name!r} is "
                f"a variable of the model, not a new parameter name.\n  "
                f"{definition.text}"
            )
        for name in definition.names:
            if name not in known and name not in defined:
                close = _close_names(name, [*labels, *defined])
                raise InvalidParameterError(
                    f"Error in `model` line {definition.line}: unknown label "
                    f"{name!r} in ':='.\n  {definition.text}\nHint: "
                    + (f"did you mean {close}? " if close else "")
                    + "label a parameter with a modifier first, e.g. 'y ~ a*x'."
                )
        defined.append(definition.name)

    return ParTable(
        rows=tuple(rows),
        definitions=parsed.definitions,
        observed=tuple(observed),
        latent=tuple(latent),
        exogenous_x=tuple(exogenous_x),
        n_free=n_free,
        labels=label_rows,
    )


def _loads_only_once(name: str, indicators: dict[str, list[str]]) -> bool:
    return sum(name in items for items in indicators.values()) == 1


def _close_names(name: str, names: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(names), n=2, cutoff=0.6)
    return " or ".join(repr(c) for c in close)
