"""Suite-wide settings: no test of the harness may run longer than its deadline."""

import pytest

TEST_DEADLINE = 120   # seconds; a hang fails the test instead of stalling CI


def pytest_collection_modifyitems(config, items):
    if config.pluginmanager.hasplugin("timeout"):
        for item in items:
            if item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(TEST_DEADLINE))
