"""searchCriteria over a table's generated rows, answered from columns instead of rows.

A generated row is a pure function of its id, so each filterable field of the generated rows is
kept as one column, built on first use: its distinct values (sorted the way `search._compare`
orders them) and, per row, the index of its value (a NumPy array). A filter is then evaluated
once per distinct value (a binary search for comparisons, `in`, `null` and `like 'prefix%'`;
`search._matches` itself for every other condition, so the semantics stay those of
`search.py`), and the rows are selected, counted, sorted and paged with array operations.
Fields that no generated row varies are a single constant. Stored rows (saved, deleted,
overridden per store view) are checked row by row, as before, and merged in.

Measured at 1M customers (see docs/sandbox.md): a filter on a non-key field took 11.9 s of CPU
walking the derived rows; from columns it takes milliseconds once the column is built (about a
second for a column of a million distinct strings, once).
"""

from __future__ import annotations

import bisect
import itertools
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from magento_ir.sandbox.search import (
    _id_bounds,
    _limit,
    _matches,
    _number,
    _sort_key,
    _split,
    normalize_condition,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

    from numpy.typing import NDArray

    from magento_ir.sandbox.messages import JsonValue
    from magento_ir.sandbox.search import Filter, KeyedAccess, Row, SearchCriteria, ValueOf

__all__ = ["ColumnData", "Constant", "GeneratedIndex"]

# What a producer gives for every generated row, in id order: a numeric array, a list of
# values, or (distinct values, index of each row's value) for few distinct values.
ColumnData = "NDArray[Any] | list[Any] | tuple[list[Any], NDArray[Any]]"
# Columns with more distinct values than this are "large": indexed up front, a few kept.
_LARGE = 65_536
# A million-row column held as arrays costs 20-50 MB (values, codes, sort ranks): every large
# column of a table fits (orders have about ten) under the 1 GiB goal, and a responder going
# from field to field does not rebuild them (measured: 2 kept meant rebuilding each time).
_KEPT_LARGE = 12
_KEPT_MASKS = 8
_KEPT_MATCHES = 4
# A superset of what float() accepts (digits with `_`, a point, an exponent; inf, nan).
_MAYBE_NUMBER = re.compile(
    r"\s*[-+]?(?:(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][-+]?\d[\d_]*)?|inf(?:inity)?|nan)\s*",
    re.IGNORECASE,
)
_COMPARISON_SIDES = {
    # kind -> (lower end, upper end) of the matching distinct values, as names of the bounds
    "eq": ("left", "right"),
    "gt": ("right", "end"),
    "gteq": ("left", "end"),
    "from": ("left", "end"),
    "lt": ("start", "left"),
    "lteq": ("start", "right"),
    "to": ("start", "right"),
}


class Constant:
    """A field every generated row has the same value of."""

    __slots__ = ("value",)

    def __init__(self, value: JsonValue) -> None:
        self.value = value


class Column:
    """Distinct values (NULL apart, last) and the index of each generated row's value."""

    __slots__ = ("_bytes", "_sort_ranks", "ascii", "codes", "keys", "kind", "values")

    def __init__(self, data: object) -> None:
        arrays = _as_arrays(data)
        if arrays is not None:
            self._init_arrays(*arrays)
            return
        values, codes = _distinct(data)
        nulls = [i for i, value in enumerate(values) if value is None]
        if nulls:
            # NULL is kept apart from the sorted values: its code is len(values).
            null = nulls[0]
            values = values[:null] + values[null + 1 :]
            remap = [*range(null), len(values), *range(null, len(values))]
            codes = np.asarray(remap, dtype=np.int64)[codes]
        self.kind = _kind(values)
        self.keys: Sequence[Any] = []
        if self.kind != "other":
            keys: list[Any] = [_compare_key(value) for value in values]
            if any(later < earlier for earlier, later in itertools.pairwise(keys)):
                order = sorted(range(len(keys)), key=keys.__getitem__)
                rank = np.empty(len(values) + 1, dtype=np.int64)
                rank[order] = np.arange(len(values))
                rank[len(values)] = len(values)
                codes = rank[codes]
                values = [values[i] for i in order]
                keys = [keys[i] for i in order]
            self.keys = keys
        self.values: Sequence[Any] = values
        self.codes: NDArray[np.int32] = codes.astype(np.int32)
        self.ascii = self.kind == "num" or (
            self.kind == "str" and all(value.isascii() for value in values)
        )
        self._sort_ranks: tuple[Sequence[Any], NDArray[np.int64]] | None = None
        self._bytes: NDArray[Any] | None = None
        if len(values) > _LARGE:
            # A large column is indexed whole now, so no later search pays for it: its texts
            # for LIKE scans and its sort ranks.
            if self.ascii:
                self._texts()
            self.sort_ranks()

    def _init_arrays(self, distinct: NDArray[Any], codes: NDArray[np.int64]) -> None:
        """Values given as one array (numbers, or ASCII texts as fixed-width bytes) stay one
        array: sorted, lower-cased and ranked by vectorised NumPy operations, which release
        the GIL, instead of a Python loop over a million objects that holds it."""
        keys: NDArray[Any] = (
            distinct.astype(np.float64) if distinct.dtype.kind != "S" else _lower(distinct)
        )
        if len(keys) > 1 and not bool((keys[1:] >= keys[:-1]).all()):
            order = np.argsort(keys, kind="stable")
            rank = np.empty(len(keys) + 1, dtype=np.int64)
            rank[order] = np.arange(len(keys))
            rank[len(keys)] = len(keys)  # NULL stays last
            codes, distinct, keys = rank[codes], distinct[order], keys[order]
        self.kind = "str" if distinct.dtype.kind == "S" else "num"
        self.values = _Array(distinct)
        self.keys = _Array(keys)
        self.codes = codes.astype(np.int32)
        self.ascii = True
        self._sort_ranks = None
        self._bytes = keys if self.kind == "str" else None
        if len(distinct) > _LARGE:
            # Built with the column, so no later search pays for them (a LIKE on a number
            # reads its text).
            self._texts()
            self.sort_ranks()

    def _texts(self) -> NDArray[np.bytes_]:
        if self._bytes is None and isinstance(self.values, _Array):
            numbers = self.values.data
            if numbers.dtype.kind in "iu" and (len(numbers) == 0 or numbers.min() >= 0):
                self._bytes = digits_text(numbers)
        if self._bytes is None:
            # LIKE reads a number as its text (`str`, as `search._matches` does).
            source = self.keys if self.kind == "str" else [str(value) for value in self.values]
            self._bytes = np.array(source, dtype=np.bytes_)
        return self._bytes

    def contains(self, pattern: str) -> NDArray[np.bool_]:
        """Which distinct values match an ASCII LIKE pattern of `%`s and literal text, in C:
        each literal part is found left-most after the previous one (optimal for `%` only)."""
        texts = self._texts()
        parts = [part.encode() for part in pattern.split("%")]
        if len(parts) == 1:
            equal: NDArray[np.bool_] = texts == parts[0]
            return equal
        passing = np.ones(len(texts), dtype=np.bool_)
        position = np.zeros(len(texts), dtype=np.int64)
        head, *middle, tail = parts
        if head:
            passing &= np.strings.startswith(texts, head)
            position += len(head)
        for part in middle:
            if part:
                found = np.strings.find(texts, part, position)
                passing &= found >= 0
                position = np.where(found >= 0, found + len(part), position)
        if tail:
            passing &= np.strings.endswith(texts, tail)
            passing &= np.strings.str_len(texts) - len(tail) >= position
        return passing

    def sort_ranks(self) -> tuple[Sequence[Any], NDArray[np.int64]]:
        """The distinct `_sort_key`s (ascending) and each code's index among them."""
        if self._sort_ranks is None:
            if isinstance(self.keys, _Array) and self.kind == "str":
                texts, text_ranks = _text_sort_ranks(self.keys.data)
                self._sort_ranks = (texts, _narrow(text_ranks))
                return self._sort_ranks
            if self.kind == "num" or (
                self.kind == "str" and not any(_numeric_looking(value) for value in self.values)
            ):
                # `_sort_key` orders these as their compare keys: the values are sorted already,
                # equal keys make one rank, NULL (rank 0) comes first.
                count = len(self.values)
                if isinstance(self.keys, _Array):
                    keys = self.keys.data
                    changes = (keys[1:] != keys[:-1]).astype(np.int64)
                elif self._bytes is not None and self.kind == "str":
                    changes = (self._bytes[1:] != self._bytes[:-1]).astype(np.int64)
                else:
                    changes = np.fromiter(
                        (later != earlier for earlier, later in itertools.pairwise(self.keys)),
                        np.int64,
                        max(count - 1, 0),
                    )
                group = np.concatenate([np.zeros(1, np.int64), np.cumsum(changes)])[:count]
                starts = np.flatnonzero(np.concatenate([np.ones(min(count, 1), np.int64), changes]))
                distinct: Sequence[Any] = _SortKeys(
                    1 if self.kind == "num" else 2,  # `_sort_key`'s tag of numbers / texts
                    self.values if self.kind == "num" else self.keys,
                    starts,
                )
                ranks = np.append(group + 1, 0)
            else:
                sort_keys = [_sort_key(value) for value in self.values]
                sort_keys.append(_sort_key(None))
                distinct = sorted(set(sort_keys))
                where = {key: i for i, key in enumerate(distinct)}
                ranks = np.fromiter((where[key] for key in sort_keys), np.int64, len(sort_keys))
            self._sort_ranks = (distinct, _narrow(ranks))
        return self._sort_ranks


_NULL_KEY = _sort_key(None)


def _narrow(numbers: NDArray[np.int64]) -> NDArray[np.int64]:
    """Ranks or positions kept as int32 when they fit: 4 MB, not 8, per million rows (every
    use indexes with them or widens them to int64 first)."""
    if len(numbers) and int(numbers.max()) < 2**31:
        return numbers.astype(np.int32)
    return numbers


class _SortKeys(Sequence[Any]):
    """The distinct `_sort_key`s of a column already in that order, made when read: the
    prefix's (NULL's), then (tag, key) of the first value of each run of equal keys (a list
    of a million tuples would cost ~70 MB)."""

    def __init__(
        self,
        tag: int,
        keys: Sequence[Any],
        starts: NDArray[np.int64],
        prefix: Sequence[Any] = (_NULL_KEY,),
    ) -> None:
        # A start per distinct key; when every key is distinct, they are 0, 1, 2, ...
        self._starts: Sequence[int] | NDArray[np.int64] = (
            range(len(keys)) if len(starts) == len(keys) else _narrow(starts)
        )
        self._tag, self._keys, self._prefix = tag, keys, prefix

    def __len__(self) -> int:
        return len(self._starts) + len(self._prefix)

    @overload
    def __getitem__(self, index: int) -> Any: ...  # noqa: ANN401 - a sort key
    @overload
    def __getitem__(self, index: slice) -> Sequence[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if index < len(self._prefix):
            return self._prefix[index]
        return (self._tag, self._keys[self._starts[index - len(self._prefix)]])


class _Array(Sequence[Any]):
    """Values held as one NumPy array (numbers, or ASCII texts as fixed-width bytes) and read
    as the Python values they stand for (`int`/`float`/`str`): a million 25-character texts
    take 25 MB this way, against ~80 MB as a list of `str`."""

    __slots__ = ("data",)

    def __init__(self, data: NDArray[Any]) -> None:
        self.data = data

    def __len__(self) -> int:
        return len(self.data)

    @overload
    def __getitem__(self, index: int) -> Any: ...  # noqa: ANN401 - a column value
    @overload
    def __getitem__(self, index: slice) -> Sequence[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return list(self)[index]
        item = self.data[index]
        return item.decode() if isinstance(item, bytes) else item.item()

    def __iter__(self) -> Iterator[Any]:
        items = self.data.tolist()
        if self.data.dtype.kind == "S":
            return (item.decode() for item in items)
        return iter(items)


def _as_arrays(data: object) -> tuple[NDArray[Any], NDArray[np.int64]] | None:
    """(distinct values, code of each row; NULL is len(distinct)) when the column's values
    come as one array of numbers or of ASCII bytes; None for every other form."""
    if isinstance(data, np.ndarray):
        distinct, codes = data, None
    elif isinstance(data, tuple) and isinstance(data[0], np.ndarray):
        distinct, codes = data
    else:
        return None
    if distinct.dtype.kind not in "iufS" or (
        distinct.dtype.kind == "S" and not _ascii_bytes(distinct)
    ):
        return None
    if codes is None:
        distinct, codes = np.unique(distinct, return_inverse=True)
    return distinct, np.asarray(codes, dtype=np.int64).reshape(-1)


def _byte_matrix(texts: NDArray[np.bytes_]) -> NDArray[np.uint8]:
    """The bytes of fixed-width texts as a (rows, width) matrix (NUL-padded)."""
    texts = np.ascontiguousarray(texts)
    return texts.view(np.uint8).reshape(len(texts), texts.dtype.itemsize)


def _ascii_bytes(texts: NDArray[np.bytes_]) -> bool:
    return texts.dtype.itemsize == 0 or bool((_byte_matrix(texts) < 128).all())  # noqa: PLR2004


def _lower(texts: NDArray[np.bytes_]) -> NDArray[np.bytes_]:
    """ASCII texts lower-cased (`str.casefold` of ASCII), vectorised."""
    if texts.dtype.itemsize == 0:
        return texts
    matrix = _byte_matrix(texts)
    upper = (matrix >= ord("A")) & (matrix <= ord("Z"))
    if not upper.any():
        return texts
    lowered: NDArray[np.bytes_] = (matrix | (upper.astype(np.uint8) << 5)).view(texts.dtype)
    return lowered.reshape(-1)


def digits_text(numbers: NDArray[Any], *, base: int = 10, width: int = 1) -> NDArray[np.bytes_]:
    """`f"{n:0{width}d}"` (`x` for base 16) of non-negative integers, as bytes texts, with
    integer arithmetic on arrays only (no Python object per number)."""
    numbers = np.asarray(numbers, dtype=np.int64)
    top = int(numbers.max()) if len(numbers) else 0
    places = width
    while base**places <= top:
        places += 1
    lengths = np.full(len(numbers), width, dtype=np.int64)
    for place in range(width, places):
        lengths += numbers >= base**place
    powers = base ** np.arange(places, dtype=np.int64)
    matrix = np.zeros((len(numbers), places), dtype=np.uint8)
    symbols = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    for column in range(places):
        exponent = lengths - 1 - column
        digit = numbers // powers[np.maximum(exponent, 0)] % base
        matrix[:, column] = np.where(exponent >= 0, symbols[digit], 0)
    texts: NDArray[np.bytes_] = matrix.view(f"S{places}").reshape(-1)
    return texts


# Bytes that can appear in a text `_number` reads as a number: digits, signs, point, `_`,
# exponent, the letters of inf/infinity/nan, and what str.strip() removes.
_NUMBER_BYTES = np.zeros(256, dtype=np.bool_)
_NUMBER_BYTES[list(b"0123456789+-._eEinftyaINFTYA\0\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f ")] = True


def _digit_ranks(texts: NDArray[np.bytes_]) -> tuple[Sequence[Any], NDArray[np.int64]] | None:
    """Sort ranks of sorted, distinct texts that are all digits of one width (increment ids):
    `_sort_key` reads them as numbers, which order as the texts do. None for other texts."""
    width = texts.dtype.itemsize
    if not len(texts) or not 0 < width <= 15:  # noqa: PLR2004 - exact in a float64
        return None
    matrix = _byte_matrix(texts)
    if not ((matrix >= ord("0")) & (matrix <= ord("9"))).all():
        return None
    if len(texts) > 1 and not bool((texts[1:] > texts[:-1]).all()):
        return None
    numbers = (matrix - ord("0")).astype(np.float64) @ (10.0 ** np.arange(width - 1, -1, -1))
    starts = np.arange(len(texts), dtype=np.int64)
    ranks = np.append(starts + 1, 0)
    return _SortKeys(1, _Array(numbers), starts), ranks


def _text_sort_ranks(keys: NDArray[np.bytes_]) -> tuple[Sequence[Any], NDArray[np.int64]]:
    """`sort_ranks` of texts held as sorted lower-cased bytes, vectorised. `_sort_key` reads
    the texts that are numbers as numbers (tag 1, before every other text): those are found
    among the texts made only of bytes a number can have, and ranked apart."""
    count = len(keys)
    digits = _digit_ranks(keys)
    if digits is not None:
        return digits
    numeric: dict[int, float] = {}
    if keys.dtype.itemsize:
        candidates = np.flatnonzero(_NUMBER_BYTES[_byte_matrix(keys)].all(axis=1))
        for position in candidates.tolist():
            text = keys[position].decode()
            if _numeric_looking(text):
                numeric[position] = float(text.strip())  # what `_number` reads
    numbers = sorted(set(numeric.values()))
    prefix = [_sort_key(None), *((1, number) for number in numbers)]
    ranks = np.empty(count + 1, dtype=np.int64)
    ranks[count] = 0  # NULL first
    texts = np.ones(count, dtype=np.bool_)
    if numeric:
        where = {number: rank for rank, number in enumerate(numbers, start=1)}
        positions = np.fromiter(numeric, np.int64, len(numeric))
        ranks[positions] = [where[number] for number in numeric.values()]
        texts[positions] = False
    rest = np.flatnonzero(texts)
    changes = (keys[rest[1:]] != keys[rest[:-1]]).astype(np.int64)
    ranks[rest] = len(prefix) + np.concatenate(
        [np.zeros(min(len(rest), 1), np.int64), np.cumsum(changes)]
    )
    starts = rest[np.flatnonzero(np.concatenate([np.ones(min(len(rest), 1), np.int64), changes]))]
    return _SortKeys(2, _Array(keys), starts, prefix), ranks


def _numeric_looking(value: str) -> bool:
    """Whether `_sort_key` reads the text as a number (a cheap regex first: most texts are
    not, and float() refusing them by exception costs more)."""
    return _MAYBE_NUMBER.fullmatch(value) is not None and _number(value) is not None


def _distinct(data: object) -> tuple[list[Any], NDArray[np.int64]]:
    if isinstance(data, tuple):
        given, given_codes = data
        return list(given), np.asarray(given_codes, dtype=np.int64)
    if isinstance(data, np.ndarray):
        distinct, codes = np.unique(data, return_inverse=True)
        return distinct.tolist(), codes.astype(np.int64)
    if not isinstance(data, list):
        raise TypeError(f"a column is an array, a list or (values, codes), not {type(data)}")
    seen: dict[Any, int] = {}
    values: list[Any] = []

    def code(value: object) -> int:
        key = (type(value), repr(value)) if isinstance(value, list | dict) else (type(value), value)
        found = seen.get(key)
        if found is None:
            found = seen[key] = len(values)
            values.append(value)
        return found

    return values, np.fromiter((code(value) for value in data), np.int64, len(data))


def _kind(values: list[Any]) -> str:
    if all(isinstance(value, int | float) and not isinstance(value, bool) for value in values):
        return "num"
    if all(isinstance(value, str) for value in values):
        return "str"
    return "other"


def _compare_key(value: object) -> float | str:
    if isinstance(value, int | float):
        return float(value)
    text = str(value)
    key = text.casefold()
    return text if key == text else key  # one string, not two, for lower-case values


class GeneratedIndex:
    """Columns of one table's generated rows (ids in `generated`), built when first needed.

    `producers` give the fields that vary from row to row; any other field is the constant
    `value_of(derive(first id), field)`.
    """

    def __init__(
        self,
        generated: range,
        derive: Callable[[int], Row],
        producers: Mapping[str, Callable[[], Any]] | None = None,
    ) -> None:
        self.generated = generated
        self._derive = derive
        self._producers = dict(producers or {})
        self._columns: dict[str, Column | Constant] = {}
        self._large: OrderedDict[str, None] = OrderedDict()
        self._masks: OrderedDict[tuple[str, str, str], NDArray[np.bool_]] = OrderedDict()
        self._matched: OrderedDict[
            tuple[object, ...], tuple[NDArray[np.bool_], NDArray[np.int32]]
        ] = OrderedDict()
        self._lock = threading.Lock()
        # One lock per column being built (by its producer: fields sharing one share it), so
        # a build holds up only the searches that need that column.
        self._building: dict[object, threading.Lock] = {}

    # --- columns ----------------------------------------------------------------------------
    def column(self, field: str, value_of: ValueOf) -> Column | Constant:
        with self._lock:
            found = self._columns.get(field)
            if found is None and not self.generated:
                return Constant(None)  # no generated row: only stored rows are ranked
            if found is not None:
                if field in self._large:
                    self._large.move_to_end(field)
                return found
            producer = self._producers.get(field)
            building = self._building.setdefault(producer or field, threading.Lock())
        with building:
            with self._lock:
                found = self._columns.get(field)
                if found is None and producer is not None:
                    # A column of the same producer (base_grand_total, grand_total) is shared.
                    found = next(
                        (
                            self._columns[other]
                            for other, made_by in self._producers.items()
                            if made_by is producer and other in self._columns
                        ),
                        None,
                    )
            if found is None:
                found = (
                    Constant(value_of(self._derive(self.generated.start), field))
                    if producer is None
                    else _column_or_constant(producer())
                )
            with self._lock:
                self._keep(field, found)
            return found

    def warm(
        self,
        names: Iterable[str],
        value_of: ValueOf,
        id_fields: frozenset[str],
        stop: threading.Event,
    ) -> None:
        """Build the columns of these fields now (until `stop` is set), so that no search
        builds one: a large column takes 0.1-0.5 s of CPU to build."""
        for field in sorted(names, key=lambda name: name not in self._producers):
            if stop.is_set():
                return
            if field in id_fields:
                self._id_column(field)
            else:
                self.column(field, value_of)

    def _keep(self, field: str, found: Column | Constant) -> None:
        self._columns[field] = found
        if isinstance(found, Column) and len(found.values) > _LARGE:
            self._large[field] = None
            while len(self._large) > _KEPT_LARGE:
                evicted, _ = self._large.popitem(last=False)
                del self._columns[evicted]
                self._masks = OrderedDict(
                    (key, mask) for key, mask in self._masks.items() if key[0] != evicted
                )

    # --- filters ----------------------------------------------------------------------------
    def _passing(
        self, field: str, column: Column, condition: str | None, expected: JsonValue
    ) -> NDArray[np.bool_]:
        """Which distinct values (NULL last) pass the filter."""
        fast = _fast_passing(column, condition, expected)
        if fast is not None:
            return fast
        key = (field, repr(condition), repr(expected))
        with self._lock:
            found = self._masks.get(key)
            if found is not None:
                self._masks.move_to_end(key)
                return found
        found = np.fromiter(
            (_matches(condition, value, expected) for value in [*column.values, None]),
            np.bool_,
            len(column.values) + 1,
        )
        with self._lock:
            self._masks[key] = found
            if len(self._masks) > _KEPT_MASKS:
                self._masks.popitem(last=False)
        return found

    def _filter_mask(  # noqa: PLR0917 - one filter over one window
        self,
        field: str,
        condition: str | None,
        expected: JsonValue,
        value_of: ValueOf,
        window: slice,
        id_fields: frozenset[str],
    ) -> NDArray[np.bool_] | bool:
        if field in id_fields:
            ids = np.arange(self.generated.start, self.generated.stop, dtype=np.int64)[window]
            found = self._id_mask(condition, expected, ids)
            if found is not None:
                return found
            column: Column | Constant = self._id_column(field)
        else:
            column = self.column(field, value_of)
        if isinstance(column, Constant):
            return bool(_matches(condition, column.value, expected))
        return self._passing(field, column, condition, expected)[column.codes[window]]

    @staticmethod
    def _id_mask(
        condition: str | None, expected: JsonValue, ids: NDArray[np.int64]
    ) -> NDArray[np.bool_] | bool | None:
        kind, expected = normalize_condition(condition, expected)
        number = (
            None if expected is None or isinstance(expected, list | dict) else _number(expected)
        )
        if kind in _COMPARISON_SIDES and number is not None:
            ops = {
                "eq": np.equal,
                "gt": np.greater,
                "gteq": np.greater_equal,
                "from": np.greater_equal,
                "lt": np.less,
                "lteq": np.less_equal,
                "to": np.less_equal,
            }
            found: NDArray[np.bool_] = ops[kind](ids, number)
            return found
        if kind == "neq" and number is not None:
            different: NDArray[np.bool_] = ids != number
            return different
        if kind in {"null", "notnull"}:
            return kind == "notnull"
        return None  # the ids' column answers

    def _id_column(self, field: str) -> Column:
        """The ids as a column, for conditions other than numeric comparisons (LIKE on ids)."""
        key = f"\0id:{field}"
        with self._lock:
            found = self._columns.get(key)
            building = self._building.setdefault(key, threading.Lock())
        if isinstance(found, Column):
            return found
        with building:
            with self._lock:
                found = self._columns.get(key)
            if not isinstance(found, Column):
                ids = np.arange(self.generated.start, self.generated.stop, dtype=np.int64)
                # Distinct and sorted already: each row's code is its position.
                found = Column((ids, np.arange(len(ids), dtype=np.int64)))
                with self._lock:
                    self._keep(key, found)
            return found

    # --- search -----------------------------------------------------------------------------
    def search(
        self,
        criteria: SearchCriteria,
        keyed: KeyedAccess,
        keep: Callable[[Row], bool],
        value_of: ValueOf,
    ) -> tuple[list[Row], int]:
        """The page of matching rows and the total, as `search.search` answers it.

        Stored, deleted and overridden rows are read under the store's lock (the caller's);
        the columns are read with it released (`keyed.unlocked`): other requests go on.
        """
        low, high, rest = _id_bounds(criteria.filter_groups, keyed.id_fields)
        overlay = sorted(set(keyed.overlay()))
        kept: dict[int, Row] = {}
        for entity_id in overlay:
            if (low is not None and entity_id < low) or (high is not None and entity_id > high):
                continue
            row = keyed.fetch(entity_id)
            if row is not None and keep(row):
                kept[entity_id] = row
        with keyed.unlocked():
            page, total = self._page_ids(
                criteria, keyed, value_of, (low, high, rest), overlay, kept
            )
        rows = (
            kept[entity_id] if entity_id in kept else keyed.fetch(entity_id) for entity_id in page
        )
        return [row for row in rows if row is not None], total

    def _page_ids(  # noqa: PLR0917 - one search's parts
        self,
        criteria: SearchCriteria,
        keyed: KeyedAccess,
        value_of: ValueOf,
        bounds: tuple[int | None, int | None, tuple[tuple[Filter, ...], ...]],
        overlay: list[int],
        stored: dict[int, Row],
    ) -> tuple[list[int], int]:
        generated, names, id_fields = self.generated, keyed.names, keyed.id_fields
        low, high, rest = bounds
        first = generated.start if low is None else max(low, generated.start)
        last = generated.stop - 1 if high is None else min(high, generated.stop - 1)
        window = slice(first - generated.start, max(last + 1, first) - generated.start)
        full, counts = self._matching(rest, value_of, names, id_fields)
        # The generated twins of stored, deleted and overridden rows are not served.
        shadowed = [
            entity_id - generated.start - window.start
            for entity_id in overlay
            if generated.start + window.start <= entity_id < generated.start + window.stop
        ]
        limit = _limit(criteria.page_size)
        start = (max(criteria.current_page or 1, 1) - 1) * limit if limit else 0
        sort_orders = criteria.sort_orders or ()
        if not stored:
            # A field every generated row has the same value of orders nothing: left out.
            sort_orders = tuple(
                order
                for order in sort_orders
                if order[0] in id_fields
                or not isinstance(self.column(order[0], value_of), Constant)
            )
        if not shadowed and not stored and all(field in id_fields for field, _ in sort_orders):
            # Id order over the generated rows only (keyset paging): the page from the counts.
            before = int(counts[window.start])
            total = int(counts[window.stop]) - before
            stop = min(start + limit, total) if limit else total
            ranks = np.arange(start, max(stop, start), dtype=np.int64)
            if sort_orders and sort_orders[0][1] == "DESC":
                ranks = total - 1 - ranks
            found = np.searchsorted(counts, before + ranks + 1, side="left") - 1
            return (found + generated.start).tolist(), total
        mask = full[window].copy()
        if shadowed:
            mask[shadowed] = False
        positions = np.flatnonzero(mask)
        ids = positions + (generated.start + window.start)
        total = len(ids) + len(stored)
        stop = min(start + limit, total) if limit else total
        if start >= stop:
            return [], total
        kept_ids = np.array(sorted(stored), dtype=np.int64)
        if all(field in id_fields for field, _ in sort_orders):
            merged = np.insert(ids, np.searchsorted(ids, kept_ids), kept_ids)
            if sort_orders and sort_orders[0][1] == "DESC":
                merged = merged[::-1]
            return merged[start:stop].tolist(), total
        page = self._sorted_page(
            sort_orders,
            (ids, positions + window.start),
            stored,
            kept_ids,
            value_of,
            keyed,
            (start, stop),
        )
        return page, total

    def _matching(
        self,
        groups: tuple[tuple[Filter, ...], ...],
        value_of: ValueOf,
        names: frozenset[str],
        id_fields: frozenset[str],
    ) -> tuple[NDArray[np.bool_], NDArray[np.int32]]:
        """Which generated rows pass the groups, and how many pass before each row (one more
        entry: the total). Kept for the last few filters: keyset paging through a filtered
        million rows then costs one page per page."""
        key = (repr(groups), value_of, names, id_fields)
        with self._lock:
            found = self._matched.get(key)
            if found is not None:
                self._matched.move_to_end(key)
                return found
        mask = self._mask(groups, value_of, slice(0, len(self.generated)), id_fields)
        counts = np.zeros(len(mask) + 1, dtype=np.int32)
        np.cumsum(mask, out=counts[1:])
        with self._lock:
            self._matched[key] = (mask, counts)
            if len(self._matched) > _KEPT_MATCHES:
                self._matched.popitem(last=False)
        return mask, counts

    def _mask(
        self,
        groups: tuple[tuple[Filter, ...], ...],
        value_of: ValueOf,
        window: slice,
        id_fields: frozenset[str],
    ) -> NDArray[np.bool_]:
        """Which generated rows of the window pass every group (filters OR-ed, groups AND-ed)."""
        mask: NDArray[np.bool_] = np.ones(window.stop - window.start, dtype=np.bool_)
        for group in groups:
            if not group:
                continue
            passing: NDArray[np.bool_] | bool = False
            for item in group:
                condition = "like" if item.as_like else item.condition_type
                found = self._filter_mask(
                    item.field, condition, item.value, value_of, window, id_fields
                )
                passing = found if passing is False else (passing | found)
                if passing is True:
                    break
            if passing is False:
                mask[:] = False
            elif passing is not True:
                mask &= passing
        return mask

    def _sorted_page(  # noqa: PLR0917 - one sort over one selection
        self,
        sort_orders: tuple[tuple[str, str], ...],
        generated_rows: tuple[NDArray[np.int64], NDArray[np.int64]],
        stored: dict[int, Row],
        kept_ids: NDArray[np.int64],
        value_of: ValueOf,
        keyed: KeyedAccess,
        bounds: tuple[int, int],
    ) -> list[int]:
        """Ids at [start, stop) of the rows sorted by the sort orders, ties in id order (as
        successive stable sorts give)."""
        ids, positions = generated_rows
        all_ids = np.concatenate([ids, kept_ids])
        ranks: list[NDArray[np.int64]] = []
        widths: list[int] = []
        for field, direction in sort_orders:
            if field in keyed.id_fields:
                rank = all_ids.copy()
                top = int(all_ids.max()) + 1 if len(all_ids) else 1
            else:
                column = self.column(field, value_of)
                if isinstance(column, Constant):
                    distinct: Sequence[Any] = [_sort_key(column.value)]
                    generated_index = np.zeros(len(ids), dtype=np.int64)
                else:
                    distinct, code_index = column.sort_ranks()
                    # Every generated row selected: their codes in order, no gather.
                    codes = column.codes if len(positions) == len(column.codes) else None
                    generated_index = code_index[
                        column.codes[positions] if codes is None else codes
                    ]
                stored_keys = [_sort_key(value_of(stored[int(i)], field)) for i in kept_ids]
                rank, top = _merged_ranks(distinct, generated_index, stored_keys)
            if direction == "DESC":
                rank = top - rank
            ranks.append(rank)
            widths.append(max(top, 1).bit_length())
        id_width = (int(all_ids.max()) + 1 if len(all_ids) else 1).bit_length()
        start, stop = bounds
        if sum(widths) + id_width <= 62:  # noqa: PLR2004 - one int64 key, no sign bit
            composite = np.zeros(len(all_ids), dtype=np.int64)
            for rank, width in zip(ranks, widths, strict=True):
                composite = (composite << width) | rank
            composite = (composite << id_width) | all_ids
            if stop - start < len(composite):
                kth = [start, stop - 1] if stop - 1 > start else [start]
                composite = np.partition(composite, kth)
            segment = np.sort(composite[start:stop])
            page: list[int] = (segment & ((1 << id_width) - 1)).tolist()
            return page
        order = np.lexsort((all_ids, *reversed(ranks)))
        return [int(entity_id) for entity_id in all_ids[order[start:stop]]]


def _merged_ranks(
    distinct: Sequence[Any], generated_index: NDArray[np.int64], stored_keys: list[Any]
) -> tuple[NDArray[np.int64], int]:
    """Ranks of the generated rows (by index into `distinct`) and then of the stored rows (by
    sort key) in one order, and a bound above every rank. With m stored keys that no generated
    row has, index i ranks i(m+1)+m and those keys the ranks just below the first distinct key
    above them, in their order: one pass over the generated rows, whatever the stored keys."""
    at = [bisect.bisect_left(distinct, key) for key in stored_keys]
    held = [
        i < len(distinct) and distinct[i] == key for i, key in zip(at, stored_keys, strict=True)
    ]
    extra = sorted(
        {(i, key) for i, key, found in zip(at, stored_keys, held, strict=True) if not found}
    )
    step = len(extra) + 1
    slot = {item: rank for rank, item in enumerate(extra)}
    stored_rank = [
        i * step + len(extra) if found else i * step + slot[i, key]
        for i, key, found in zip(at, stored_keys, held, strict=True)
    ]
    generated = generated_index.astype(np.int64)
    if extra:
        generated = generated * step + len(extra)
    ranks = np.concatenate([generated, np.array(stored_rank, dtype=np.int64)])
    return ranks, len(distinct) * step + len(extra)


def _column_or_constant(data: object) -> Column | Constant:
    if (
        isinstance(data, list)
        and data
        and all(type(value) is type(data[0]) and value == data[0] for value in data)
    ):
        return Constant(data[0])
    column = Column(data)
    if len(column.values) == 1 and not (column.codes == len(column.values)).any():
        return Constant(column.values[0])
    if not column.values:
        return Constant(None)
    return column


def _fast_passing(  # noqa: C901, PLR0911, PLR0912 - one branch per condition family
    column: Column, condition: str | None, expected: JsonValue
) -> NDArray[np.bool_] | None:
    """Which distinct values pass, from binary searches; None when only `_matches` can say."""
    if column.kind == "other":
        return None
    kind, expected = normalize_condition(condition, expected)
    count = len(column.values)
    passing = np.zeros(count + 1, dtype=np.bool_)
    if kind == "null":
        passing[count] = True
        return passing
    if kind == "notnull":
        passing[:count] = True
        return passing
    if kind in {"like", "nlike"}:
        pattern = str(expected)
        stem = pattern.rstrip("%")
        if not column.ascii or not pattern.isascii() or any(c in pattern for c in "_\\"):
            return None
        if "%" in stem or column.kind == "num":
            passing[:count] = column.contains(pattern.casefold())
            if kind == "nlike":
                passing[:count] = ~passing[:count]
            return passing
        # `like 'word'` is a case-insensitive `=`, `like 'word%'` a range of the sorted values.
        low = bisect.bisect_left(column.keys, stem.casefold())
        high = bisect.bisect_left(
            column.keys, stem.casefold() + ("\U0010ffff" if stem != pattern else "\0")
        )
        passing[low:high] = True
        if kind == "nlike":
            passing[:count] = ~passing[:count]
        return passing
    if expected is None and kind not in {"in", "nin"}:
        return passing  # NULL compares as NULL: nothing matches
    if kind in {"eq", "neq", "in", "nin", "fulltext", *_COMPARISON_SIDES}:
        items = _split(expected) if kind in {"in", "nin"} else [expected]
        sides = _COMPARISON_SIDES.get("eq" if kind in {"neq", "in", "nin", "fulltext"} else kind)
        for item in items:
            if item is None:
                continue
            key = _item_key(column.kind, item)
            if key is None:
                return None
            bounds = {
                "start": 0,
                "end": count,
                "left": bisect.bisect_left(column.keys, key),
                "right": bisect.bisect_right(column.keys, key),
            }
            assert sides is not None  # noqa: S101 - every kind above has sides
            passing[bounds[sides[0]] : bounds[sides[1]]] = True
        if kind in {"neq", "nin"}:
            passing[:count] = ~passing[:count]
        return passing
    return None


def _item_key(kind: str, item: object) -> float | str | None:
    """The compare key of a filter value against a column of this kind (None: not comparable
    by key, e.g. a word against numbers, which MySQL compares as strings)."""
    if kind == "num":
        if isinstance(item, list | dict):
            return None
        return _number(item)
    if isinstance(item, bool | int | float | str):
        return str(item).casefold()
    return None
