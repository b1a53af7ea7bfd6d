"""查重: the trigram similarity of two texts exactly as PostgreSQL's pg_trgm `similarity()` defines it, for
SQLite (the embedded `make run` database), where it is registered as the SQL function `similarity` so that
the same query runs on both databases (kejiju.integrity.selectors).

pg_trgm (contrib/pg_trgm/trgm_op.c): the text is lower-cased and split into words (runs of alphanumeric
characters; everything else separates words); each word is padded with two spaces in front and one
behind, and every run of three consecutive characters of the padded word is a trigram. The similarity of
two texts is the number of distinct trigrams they share divided by the number of distinct trigrams of
either: |A ∩ B| / |A ∪ B|, 0 when neither has any. PostgreSQL returns a `real` (float4); compare with a
tolerance. (pg_trgm stores a trigram of multibyte characters as a 3-byte CRC of it, so two different
trigrams may collide there; this module compares the characters themselves.)

tests/integrity/test_duplicates.py checks this against PostgreSQL's own function on Chinese and mixed
texts."""

from __future__ import annotations

import re
from functools import lru_cache

# A word: a run of characters that are letters or digits (pg_trgm's ISWORDCHR is t_isalnum; in a UTF-8
# locale that includes CJK characters). `[^\W_]` is "alphanumeric" in Python's Unicode sense.
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=2048)
def trigrams(text: str | None) -> frozenset[str]:
    """The distinct trigrams of `text`, as pg_trgm's show_trgm() lists them (uncompressed)."""
    found: set[str] = set()
    for word in _WORD.findall((text or "").lower()):
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(found)


def similarity(left: str | None, right: str | None) -> float:
    """pg_trgm's similarity(left, right): shared distinct trigrams over all distinct trigrams, 0..1."""
    a, b = trigrams(left), trigrams(right)
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def register_sqlite_similarity(sender, connection, **kwargs) -> None:
    """connection_created receiver: give an SQLite connection the SQL function `similarity(a, b)`, so
    that the queries written for pg_trgm run there too."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function("similarity", 2, similarity, deterministic=True)
