"""A base for objects that hold a secret (passwords, tokens, keys).

A pickle is one file or socket away from a leak, so such objects refuse it, as the evidence
`SigningKey` does. They never change after construction, so a copy is the object itself.
"""

from __future__ import annotations

from typing import NoReturn, Self

__all__ = ["HoldsSecret"]


class HoldsSecret:
    """Refuses pickling; `copy.copy` and `copy.deepcopy` return the object itself."""

    __slots__ = ()

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            f"a {type(self).__name__} holds a secret and cannot be pickled: build it in each "
            "process from the environment or a profile file instead"
        )

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Self:
        return self
