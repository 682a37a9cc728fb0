"""The REST API through FastAPI's test client: reading, filtering, search, ingest with its guards, and the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

import kabar
from kabar.web import ServeOptions, create_app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TOKEN = "s3cret-token"
EXAMPLES_PER_OPERATION = 25


@pytest.fixture(scope="module")
def api(web_engine) -> TestClient:
    return TestClient(create_app(web_engine))


@pytest.fixture(scope="module")
def seed_story(api) -> dict:
    listing = api.get("/stories", params={"q": "Korea Utara"}).json()
    return api.get(f"/stories/{listing['stories'][0]['id']}").json()


@pytest.fixture
def ingest_api(engine) -> TestClient:
    return TestClient(create_app(engine, ServeOptions(api_token=TOKEN, max_request_bytes=200_000, max_documents=5)))


def clickid_lines(start: int, count: int) -> list[str]:
    return (EXAMPLES / "clickid-2019-09-10.jsonl").read_text(encoding="utf-8").splitlines()[start : start + count]


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_health_reports_the_store_size(api, web_engine):
    body = api.get("/health").json()
    assert body["status"] == "ok"
    assert body["articles"] == web_engine.store.count_articles() == 48
    assert body["stories"] == web_engine.store.count_stories()


def test_story_list_pages_do_not_overlap(api):
    first = api.get("/stories", params={"limit": 5}).json()
    second = api.get("/stories", params={"limit": 5, "offset": 5}).json()
    assert first["total"] == second["total"] > 10
    assert len(first["stories"]) == len(second["stories"]) == 5
    assert not {s["id"] for s in first["stories"]} & {s["id"] for s in second["stories"]}


def test_text_query_finds_the_seed_story(api):
    body = api.get("/stories", params={"q": "Korea Utara"}).json()
    assert body["total"] >= 1
    top = body["stories"][0]
    assert "Korea Utara" in top["headline"]
    assert top["n_articles"] == 5 and {"medcom.id", "rmol.id", "inionline.id", "tribunkaltim.co"} <= set(top["outlets"])


def test_date_outlet_and_entity_filters(api, seed_story):
    since = api.get("/stories", params={"since": "2022-09-06"}).json()
    assert seed_story["id"] in {s["id"] for s in since["stories"]}
    assert all((s["last_published"] or "")[:10] >= "2022-09-06" for s in since["stories"])
    until = api.get("/stories", params={"until": "2019-12-31", "limit": 100}).json()
    assert seed_story["id"] not in {s["id"] for s in until["stories"]} and until["total"] > 0
    by_outlet = api.get("/stories", params={"outlet": "rmol.id"}).json()
    assert [s["id"] for s in by_outlet["stories"]] == [seed_story["id"]]
    by_alias = api.get("/stories", params={"entity": "Korut"}).json()
    assert seed_story["id"] in {s["id"] for s in by_alias["stories"]}
    big = api.get("/stories", params={"min_articles": 5, "limit": 100}).json()
    assert seed_story["id"] in {s["id"] for s in big["stories"]} and all(s["n_articles"] >= 5 for s in big["stories"])
    assert big["total"] < api.get("/stories").json()["total"]
    nothing = api.get("/stories", params={"entity": "Atlantis Raya"}).json()
    assert nothing == {"total": 0, "limit": 20, "offset": 0, "stories": []}


def test_story_holds_summary_articles_and_analysis(seed_story):
    assert len(seed_story["sentences"]) >= 3
    article_ids = {a["id"] for a in seed_story["articles"]}
    for sentence in seed_story["sentences"]:
        assert sentence["outlets"] and set(sentence["articles"]) <= article_ids
    assert seed_story["first_published"][:10] <= seed_story["last_published"][:10]


def test_article_shows_its_copies_and_what_it_copies(api):
    copy = api.get("/articles/clickid-copy").json()
    assert copy["duplicate_of"] and copy["outlet"] == "cermin.example"
    original = api.get(f"/articles/{copy['duplicate_of']}").json()
    assert "clickid-copy" in original["duplicates"]
    assert original["story_id"] == copy["story_id"]


def test_search_matches_indonesian_word_forms(api):
    body = api.get("/search", params={"q": "pembelian"}).json()
    assert body["total"] >= 3
    texts = [api.get(f"/articles/{hit['id']}").json()["text"].lower() for hit in body["hits"]]
    assert all(any(form in text for form in ("beli", "pembelian")) for text in texts)
    assert any("membeli" in text and "pembelian" not in text for text in texts), "stemming should find 'membeli' for 'pembelian'"


def test_search_lists_matching_stories_too(api, seed_story):
    body = api.get("/search", params={"q": "Korea Utara"}).json()
    assert body["stories_total"] >= 1 and body["stories"][0]["id"] == seed_story["id"]
    assert {hit["story_id"] for hit in body["hits"]} >= {seed_story["id"]}


def test_search_needs_words(api):
    assert api.get("/search").status_code == 422
    assert api.get("/search", params={"q": "yang dan"}).json()["total"] == 0


def test_outlets_are_counted(api):
    outlets = {row["outlet"]: row for row in api.get("/outlets").json()}
    assert outlets["medcom.id"]["n_articles"] == 1 and outlets["medcom.id"]["n_stories"] == 1
    assert sum(row["n_articles"] for row in outlets.values()) <= 48


@pytest.mark.parametrize("path", ["/stories/999999", "/articles/no-such-article"])
def test_unknown_ids_give_404(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert "no " in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/stories/..%2F..%2Fetc%2Fpasswd",
        "/articles/%2e%2e",
        "/articles/..%5C..%5Cpyproject.toml",
        "/articles/.env",
        "/static/..%2F..%2F..%2Fpyproject.toml",
        "/static/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
        "/story/..%2F..%2Fpyproject.toml",
        "/article/%2e%2e%2fkabar.css",
    ],
)
def test_path_traversal_is_refused(api, path):
    response = api.get(path)
    assert response.status_code in (404, 422)
    assert "[build-system]" not in response.text and "root:" not in response.text


def test_responses_carry_a_content_security_policy(api):
    policy = api.get("/health").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy


def test_ingest_is_off_without_a_token(api, web_engine):
    before = web_engine.store.count_articles()
    response = api.post("/articles", content=clickid_lines(100, 1)[0], headers={"Content-Type": "application/x-ndjson"})
    assert response.status_code == 403 and "--api-token" in response.json()["detail"]
    assert web_engine.store.count_articles() == before


@pytest.mark.parametrize("headers", [{}, auth("wrong"), {"Authorization": "Basic czNjcmV0"}])
def test_ingest_requires_the_token(ingest_api, engine, headers):
    response = ingest_api.post("/articles", content=clickid_lines(100, 1)[0], headers=headers)
    assert response.status_code in (401, 403)
    assert engine.store.count_articles() == 0


def test_ingest_jsonl_then_again(ingest_api, engine):
    body = "\n".join(clickid_lines(100, 3)) + "\n"
    headers = {**auth(), "Content-Type": "application/x-ndjson"}
    first = ingest_api.post("/articles", content=body, headers=headers)
    assert first.status_code == 200, first.text
    report = first.json()
    assert report["added"] == 3 and report["duplicates"] == 0
    assert [r["article_id"] for r in report["results"]] == [json.loads(line)["id"] for line in clickid_lines(100, 3)]
    assert all(r["story_id"] for r in report["results"])
    again = ingest_api.post("/articles", content=body, headers=headers).json()
    assert again["added"] == 0 and again["duplicates"] == 3
    assert engine.store.count_articles() == 3


def test_ingest_after_another_process_ingested_uses_its_state(ingest_api, engine, seeds_dir):
    with kabar.open(engine.store.path) as other:
        other.ingest([seeds_dir])
    seed = (seeds_dir / "001_007ef922b28a0a10.txt").read_text(encoding="utf-8")
    record = {"id": "copy-of-001", "outlet": "cermin.example", "text": seed.split("\n", 1)[1] + " Disalin ulang."}
    response = ingest_api.post(
        "/articles", content=json.dumps(record), headers={**auth(), "Content-Type": "application/x-ndjson"}
    )
    assert response.json()["results"][0]["status"] in ("near-duplicate", "duplicate"), response.json()
    assert response.json()["results"][0]["story_id"] == next(iter(engine.store.story_rows()))["story_id"]


def test_ingest_a_json_array(ingest_api, engine):
    records = [json.loads(line) for line in clickid_lines(200, 2)]
    response = ingest_api.post("/articles", json=records, headers=auth())
    assert response.status_code == 200 and response.json()["added"] == 2
    bad = ingest_api.post("/articles", json=[records[0], {"title": "no body"}, 3], headers=auth())
    assert bad.status_code == 422 and [p.split(":")[0] for p in bad.json()["problems"]] == ["request[2]", "request[3]"]
    assert engine.store.count_articles() == 2


def test_bad_line_rejects_the_whole_request(ingest_api, engine):
    body = clickid_lines(100, 1)[0] + "\n{not json\n" + json.dumps({"title": "no body"}) + "\n"
    response = ingest_api.post("/articles", content=body, headers={**auth(), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert len(problems) == 2 and problems[0].startswith("request:2:") and problems[1].startswith("request:3:")
    assert engine.store.count_articles() == 0


def test_records_of_odd_shapes_get_a_4xx_never_a_5xx(ingest_api, engine):
    text = "Paragraf berita yang cukup panjang tentang banjir di Jakarta hari ini. " * 4
    for odd in ({"outlet": []}, {"outlet": 3}, {"published": {"x": 1}}, {"lang": [1]}, {"title": 7}, {"id": {"a": 1}}):
        response = ingest_api.post("/articles", content=json.dumps({"text": text, **odd}), headers=auth())
        assert response.status_code in (200, 422), (odd, response.text)


def test_ingest_limits(ingest_api, engine):
    too_many = "\n".join(clickid_lines(100, 6))
    response = ingest_api.post("/articles", content=too_many, headers={**auth(), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 413 and "6 documents" in response.json()["detail"]
    too_big = ingest_api.post("/articles", content=b"x" * 200_001, headers=auth())
    assert too_big.status_code == 413 and "byte limit" in too_big.json()["detail"]
    assert engine.store.count_articles() == 0


def test_ingest_uploaded_files(ingest_api, engine):
    seed = EXAMPLES / "seeds" / "001_007ef922b28a0a10.txt"
    files = [("files", ("../../seed.txt", seed.read_bytes(), "text/plain"))]
    response = ingest_api.post("/articles", files=files, headers=auth())
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 1
    assert next(engine.store.articles()).source == "upload:seed.txt"
    warc = ingest_api.post("/articles", files=[("files", ("crawl.warc", b"WARC/1.0\r\n", "application/warc"))], headers=auth())
    assert warc.status_code == 415


def test_openapi_schema_describes_the_api(api):
    schema = api.get("/openapi.json").json()
    assert {"/stories", "/stories/{story_id}", "/articles/{article_id}", "/search", "/outlets", "/health", "/articles"} <= set(
        schema["paths"]
    )
    assert "/story/{story_id}" not in schema["paths"], "web pages stay out of the API schema"
    assert "404" in schema["paths"]["/stories/{story_id}"]["get"]["responses"]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_schema(engine, seeds_dir, mode):
    """Schemathesis requests, made from the OpenAPI schema (valid ones, then invalid ones), get documented
    status codes, content types and bodies, and never a 5xx; run in-process against the ASGI app with ingest on."""
    engine.ingest([seeds_dir])
    app = create_app(engine, ServeOptions(api_token=TOKEN, max_request_bytes=50_000, max_documents=5))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 7
    if mode == GenerationMode.NEGATIVE:
        operations = [op for op in operations if len(op.path_parameters) or len(op.query) or len(op.body)]

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def conforms(case) -> None:
            case.call_and_validate(headers=auth(), checks=checks)

        conforms()


def test_deep_json_and_lone_surrogates_are_answered_not_crashed_on(ingest_api, engine):
    deep = "[" * 100_000 + "]" * 100_000
    response = ingest_api.post("/articles", content=deep, headers={**auth(), "Content-Type": "application/json"})
    assert response.status_code == 422 and "nested too deeply" in response.json()["problems"][0]
    record = json.loads(clickid_lines(100, 1)[0])
    record["title"] += " \ud800"
    body = json.dumps(record)  # the surrogate travels as a \u escape, as JSON allows
    response = ingest_api.post("/articles", content=body, headers={**auth(), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 200 and response.json()["added"] == 1
    assert engine.store.article(response.json()["results"][0]["article_id"]).title.endswith("\ufffd")
