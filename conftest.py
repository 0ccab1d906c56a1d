import os

import pytest

pytest_plugins = ["workbench.testing"]

BUNDLED = "core,ontime,zoho,bittitan,webex"


@pytest.fixture(autouse=True, scope="session")
def only_the_bundled_plugins():
    """The project's tests build desks with exactly the plugins they mean: the bundled ones
    (and the throwaway ones a test registers), whatever else is installed beside them. Set
    in the environment, so the commands a test starts as processes load the same."""
    saved = os.environ.get("WORKBENCH_PLUGINS")
    os.environ["WORKBENCH_PLUGINS"] = BUNDLED
    yield
    if saved is None:
        del os.environ["WORKBENCH_PLUGINS"]
    else:
        os.environ["WORKBENCH_PLUGINS"] = saved


@pytest.fixture(autouse=True, scope="session")
def no_desk_server():
    """The commands the tests start as processes run in their own process: none starts the
    desk server or finds one (the server's own tests, tests/daemon, set it back on for theirs)."""
    saved = os.environ.get("WORKBENCH_DAEMON")
    os.environ["WORKBENCH_DAEMON"] = "off"
    yield
    if saved is None:
        del os.environ["WORKBENCH_DAEMON"]
    else:
        os.environ["WORKBENCH_DAEMON"] = saved


@pytest.fixture(autouse=True, scope="session")
def cache_of_the_tests_own(tmp_path_factory):
    """What the workbench caches (the plugins' commands for help) goes to a folder of the
    test session's, never the user's."""
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if saved is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = saved
