"""Markdown written by members, rendered to HTML that cannot run anything.

CommonMark with tables (code blocks, lists, quotes come with CommonMark); raw HTML is off and
the output is sanitised by nh3 all the same. ``@first-last`` mentions render as a highlighted
name and are found by :func:`extract_mentions` (never inside code). The stored HTML is the same for
every reader; :func:`link_mentions` turns mentions into profile links for one reader when shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

MENTION = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,79}")
# What _render_mention writes (raw HTML is off, so members cannot type it themselves).
RENDERED_MENTION = re.compile(r'<span class="mention">@([a-z0-9-]+)</span>')


def _mention_rule(state, silent: bool) -> bool:
    """``@handle`` not preceded by a letter or digit (so e-mail addresses are left alone)."""
    pos = state.pos
    if state.src[pos] != "@" or (
        pos > 0 and (state.src[pos - 1].isalnum() or state.src[pos - 1] in "._-")
    ):
        return False
    match = MENTION.match(state.src, pos + 1)
    if not match:
        return False
    if not silent:
        token = state.push("mention", "", 0)
        token.content = match.group(0).rstrip("-").lower()
    state.pos = pos + 1 + len(match.group(0).rstrip("-"))
    return True


def _render_mention(self, tokens, idx, options, env) -> str:
    return f'<span class="mention">@{escapeHtml(tokens[idx].content)}</span>'


_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)
_parser.inline.ruler.push("mention", _mention_rule)
_parser.add_render_rule("mention", _render_mention)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6", "hr", "i",
    "li", "ol", "p", "pre", "span", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
ALLOWED_CLASSES = {"span": {"mention"}}


def render_markdown(text: str) -> SafeString:
    """Safe HTML for ``text``: CommonMark with tables, raw HTML off, sanitised by nh3.

    Links get ``rel="nofollow ugc"``; only http(s) and mailto URLs survive.
    """
    html = _parser.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


def extract_mentions(text: str) -> list[str]:
    """The distinct ``@handles`` in ``text``, in order, outside code spans and blocks."""
    found: list[str] = []
    for block in _parser.parse(text or ""):
        for token in block.children or ():
            if token.type == "mention" and token.content not in found:
                found.append(token.content)
    return found


def mentions_in_html(html: str) -> set[str]:
    """The ``@handles`` mentioned in HTML from :func:`render_markdown`."""
    return set(RENDERED_MENTION.findall(html or ""))


def link_mentions(html: str, links: Mapping[str, str]) -> SafeString:
    """``html`` from :func:`render_markdown` with each mention whose handle is in ``links`` made a link
    to that address; other mentions stay highlighted text."""

    def link(match: re.Match) -> str:
        url = links.get(match.group(1))
        if url is None:
            return match.group(0)
        return f'<a class="mention" href="{escape(url)}">@{escape(match.group(1))}</a>'

    return mark_safe(RENDERED_MENTION.sub(link, html or ""))  # noqa: S308 - sanitised HTML, escaped additions
