"""The module's GET routes with `int` query parameters refuse a non-integer as Magento does.

Magento converts typed service parameters itself and renders that type error without
`parameters`; the module never sees the value (on the real store and in the sandbox alike).
"""

from __future__ import annotations

import pytest

from tests.contract._module import ModuleStore, error_of, module_store

__all__ = ["module_store"]  # the fixture this module uses

pytestmark = pytest.mark.magento_sandbox(with_module=True)


@pytest.mark.parametrize(
    ("route", "params"),
    [
        ("/guard/blocks", {"afterId": "abc"}),
        ("/guard/blocks", {"pageSize": "1x"}),
        ("/code/manifest", {"changedSince": "abc"}),
        ("/code/manifest", {"pageSize": "12a"}),
        ("/content", {"type": "widget_instance", "afterId": "x1"}),
    ],
)
def test_a_non_integer_is_refused_by_magento_itself(
    module_store: ModuleStore, route: str, params: dict[str, str]
) -> None:
    response = module_store.call("GET", route, params=params)
    assert response.status_code == 400, response.text
    value = next(value for name, value in params.items() if name != "type")
    assert error_of(response) == {
        "message": f'The "{value}" value\'s type is invalid. The "int" type was expected. '
        "Verify and try again."
    }
