"""Members' Markdown renders what they meant and nothing that can run."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from communities.markdown import ALLOWED_TAGS, extract_mentions, link_mentions, render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![img](javascript:alert(1))",
    "<svg onload=alert(1)><circle/></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    "<object data=x></object><embed src=x>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{display:none}</style>",
    "<form action=https://evil.example><input name=p></form>",
    '<p onclick="alert(1)">click</p>',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "<a href='x' onmouseover='alert(1)'>x</a>",
    '"><img src=x onerror=alert(1)>',
    "<!--<img src=x onerror=alert(1)>-->",
    "<meta http-equiv=refresh content=0;url=https://evil.example>",
    "<base href=https://evil.example>",
    '[x](https://example.org "title" onclick=alert(1))',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "[x](&#106;avascript:alert(1))",
    "<details open ontoggle=alert(1)>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "> <script>alert(1)</script>",
    "@<script>alert(1)</script>",
    "<broken <b>unclosed <i>tags",
]


class ElementAudit(HTMLParser):
    """Every element and attribute the browser would build from the HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


LINKED = {"pat-public": "/members/7/", "script": "/members/8/"}


@pytest.mark.parametrize("linked", [False, True], ids=["as-stored", "mentions-linked"])
@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_input_renders_inert(source, linked):
    html = render_markdown(f"{source}\n\n@pat-public")
    if linked:
        html = link_mentions(html, LINKED)
        assert '<a class="mention" href="/members/7/">@pat-public</a>' in html
    audit = ElementAudit()
    audit.feed(html)
    for tag, attrs in audit.elements:
        assert tag in ALLOWED_TAGS, tag
        assert not [name for name in attrs if name.startswith("on") or name in {"style", "src"}], (
            attrs
        )
        if tag == "a" and attrs.get("class") == "mention":  # a profile link added for the reader
            assert attrs["href"] in LINKED.values(), attrs
        elif "href" in attrs:
            assert urlsplit(attrs["href"].strip()).scheme.lower() in {"http", "https", "mailto"}, (
                attrs
            )
            assert attrs["rel"] == "nofollow ugc"


def test_links_get_nofollow_ugc_and_safe_schemes_survive():
    html = render_markdown(
        "[a](https://example.org) [b](mailto:x@example.org) <https://auto.example>"
    )
    assert html.count('rel="nofollow ugc"') == 3


def test_code_lists_tables_quotes():
    html = render_markdown("```\nx < 1\n```\n\n1. one\n2. two\n\n> quote\n\n| h |\n|---|\n| c |")
    for fragment in (
        "<pre><code>x &lt; 1",
        "<ol>",
        "<li>one</li>",
        "<blockquote>",
        "<table>",
        "<td>c</td>",
    ):
        assert fragment in html


def test_mentions_are_found_outside_code_and_not_in_email_addresses():
    text = "Ask @rachel-green or @Tom-Hughes, not a@b.example, `@in-code`\n\n    @indented-code"
    assert extract_mentions(text) == ["rachel-green", "tom-hughes"]
    assert '<span class="mention">@rachel-green</span>' in render_markdown(text)


def test_raw_html_is_shown_as_text_not_built():
    audit = ElementAudit()
    audit.feed(render_markdown('<span class="evil">x</span>'))
    assert audit.elements == [("p", {})]


def test_mentions_link_only_where_told_and_escape_the_address():
    html = render_markdown("Ask @pat-public, @pri-private and `@pat-public`")

    linked = link_mentions(html, {"pat-public": '/members/1/"><script>alert(1)</script>'})

    assert linked.count("<a ") == 1 and "<script>" not in linked
    assert 'href="/members/1/&quot;&gt;&lt;script&gt;' in linked
    assert '<span class="mention">@pri-private</span>' in linked
    assert "<code>@pat-public</code>" in linked  # never inside code


def test_typed_mention_markup_stays_text_around_the_real_mention():
    linked = link_mentions(
        render_markdown('<span class="mention">@pat-public</span>'), {"pat-public": "/members/1/"}
    )

    assert linked == (
        '<p>&lt;span class="mention"&gt;<a class="mention" href="/members/1/">@pat-public</a>'
        "&lt;/span&gt;</p>\n"
    )
