"""A disk that fills is told to the operator at once, and the notice goes when it recovers."""

from hmi.core.tags import bad, good
from tests.ui.windows import make_window, write_screens


def test_the_header_says_when_local_storage_cannot_write(qtbot, project, engine, tmp_path):
    window = make_window(qtbot, project, engine, write_screens(tmp_path))
    window.show()
    notice = window.header.storage
    engine.publish_system({"_sys.store.health": good("ok")})
    qtbot.wait(150)
    assert not notice.isVisible()

    engine.publish_system({"_sys.store.health": bad("database or disk is full", "failing")})
    qtbot.waitUntil(notice.isVisible, timeout=2000)
    assert "disk is full" in notice.text() and "memory" in notice.text()

    engine.publish_system({"_sys.store.health": good("ok")})
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=2000)
