"""Qt rich text for the brief and the script. Every user string is escaped here, once."""

from __future__ import annotations

from p2pdesk.playbook.script import Segment

MISSING_STYLE = "color:#b00020;font-weight:700;background:#fdecee"
#: The brief's and the script's styles, in the head of each page (see ``page``). Nothing in the
#: window's first frame is set in italics: the sloped face is a font of its own to find and draw
#: (about 5 million instructions of the start-up), and a muted colour marks dates as well.
STYLE_SHEET = """
td { padding-right: 6px; vertical-align: top; }
td.k, .when { color: #555555; }
p { margin-top: 0px; margin-bottom: 2px; }
.sec { color: #0b4f6c; font-weight: 700; }
.hint { color: #777777; font-weight: normal; }
.alert { color: #ffffff; background-color: #b00020; font-weight: 700; }
"""


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def esc(text: object) -> str:
    """Escape any value for Qt rich text; no user string can add markup.

    The same as ``html.escape(quote=True)``, without importing ``html`` (and its entity table) at
    start-up.
    """
    return str(text).translate(_ESCAPES)


def page(body: str) -> str:
    """``body`` as a whole HTML document, styled by ``STYLE_SHEET`` in its head.

    Qt ignores most of a <style> block in a fragment, but applies one in a document's head as it
    would the document's default style sheet (the same pixels). Setting that default instead
    means asking the view for its ``QTextDocument``, and building that Python type costs about
    3 million instructions of the start-up.
    """
    return f"<html><head><style>{STYLE_SHEET}</style></head><body>{body}</body></html>"


def missing(what: str) -> str:
    return f'<span style="{MISSING_STYLE}">[{esc(what)} missing]</span>'


def value(text: object, what: str) -> str:
    """The escaped value, or a visible marker naming what is missing."""
    if text in (None, ""):
        return missing(what)
    isoformat = getattr(text, "isoformat", None)  # a date (datetime is not imported here: see p2pdesk.ui.qt)
    if isoformat is not None:
        text = isoformat()
    return esc(text)


def segments(line: tuple[Segment, ...]) -> str:
    out = []
    for seg in line:
        if seg.missing:
            out.append(f'<span style="{MISSING_STYLE}">{esc(seg.text)}</span>')
        elif seg.emphasis:
            out.append(f"<b>{esc(seg.text)}</b>")
        else:
            out.append(esc(seg.text))
    return "".join(out)
