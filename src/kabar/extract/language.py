"""Language identification, offline (CLD2 via pycld2, which ships its model)."""

from __future__ import annotations

import pycld2

SAMPLE_CHARS = 800
"""Characters given to CLD2: enough for a confident answer on news prose (CLD2 time grows with the sample)."""


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language ("id", "en", "ms", …), or "" when unsure."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.strip()) < 20:
        return ""
    try:
        _reliable, _bytes, details = pycld2.detect(sample)
    except pycld2.error:
        sample = sample.encode("utf-8", "ignore").decode("utf-8", "ignore")
        try:
            _reliable, _bytes, details = pycld2.detect("".join(ch for ch in sample if ch.isprintable() or ch.isspace()))
        except pycld2.error:
            return ""
    code = details[0][1]
    if code == "un":
        return ""
    return code.split("-")[0]
