"""Tokens and stems: kabar's guarded PySastrawi gives PySastrawi's own stems."""

from __future__ import annotations

import json
from pathlib import Path

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from kabar.textproc import _sastrawi, hash_words, stem_id

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _example_words() -> list[str]:
    """Every distinct word of the bundled Indonesian articles: news words, names, numbers and scraping debris."""
    texts = [path.read_text(encoding="utf-8") for path in sorted((EXAMPLES / "seeds").iterdir())]
    with open(EXAMPLES / "clickid-2019-09-10.jsonl", encoding="utf-8") as handle:
        texts += [f"{row['title']}\n{row['text']}" for row in map(json.loads, handle)]
    return sorted({word for text in texts for word in hash_words(text)})


def test_guarded_prefix_rules_give_pysastrawi_s_own_stems():
    words = _example_words()
    stock = StemmerFactory().create_stemmer()
    differ = [(word, stock.stem(word), _sastrawi().stem(word)) for word in words if stock.stem(word) != _sastrawi().stem(word)]
    assert len(words) > 5000
    assert differ == []


def test_affixed_words_share_a_stem_and_unknown_names_stay_whole():
    assert stem_id("mempengaruhi") == stem_id("pengaruh") == "pengaruh"
    assert stem_id("pembelian") == stem_id("membeli") == "beli"
    assert stem_id("kebakaran") == stem_id("terbakar") == "bakar"
    assert stem_id("abqaiq") == "abqaiq"
