"""End-to-end fixtures: the app on a real port, Debian's Chromium driven by Playwright, an official signed in.

The console runs the same domain operations as the admin API, whose tests cover both databases, so the
browser tests run on SQLite only. GONGHUI_SCREENSHOTS=<dir> makes `screenshot` save pages (for the README).
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.serving import make_server

HERE = Path(__file__).parent
PASSWORD = "gonghui2026"


def pytest_collection_modifyitems(config, items):
    """Leave out the PostgreSQL copies of the browser tests."""
    kept, dropped = [], []
    for item in items:
        on_postgres = getattr(item, "callspec", None) and item.callspec.params.get("backend") == "postgresql"
        (dropped if on_postgres and HERE in item.path.parents else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture
def app(make_app, simulator):
    """The app with WeChat's API simulated: replies and previews officials send reach the simulator."""
    return make_app(WECHAT_API_BASE_URL=simulator.url)


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it with apt-get")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        # As root (CI) Chromium refuses to start with its sandbox.
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """Serve the test's app on a free port in a thread; answer its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def new_page(browser, live_server):
    """Open pages in fresh browser contexts (separate cookies): one per official in a test."""
    contexts = []

    def open_page(*, phone: bool = False) -> Page:
        viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 860}
        context = browser.new_context(base_url=live_server, locale="zh-CN", viewport=viewport)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


def sign_in(page: Page, username: str, password: str = PASSWORD) -> Page:
    """Log an official in through the login form and land on the dashboard."""
    page.goto("/console/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    return page


@pytest.fixture
def official(new_page, demo):
    """A page signed in as a demo official: official("kangcun")."""

    def signed_in(username: str, *, phone: bool = False) -> Page:
        return sign_in(new_page(phone=phone), username)

    return signed_in


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under $GONGHUI_SCREENSHOTS, when set (make screenshots)."""
    directory = os.environ.get("GONGHUI_SCREENSHOTS")

    def take(page: Page, name: str) -> None:
        if directory:
            Path(directory).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)

    return take
