"""Screenshots of the story list and the seed story page (down to its coverage table) for the README.

Builds a throw-away store from examples/ (the demo ingest), serves it, and drives Debian's chromium
through Playwright. Run: .venv/bin/python scripts/screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

import kabar
from kabar.web import create_app
from kabar.web.app import serve_in_background

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def main(out_dir: Path) -> None:
    """Ingest the examples, then save story-list.png and seed-story.png under ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, kabar.open(Path(folder) / "demo.db") as engine:
        engine.ingest([REPO / "examples" / "seeds", REPO / "examples" / "clickid-2019-09-10.jsonl"])
        engine.refresh()
        with serve_in_background(create_app(engine)) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 900}, device_scale_factor=1)
            page.goto(f"{url}/?lang=en&min_articles=2")
            page.screenshot(path=out_dir / "story-list.png")
            page.goto(f"{url}/?q=Korea+Utara")
            page.click("a.headline")
            coverage = page.locator("#coverage").bounding_box()
            bottom = coverage["y"] + coverage["height"] + 24
            page.screenshot(
                path=out_dir / "seed-story.png", full_page=True, clip={"x": 0, "y": 0, "width": 1200, "height": bottom}
            )
            browser.close()
    print(f"screenshots written to {out_dir}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots")
