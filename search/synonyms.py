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
from dataclasses import dataclass
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


# -- the same list for the database search ---------------------------------------------------------

PLAIN_TOKEN = re.compile(
    r'(?P<neg>(?:^|(?<=[\s(]))-)?(?:"(?P<phrase>[^"]*)"?|(?P<word>\w+(?:&\w+)?))', re.UNICODE
)


@dataclass(frozen=True)
class Term:
    """One thing to look for: any of ``alternatives`` (each a phrase, as words); or, negated, none."""

    alternatives: tuple[tuple[str, ...], ...]
    negated: bool = False


def terms(query: str, path: Path = SYNONYMS_FILE) -> list[Term]:
    """``query`` as terms, synonyms expanded, with only words left in them: whatever the user typed
    (unbalanced quotes, brackets, ``*``, ``:``), nothing of it reaches a search engine as syntax.
    Quoted phrases, ``-word``, ``NOT word`` and ``a OR b`` keep their meaning."""
    groups, longest = load_groups(path)
    raw: list[tuple[tuple[str, ...], bool, bool]] = []  # (words, negated, quoted)
    negate_next = False
    for match in PLAIN_TOKEN.finditer(query):
        word = match.group("word")
        if word in ("AND", "NOT", "OR") and not match.group("neg"):
            if word == "NOT":
                negate_next = True
            elif word == "OR":
                raw.append(((), False, False))  # a marker: join the neighbours
            continue
        words = _words(match.group("phrase") or "") if word is None else (word.lower(),)
        if words:
            raw.append((words, bool(match.group("neg")) or negate_next, word is None))
        negate_next = False
    out: list[Term] = []
    join_next = False
    i = 0
    while i < len(raw):
        words, negated, quoted = raw[i]
        if not words:
            join_next = bool(out)
            i += 1
            continue
        alternatives: tuple[tuple[str, ...], ...] = (words,)
        step = 1
        if quoted:
            if words in groups:
                alternatives = tuple(_words(t) for t in groups[words])
        else:  # the longest run of plain words that is a synonym term
            for size in range(min(longest, len(raw) - i), 0, -1):
                run = raw[i : i + size]
                if any(q or n != negated or not w for w, n, q in run):
                    continue
                key = tuple(w for ws, _, _ in run for w in ws)
                if key in groups:
                    alternatives, step = tuple(_words(t) for t in groups[key]), size
                    break
        term = Term(tuple(dict.fromkeys(a for a in alternatives if a)), negated)
        if join_next and out and not negated and not out[-1].negated:
            out[-1] = Term(tuple(dict.fromkeys(out[-1].alternatives + term.alternatives)))
        else:
            out.append(term)
        join_next = False
        i += step
    return out
