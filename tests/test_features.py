"""Clustering features: TF-IDF vectors under the shipped prior, names, numbers, years, days."""

from __future__ import annotations

import math

from kabar.cluster import StoryClusterer
from kabar.features import VECTOR_TERMS, StreamWeights, article_features, day_number, idf
from kabar.model import Article


def _article(title: str, text: str, published: str | None = "2019-09-16", language: str = "id") -> Article:
    return Article(id="a", title=title, text=text, published_at=published, language=language)


KPK = _article(
    "DPR Sahkan Revisi UU KPK dalam Rapat Paripurna",
    "Menurut Fahri Hamzah, Dewan Perwakilan Rakyat mengesahkan revisi Undang-Undang KPK pada Selasa (17/9/2019). "
    "Sebanyak 289 anggota hadir. Ketua KPK Agus Rahardjo menyesalkan keputusan itu pada tahun 2019.",
)


def test_weighed_vectors_are_unit_length_and_heaviest_first():
    features = StoryClusterer().observe(article_features(KPK))
    for vector in (features.vector, features.title):
        assert math.isclose(sum(w * w for w in vector.values()), 1.0)
        weights = list(vector.values())
        assert weights == sorted(weights, reverse=True)
    assert len(features.vector) <= VECTOR_TERMS


def test_stream_weights_count_each_article_once_and_give_up_their_changes_by_the_batch():
    weights = StreamWeights()
    first = article_features(KPK)
    weighed = weights.observe(first)
    assert weighed.vector and not weighed.counts and not weighed.mention_counts  # the raw counts stay behind
    assert weights.documents == 1 and weights.document_frequency["kpk"] == 1
    assert weights.take_changes() == {term: 1 for term in [*first.counts, *first.mention_counts]}
    weights.observe(article_features(_article("KPK Menolak Revisi", "Pimpinan KPK menolak revisi itu, Rabu.")))
    changed = weights.take_changes()
    assert changed["kpk"] == 2 and changed["tolak"] == 1 and "sesal" not in changed  # only what the second article had
    assert weights.take_changes() == {}
    assert weights.take_changes(all_frequencies=True) == dict(weights.document_frequency)


def test_words_are_stemmed_and_title_words_count_most():
    features = article_features(KPK)
    assert features.counts["sesal"] == 1  # "menyesalkan"
    assert features.title_counts["kpk"] == 1
    assert features.counts["kpk"] > features.counts["hadir"]
    assert "yang" not in features.counts and "289" not in features.counts


def test_names_drop_leading_function_words_and_are_weighed_by_rarity():
    names = article_features(KPK).names
    assert "fahri hamzah" in names and "menurut fahri hamzah" not in names
    assert "ketua kpk agus rahardjo" in names
    assert names["fahri hamzah"] > names["dewan perwakilan rakyat"]


def test_numbers_skip_dates_and_years_which_are_kept_apart():
    features = article_features(KPK)
    assert "289" in features.numbers
    assert not {"17", "9", "2019"} & features.numbers
    assert features.years == frozenset({"2019"})


def test_rare_terms_weigh_more_than_common_ones_and_unseen_terms_most():
    assert idf("kpk", "id") > idf("presiden", "id")
    assert idf("zzqqxy", "id") >= idf("kpk", "id")
    assert idf("earthquak", "en") > idf("polic", "en")


def test_features_depend_only_on_the_article():
    assert article_features(KPK) == article_features(KPK)


def test_day_numbers_of_dates_and_missing_dates():
    assert day_number("2019-09-17") - day_number("2019-09-16") == 1.0
    assert day_number(None) is None and day_number("kemarin") is None


def test_english_articles_use_english_stopwords_and_stems():
    article = _article("Earthquakes strike the coast", "Two earthquakes struck the coast of Chile.", None, "en")
    features = article_features(article)
    assert features.title_counts["earthquak"] == 1 and "the" not in features.counts
    assert features.counts["strik"] == 3  # title "strike" (x3) and body "struck" is irregular
    assert features.language == "en" and features.day is None


def test_mentions_are_the_words_of_names_and_the_numbers_without_function_words():
    mentions = article_features(KPK).mention_counts
    assert mentions["@fahri"] == 1 and mentions["@hamzah"] == 1 and mentions["@289"] == 1
    assert mentions["@kpk"] >= 3, "title and body mentions both count"
    assert "@menurut" not in mentions and "@mengesahkan" not in mentions


def test_two_events_of_one_topic_share_words_but_not_mentions():
    """Two earthquakes: the same vocabulary, different places and figures; the mention vectors tell them apart."""
    clusterer = StoryClusterer()
    lombok = clusterer.observe(
        article_features(
            _article(
                "Gempa Magnitudo 7 Guncang Lombok",
                "Gempa bumi berkekuatan magnitudo 7 mengguncang Lombok Utara. BMKG mencatat 98 korban jiwa di Mataram.",
            )
        )
    )
    palu = clusterer.observe(
        article_features(
            _article(
                "Gempa Magnitudo 7,4 Guncang Palu",
                "Gempa bumi berkekuatan magnitudo 7,4 mengguncang Palu dan Donggala. BMKG mencatat 832 korban jiwa.",
            )
        )
    )
    words = sum(w * palu.vector.get(t, 0.0) for t, w in lombok.vector.items())
    mentions = sum(w * palu.mentions.get(t, 0.0) for t, w in lombok.mentions.items())
    assert math.isclose(sum(w * w for w in lombok.mentions.values()), 1.0)
    assert mentions < 0.6 * words, "title-case headline words are mentions too, so the topic still shows a little"
