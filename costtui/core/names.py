"""How dimension values are named for people: token types, short descriptions, folded text."""

from __future__ import annotations

import unicodedata

TOKEN_TYPE_LABELS: dict[str, str] = {
    "uncached_input_tokens": "Input",
    "output_tokens": "Output",
    "cache_read_input_tokens": "Cache read",
    "cache_creation.ephemeral_5m_input_tokens": "Cache write 5m",
    "cache_creation.ephemeral_1h_input_tokens": "Cache write 1h",
}
"""Human labels of the API's token_type values; exports keep the API values."""

DESCRIPTION_MODEL_SEPARATOR = " Usage - "
"""What separates the model name from the rest in a token description."""


def token_type_label(token_type: str) -> str:
    """Return the human label of a token type, or the API value for one not known yet."""
    return TOKEN_TYPE_LABELS.get(token_type, token_type)


def short_description(description: str) -> str:
    """Return a description without its model prefix ("Input Tokens, Batch").

    Used once the model is already named in the breadcrumb; other descriptions stay whole.
    """
    _, separator, rest = description.partition(DESCRIPTION_MODEL_SEPARATOR)
    return rest if separator and rest else description


def fold(text: str) -> str:
    """Return text folded for matching: case and accents ignored ("Modèles" → "modeles")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def matches(needle: str, *haystacks: str) -> bool:
    """Tell whether the folded needle is in any of the folded haystacks (empty matches all)."""
    wanted = fold(needle.strip())
    return not wanted or any(wanted in fold(haystack) for haystack in haystacks)
