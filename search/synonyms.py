"""Local-government synonyms and acronyms applied when the query is built.

The test node (and any server-core Elasticsearch) has no synonym filter, so the query builder
rewrites the user's words instead: a term or phrase from ``synonyms.txt`` becomes an OR-group of
the whole synonym group, in ``simple_query_string`` syntax. ``ASB noise`` becomes
``(ASB | "anti-social behaviour" | …) noise``. This works on every cluster, needs no re-indexing
when the list changes, and keeps phrases intact. Quoted phrases are expanded only when the whole
phrase is a synonym; exclusions (``-ASB``) exclude the whole group.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")
WORD = re.compile(r"\w+(?:&\w+)?")
TOKEN = re.compile(r'"[^"]*"|\w+(?:&\w+)?|[^\w"]+|"', re.UNICODE)


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in WORD.findall(text))


@lru_cache(maxsize=4)
def load_groups(path: Path = SYNONYMS_FILE) -> tuple[dict[tuple[str, ...], tuple[str, ...]], int]:
    """term words → the group's terms, and the longest term in words."""
    groups: dict[tuple[str, ...], tuple[str, ...]] = {}
    longest = 1
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        terms = tuple(t.strip() for t in line.split(",") if t.strip())
        for term in terms:
            key = _words(term)
            if key:
                groups.setdefault(key, terms)
                longest = max(longest, len(key))
    return groups, longest


def _group_query(terms: tuple[str, ...]) -> str:
    parts = [t if len(_words(t)) == 1 and "&" not in t else f'"{t}"' for t in terms]
    return "(" + " | ".join(parts) + ")"


def expand(query: str, path: Path = SYNONYMS_FILE) -> str:
    """``query`` with every synonym term replaced by its group (simple_query_string syntax)."""
    groups, longest = load_groups(path)
    tokens = TOKEN.findall(query)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith('"') and len(token) > 1 and token.endswith('"'):
            terms = groups.get(_words(token))
            out.append(_group_query(terms) if terms else token)
            i += 1
            continue
        if not WORD.fullmatch(token):
            out.append(token)
            i += 1
            continue
        # longest run of words (joined by spaces or hyphens only) that is a synonym term
        match_end, match_terms = None, None
        words: list[str] = []
        j = i
        while j < len(tokens) and len(words) < longest:
            if not WORD.fullmatch(tokens[j]):
                break
            words.append(tokens[j].lower())
            if tuple(words) in groups:
                match_end, match_terms = j, groups[tuple(words)]
            if (
                j + 1 < len(tokens)
                and re.fullmatch(r"[ \t-]+", tokens[j + 1])
                and not tokens[j + 1].endswith(" -")
            ):
                j += 2
            else:
                break
        if match_end is not None and match_terms is not None:  # (set together)
            out.append(_group_query(match_terms))
            i = match_end + 1
        else:
            out.append(token)
            i += 1
    return "".join(out)
