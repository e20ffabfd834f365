"""Minutes as typed (plain text with a little formatting) rendered to safe HTML.

Nothing the user typed is ever passed through as HTML: every piece of text is escaped first and only
the markup built here is added — paragraphs (blank lines), lists (lines starting with "- " or "* "),
**bold**, and web addresses (http/https only) as links. So no sanitiser is needed: there is no user
HTML to clean, and a `<script>` typed into the minutes shows up as the text it is.
"""

import re
from urllib.parse import urlsplit

from markupsafe import Markup, escape

_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_BULLET = re.compile(r"^\s*[-*•]\s+")
#: Punctuation that ends a sentence rather than the address ("see https://example.org.").
_TRAILING = ".,;:!?)]}"
MAX_LINK = 300


def _text(segment):
    """Escape, then turn **bold** into <strong> (the asterisks survive escaping unchanged)."""
    return _BOLD.sub(lambda m: f"<strong>{m.group(1)}</strong>", str(escape(segment)))


def _link(raw):
    url = raw.rstrip(_TRAILING)
    tail = raw[len(url) :]
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(url) > MAX_LINK:
        return _text(raw)
    return f'<a href="{escape(url)}" rel="nofollow noopener noreferrer">{escape(url)}</a>{_text(tail)}'


def inline(line):
    """One line of text with bold and links, as safe HTML."""
    out, position = [], 0
    for match in _URL.finditer(line):
        out.append(_text(line[position : match.start()]))
        out.append(_link(match.group(0)))
        position = match.end()
    out.append(_text(line[position:]))
    return "".join(out)


def _block(lines):
    """A block of lines: runs of bullet lines become lists, other runs a paragraph with line breaks."""
    html, run, in_list = [], [], False

    def flush():
        if run:
            html.append(
                f"<ul>{''.join(f'<li>{item}</li>' for item in run)}</ul>" if in_list else f"<p>{'<br>'.join(run)}</p>"
            )
            run.clear()

    for line in lines:
        bullet = _BULLET.match(line)
        if bool(bullet) != in_list:
            flush()
            in_list = bool(bullet)
        run.append(inline(line[bullet.end() :] if bullet else line.strip()))
    flush()
    return "".join(html)


def render(text):
    """Minutes (or any text with the same simple formatting) as safe HTML."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    return Markup(
        "".join(_block([line for line in block.split("\n") if line.strip()]) for block in blocks if block.strip())
    )
