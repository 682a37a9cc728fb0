"""Language identification, offline (CLD2 via pycld2, which ships its model)."""

from __future__ import annotations

import pycld2

SUPPORTED = {"id", "en", "ms"}


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language ("id", "en", "ms", …), or "" when unsure."""
    sample = text[:4000]
    if len(sample.strip()) < 20:
        return ""
    try:
        reliable, _bytes, details = pycld2.detect(sample)
    except pycld2.error:
        sample = sample.encode("utf-8", "ignore").decode("utf-8", "ignore")
        try:
            reliable, _bytes, details = pycld2.detect("".join(ch for ch in sample if ch.isprintable() or ch.isspace()))
        except pycld2.error:
            return ""
    code = details[0][1]
    if code == "un":
        return ""
    return code.split("-")[0]
