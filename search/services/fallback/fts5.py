"""The database search's engine on SQLite: an in-memory FTS5 table (Porter stemmer, BM25).

The candidates' documents go into the table, searched with the Elasticsearch path's field boosts;
the query is built from words only (``synonyms.terms``), so nothing a person types reaches FTS5 as
syntax. "Did you mean" picks close words (``difflib``) from the titles and tags the searcher may see.
"""

from __future__ import annotations

import difflib
import sqlite3

from hub.floor.actor import Actor
from search import synonyms
from search.services.fallback.text import CLOSE, OPEN, SNIPPET_WORDS, searchable
from search.services.fallback.visible import TITLE_FIELDS, visible_querysets, visible_tag_names

NAME = "SQLite FTS5 (Porter)"
CREATE_TABLE = (
    "CREATE VIRTUAL TABLE docs USING fts5(title, tags, service_areas, places, summary, body, "
    "tokenize='porter unicode61 remove_diacritics 2')"
)
INSERT = (
    "INSERT INTO docs (rowid, title, tags, service_areas, places, summary, body) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
# bm25's weights: ``text.BOOSTS``, column by column
RANK = "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 4.0, 3.0, 3.0, 3.0, 2.0, 1.0)"
MARKS = (
    "SELECT rowid, highlight(docs, 0, ?, ?), snippet(docs, 5, ?, ?, ' … ', ?), "
    "snippet(docs, 4, ?, ?, ' … ', ?) FROM docs WHERE docs MATCH ?"
)


def _phrase(words: tuple[str, ...]) -> str:
    return '"' + " ".join(w.replace('"', "") for w in words) + '"'


def match_expression(terms: list[synonyms.Term]) -> str:
    """An FTS5 query of quoted words only: every positive term, none of the negated ones."""

    def group(term: synonyms.Term) -> str:
        return "(" + " OR ".join(_phrase(a) for a in term.alternatives) + ")"

    positive = " AND ".join(group(t) for t in terms if not t.negated)
    negative = "".join(f" NOT {group(t)}" for t in terms if t.negated)
    return positive + negative


def _table(docs: list[dict]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(CREATE_TABLE)
    db.executemany(INSERT, [(i, *searchable(doc)) for i, doc in enumerate(docs)])
    return db


def rank(docs: list[dict], terms: list[synonyms.Term]) -> list[int]:
    """Positions in ``docs`` of the documents matching ``terms``, best first."""
    db = _table(docs)
    try:
        return [row[0] for row in db.execute(RANK, (match_expression(terms),))]
    finally:
        db.close()


def marks(docs: list[dict], terms: list[synonyms.Term]) -> list[tuple[str, str, str]]:
    """(title, body passage, summary passage) of each document, matches between the markers."""
    db = _table(docs)
    try:
        markers = (OPEN, CLOSE, OPEN, CLOSE, SNIPPET_WORDS, OPEN, CLOSE, SNIPPET_WORDS)
        rows = db.execute(MARKS, (*markers, match_expression(terms))).fetchall()
    finally:
        db.close()
    found = {rowid: (title, body, summary) for rowid, title, body, summary in rows}
    return [found.get(i, (doc.get("title") or "", "", "")) for i, doc in enumerate(docs)]


def _vocabulary(user: Actor) -> set[str]:
    """Words of the titles and tags ``user`` may see (never of what they may not)."""
    visible = visible_querysets(user)
    texts: list[str] = []
    for name, field in TITLE_FIELDS.items():
        texts += visible[name].values_list(field, flat=True)[:5000]
    texts += visible_tag_names(user, "")
    return {w for text in texts for w in synonyms.WORD.findall(text.lower()) if len(w) > 2}


def corrections(user: Actor, words: list[str]) -> dict[str, str]:
    """For each of ``words`` (lower case) not in what ``user`` may see, the closest word that is."""
    vocabulary = _vocabulary(user)
    out = {}
    for word in words:
        if word in vocabulary:
            continue
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.75)
        if close:
            out[word] = close[0]
    return out
