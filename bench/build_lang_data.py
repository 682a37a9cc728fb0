"""Build the shipped clustering language data: Indonesian stem table and document-frequency priors.

    pip install -e ".[lang-data]"
    python bench/build_lang_data.py ../shared/data/clickid/articles.jsonl --ecbplus ../shared/eval/ecbplus/train.jsonl \
        --stem-corpora ../shared/data/indosum-dev/indosum_devfolds_unique.jsonl --wordfreq

- ``lang/id/stems.tsv``: word → PySastrawi stem for every word of the ``--stem-corpora`` (whole texts)
  and, with ``--wordfreq``, of wordfreq's Indonesian word list, so ingest looks stems up instead of
  running the stemmer (about 0.2 ms a word it does not know, names mostly); words not in it are still
  stemmed, once each. CLICK-ID stays out of it: the throughput benchmark ingests CLICK-ID, and a table
  holding every word of it would measure a warm cache that no new stream has.
- ``lang/id/df.tsv``, ``lang/en/df.tsv``: document frequencies of clustering terms, so the first
  articles of a new store get sane IDF weights. CLICK-ID articles of 2019-09-16/17 (the days of the
  clickid-dev evaluation set) are left out; English comes from the ECB+ train split.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from kabar import lang
from kabar.features import BODY_CHARS
from kabar.sastrawi import stemmer as sastrawi_stemmer
from kabar.textproc import terms

LANG_DIR = Path(lang.__file__).parent
EVAL_DAYS = ("2019-09-16", "2019-09-17")
MIN_DF = 3
"""Terms rarer than this carry no prior: an unseen term already gets the highest IDF."""
WORD = re.compile(r"[^\W\d_]{3,}")


def texts(path: str, whole: bool = False) -> list[str]:
    """Title and lead of every article of a JSONL corpus with the eval days left out; or, ``whole``, every full text."""
    out = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if whole:
                out.append(f"{row.get('title') or ''}\n{row.get('text') or ''}")
            elif str(row.get("published", ""))[:10] not in EVAL_DAYS:
                out.append(f"{row.get('title') or ''}\n{(row.get('text') or '')[:BODY_CHARS]}")
    return out


def write_stems(corpus: list[str], extra_words: list[str]) -> None:
    """Stem every distinct word of the corpus and of ``extra_words`` once (a word the stemmer leaves alone is kept
    too: looking it up is what saves the time)."""
    stop = lang.words("id", "stopwords.txt")
    words = {w for text in corpus for w in WORD.findall(text.lower())} | {w for w in extra_words if WORD.fullmatch(w)}
    vocabulary = sorted(words - stop)
    stemmer = sastrawi_stemmer()
    rows = [f"{word}\t{stem}" if (stem := stemmer.stem(word) or word) != word else word for word in vocabulary]
    header = "# word and its PySastrawi stem; a word alone is its own stem (built by bench/build_lang_data.py)\n"
    (LANG_DIR / "id" / "stems.tsv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"id stems: {len(rows)} words")


def write_df(corpus: list[str], language: str) -> None:
    """Document frequency of each clustering term over the corpus."""
    df: Counter[str] = Counter()
    for text in corpus:
        df.update(set(terms(text, language)))
    rows = [f"{term}\t{n}" for term, n in sorted(df.items(), key=lambda kv: (-kv[1], kv[0])) if n >= MIN_DF]
    header = f"# term\tdocument frequency (built by bench/build_lang_data.py)\n__documents__\t{len(corpus)}\n"
    (LANG_DIR / language / "df.tsv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{language} df: {len(rows)} terms over {len(corpus)} documents")


def main() -> None:
    """Build stems.tsv and df.tsv files from the given corpora."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("indonesian", help="Indonesian JSONL corpus (title, text, published) for the IDF prior")
    parser.add_argument("--ecbplus", required=True, help="ECB+ train JSONL for the English prior")
    parser.add_argument("--stem-corpora", nargs="+", default=[], help="Indonesian JSONL corpora whose words the stem table holds")
    parser.add_argument("--wordfreq", action="store_true", help="add wordfreq's Indonesian word list to the stem table")
    parser.add_argument("--skip-stems", action="store_true", help="keep the existing stem table")
    args = parser.parse_args()
    if not args.skip_stems:
        extra_words = []
        if args.wordfreq:
            import wordfreq  # only to build the table: pip install -e ".[lang-data]"

            extra_words = wordfreq.top_n_list("id", 10**6)
        write_stems([text for path in args.stem_corpora for text in texts(path, whole=True)], extra_words)
        lang.table.cache_clear()
    write_df(texts(args.indonesian), "id")
    write_df(texts(args.ecbplus), "en")


if __name__ == "__main__":
    main()
