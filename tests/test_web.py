"""The server-rendered pages through the test client, and the presentation helpers behind them."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from kabar.web import i18n, views
from kabar.web.pages import templates


@pytest.fixture
def site(web_engine) -> TestClient:
    from kabar.web import create_app

    return TestClient(create_app(web_engine))


@pytest.fixture
def seed_id(site) -> str:
    return site.get("/stories", params={"q": "Korea Utara"}).json()["stories"][0]["id"]


def t_en(key: str, **values: object) -> str:
    return i18n.translator("en")(key, **values)


def test_story_list_shows_headlines_outlets_and_counts(site):
    html = site.get("/", params={"lang": "en"}).text
    assert "Rusia Akan Membeli" in html or "Korea Utara" in html
    assert 'class="chip' in html and "medcom.id" in html
    assert re.search(r"\d+ stories", html)


def test_search_box_narrows_the_list(site, seed_id):
    html = site.get("/", params={"q": "Korea Utara"}).text
    assert f'href="/story/{seed_id}"' in html
    assert len(re.findall(r'class="headline" href="/story/', html)) == 1


def test_language_switch_is_remembered(site):
    english = site.get("/", params={"lang": "en"})
    assert english.cookies.get("kabar_lang") == "en" and "Filters" in english.text
    assert "Filters" in site.get("/").text, "the cookie keeps the choice"
    indonesian = site.get("/", params={"lang": "id"})
    assert "Saring" in indonesian.text and '<html lang="id">' in indonesian.text


def test_story_page_has_every_section(site, web_engine, seed_id):
    story = web_engine.story(seed_id)
    html = site.get(f"/story/{seed_id}", params={"lang": "en"}).text
    for sentence in story["sentences"]:
        assert str(escape(sentence["text"])) in html
    for article in story["articles"]:
        assert f'href="/article/{article["id"]}"' in html
    assert '<svg class="chart"' in html and ("<circle" in html or '<rect class="bar' in html)
    for section in ("summary", "timeline", "coverage", "quotes", "sources", "entities", "articles"):
        assert f'<section id="{section}"' in html, section
    assert html.count('<td class="cell reported">') >= 4 and '<td class="cell omitted">' in html


def test_article_page_links_story_and_copies(site):
    copy = site.get("/article/clickid-copy").text
    assert "cermin.example" in copy and 'href="/story/' in copy
    original_id = re.search(r'href="/article/([^"]+)"', copy.split("Salinan dari")[1]).group(1)
    assert 'href="/article/clickid-copy"' in site.get(f"/article/{original_id}").text


def test_hostile_html_is_shown_as_text(site):
    for path in ("/article/xss-stored", "/article/xss-ingested", "/", "/find?q=awas+judul"):
        html = site.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html and "<b onmouseover" not in html, path
        assert 'href="javascript:' not in html, path
    stored = site.get("/article/xss-stored").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in stored
    assert "&lt;b onmouseover=&#34;window.__xss=4&#34;&gt;" in stored
    assert "javascript:window.__xss=6" in stored, "the URL is shown, but not as a link"


def test_unknown_and_malformed_ids_give_404_pages(site):
    for path in ("/story/999999", "/article/no-such-article", "/article/%2e%2e", "/story/.hidden"):
        response = site.get(path)
        assert response.status_code == 404, path
        assert "text/html" in response.headers["content-type"] and "Tidak ditemukan" in response.text
    assert site.get("/story/..%2F..%2Fetc").status_code == 404


def test_search_page_marks_matching_word_forms(site):
    html = site.get("/find", params={"q": "pembelian"}).text
    marked = re.findall(r"<mark>([^<]+)</mark>", html)
    assert marked and all("beli" in word.lower() for word in marked)
    assert any(word.lower() != "pembelian" for word in marked)


def test_story_page_degrades_without_analysis():
    """A story with only the listing fields renders: no timeline, coverage, quotes or entity sections."""
    story = {"id": "7", "headline": "Judul saja", "outlets": ["a.id"], "articles": [{"id": "x1", "outlet": "a.id", "title": "T"}]}
    html = templates.get_template("story.html").render(
        t=t_en, lang="en", lang_links=[], q="", story=story, colours={}, publications=None, events=None, undated=[], coverage=None
    )
    assert "Judul saja" in html and 'href="/article/x1"' in html
    assert 'id="coverage"' not in html and 'id="quotes"' not in html and "<svg" not in html


def test_publication_chart_places_outlets_in_time_order():
    story = {
        "outlets": ["a.id", "b.id", "c.id"],
        "publications": [
            {"outlet": "b.id", "published_at": "2022-09-06T10:00:00+07:00", "article": "b1"},
            {"outlet": "a.id", "published_at": "2022-09-06T08:00:00+07:00", "article": "a1"},
            {"outlet": "c.id", "published_at": "2022-09-07T00:00:00+07:00", "article": "c1"},
            {"outlet": "d.id", "published_at": None, "article": "d1"},
        ],
    }
    chart = views.publication_chart(story, t_en)
    assert [row[0] for row in chart.rows] == ["a.id", "b.id", "c.id"]
    a, b, c = sorted(chart.marks, key=lambda mark: mark.href)
    assert a.x < b.x < c.x and a.x2 is None and b.x2 is None
    assert c.x2 is not None and c.x2 > c.x, "a date without a time is drawn as the whole day"
    assert chart.plot_left <= a.x and c.x2 <= chart.plot_right
    assert views.undated_outlets(story) == ["d.id"]
    assert chart.ticks and all(chart.plot_left <= x <= chart.plot_right for x, _ in chart.ticks)


def test_events_chart_gives_each_event_a_row_and_span():
    story = {
        "publications": [{"outlet": "a.id", "published_at": "2022-09-06T08:00:00+07:00", "article": "a1"}],
        "timeline": [
            {"date": "2022-02-24", "precision": "day", "text": "invasi"},
            {"date": "2022-08-01", "precision": "month", "text": "Agustus lalu"},
        ],
    }
    chart = views.events_chart(story, t_en)
    assert [row[0] for row in chart.rows] == ["1. 24 Feb 2022", "2. Aug 2022"]
    day, month = chart.marks
    assert day.x < month.x and (month.x2 - month.x) > 20 * (day.x2 - day.x) / 4
    assert chart.band is not None and chart.band[0] > month.x
    assert views.events_chart({"timeline": []}, t_en) is None


def test_coverage_table_marks_unique_and_omitted_facts():
    story = {
        "outlets": ["a.id", "b.id", "c.id"],
        "coverage": {
            "facts": [
                {"id": "f1", "text": "shared", "outlets": ["a.id", "b.id"], "unique": False},
                {"id": "f2", "text": "only c", "outlets": ["c.id"], "unique": True},
            ],
            "by_outlet": {"c.id": {"unique": ["f2"], "omitted": ["f1"]}},
            "disagreements": [{"fact": "f1", "values": {"a.id": "5", "b.id": "6"}}],
        },
    }
    table = views.coverage_table(story)
    assert [row.cells for row in table.shared] == [["reported", "reported", "omitted"]]
    assert [row.cells for row in table.unique] == [["", "", "unique"]]
    assert table.counts == [(0, 0), (0, 0), (1, 1)]
    assert table.disagreements == [("shared", [("a.id", "5"), ("b.id", "6")])]
    assert views.coverage_table({"outlets": ["a.id"]}) is None


def test_only_web_addresses_become_links():
    assert views.safe_url("https://kompas.com/a") == "https://kompas.com/a"
    assert views.safe_url("javascript:alert(1)") is None and views.safe_url("data:text/html,x") is None


def test_every_interface_text_exists_in_both_languages():
    assert set(i18n.texts("id")) - {k for k in i18n.texts("id") if k.endswith("_one")} <= set(i18n.texts("en"))
    assert set(i18n.texts("en")) - {k for k in i18n.texts("en") if k.endswith("_one")} <= set(i18n.texts("id"))
    assert i18n.languages() == ("id", "en")
    assert t_en("n_articles", n=1) == "1 article" and t_en("n_articles", n=3) == "3 articles"


def test_a_merged_story_id_leads_to_the_story_it_joined(engine, seeds_dir):
    from kabar.web import create_app

    engine.ingest([seeds_dir])
    live = engine.stories()[0]["id"]
    with engine.store.transaction():
        engine.store.record_merge("old-1", "old-2", {"by": "test"})
        engine.store.record_merge("old-2", live, {"by": "test"})
    client = TestClient(create_app(engine), follow_redirects=False)
    response = client.get("/story/old-1")
    assert response.status_code == 307 and response.headers["location"] == f"/story/{live}"
    api = client.get("/stories/old-1")
    assert api.status_code == 404 and f"merged into story '{live}'" in api.json()["detail"]
