"""The web app in a real browser: Debian's chromium driven by Playwright (pytest-playwright's ``page``).

The browser is the system one (/usr/bin/chromium); scripts/install-chromium.sh installs it with apt-get
when missing. Screenshots go to test-output/browser/.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kabar.web import create_app
from kabar.web.app import serve_in_background

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SHOTS = REPO / "test-output" / "browser"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def system_chromium() -> Path:
    """Debian's chromium, installed with apt-get when missing; the tests skip only if that is impossible."""
    if not CHROMIUM.exists():
        result = subprocess.run(
            ["bash", str(REPO / "scripts" / "install-chromium.sh")], capture_output=True, text=True, check=False
        )
        if not CHROMIUM.exists():
            reason = f"chromium is not installed and scripts/install-chromium.sh failed: {result.stderr.strip()[-300:]}"
            if os.environ.get("CI"):
                pytest.fail(reason)
            pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(system_chromium: Path) -> dict:
    """pytest-playwright launches the system chromium, headless and offline-friendly; never a downloaded one."""
    return {"executable_path": str(system_chromium), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def live_url(web_engine):
    with serve_in_background(create_app(web_engine)) as url:
        yield url


@pytest.fixture
def watched_page(page):
    """A page that fails the test on any JavaScript dialog (alert) or page error."""
    incidents: list[str] = []
    page.on("dialog", lambda dialog: (incidents.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("pageerror", lambda error: incidents.append(f"page error: {error}"))
    yield page
    assert not incidents, incidents


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_find_and_read_the_seed_story(watched_page, live_url):
    page = watched_page
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(f"{live_url}/?lang=en")
    assert page.locator("h1").inner_text() == "Stories"
    shoot(page, "story-list")

    page.fill("header input[name=q]", "Korea Utara")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url("**/?q=Korea+Utara")
    headlines = page.locator("a.headline")
    assert headlines.count() == 1
    headlines.first.click()
    page.wait_for_selector("#summary")
    assert "Korea Utara" in page.locator("h1").inner_text()

    sentences = page.locator("#summary li")
    assert sentences.count() >= 3
    for index in range(sentences.count()):
        assert sentences.nth(index).locator("a.chip").count() >= 1, "every summary sentence names its sources"
    first_chip = page.locator("#summary a.chip").first
    assert first_chip.get_attribute("href").startswith("/article/")
    assert first_chip.is_visible()

    chart = page.locator("#timeline svg.chart").first
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box["width"] > 400 and box["height"] > 60
    assert page.locator("#timeline svg.chart circle, #timeline svg.chart rect.bar").count() >= 4

    table = page.locator("#coverage table.coverage-table").first
    assert table.is_visible()
    assert table.locator("thead th").count() == 1 + 5, "one column per outlet"
    assert table.locator("td.cell.reported").count() >= 4
    assert table.locator("td.cell.omitted").count() >= 1
    shoot(page, "seed-story")

    outlet = first_chip.inner_text()
    first_chip.click()
    page.wait_for_selector("article.article")
    assert outlet in page.locator("dl.facts").inner_text()
    page.locator(".crumbs a[href^='/story/']").click()
    page.wait_for_selector("#summary")


def test_language_switch(watched_page, live_url):
    page = watched_page
    page.goto(f"{live_url}/")
    page.click("nav.langs a[hreflang=en]")
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(f"{live_url}/")
    assert page.locator("details.filters summary").inner_text() == "Filters", "the choice is remembered"
    page.click("nav.langs a[hreflang=id]")
    assert page.locator("details.filters summary").inner_text() == "Saring"


def test_hostile_article_is_shown_as_text(watched_page, live_url):
    page = watched_page
    for path in ("/article/xss-stored", "/article/xss-ingested", "/?q=awas+judul", "/find?q=awas+judul"):
        page.goto(f"{live_url}{path}")
        page.mouse.move(300, 300)
        assert page.evaluate("window.__xss") is None, path
        assert (
            page.locator("main script, main img, main [onerror], main [onmouseover], main a[href^='javascript:']").count() == 0
        ), path
    page.goto(f"{live_url}/article/xss-stored")
    assert "<script>alert(1)</script>" in page.locator("h1").inner_text()
    assert '<b onmouseover="window.__xss=4">' in page.locator(".body").inner_text()
    for paragraph in page.locator(".body p").all():
        paragraph.hover()
    assert page.evaluate("window.__xss") is None
    shoot(page, "hostile-article")


def test_phone_layout_keeps_the_story_readable(watched_page, live_url):
    page = watched_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_url}/?q=Korea+Utara")
    page.locator("a.headline").first.click()
    page.wait_for_selector("#summary")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling of the page; wide tables scroll inside their box"
    shoot(page, "seed-story-phone")
