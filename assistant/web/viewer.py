"""Server-rendered document viewer: every paragraph with a stable anchor `#p-<paragraph id>`."""

from __future__ import annotations

from typing import Any

from assistant.web.render import esc, reference_link

_HEAD = """<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/web/viewer.css">
<script src="/web/viewer.js" defer></script>
</head>
<body>
<a class="sv-skip" href="#inhoud">Naar de tekst</a>
"""


def _pages(rec: dict[str, Any]) -> str:
    pages = rec.get("pages") or ([rec["page"]] if rec.get("page") is not None else [])
    if not pages:
        return ""
    text = f"pagina {pages[0]}" if len(pages) == 1 else f"pagina {pages[0]}–{pages[-1]}"
    return f'<span class="sv-page">{esc(text)}</span>'


def _footnote_number(rec: dict[str, Any]) -> str:
    number = rec.get("number")
    if number is not None:
        return str(number)
    return str(rec.get("label", "")).split()[-1] if rec.get("label") else "?"


def _record(rec: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> str:
    rid = str(rec["id"])
    anchor = f"p-{rid}"
    label = str(rec.get("label") or rec.get("kind") or "")
    meta = (
        f'<div class="sv-meta"><span class="sv-label">{esc(label)}</span>{_pages(rec)}'
        f'<a class="sv-permalink" href="#{esc(anchor)}" aria-label="Permalink naar {esc(label)}" title="Permalink">¶</a></div>'
    )
    refs = []
    for ref in rec.get("footnote_refs") or []:
        target = by_id.get(ref)
        if target is not None:
            n = esc(_footnote_number(target))
            refs.append(
                f'<sup class="sv-fnref"><a href="#p-{esc(ref)}" id="ref-{esc(rid)}-{esc(ref)}" '
                f'aria-label="Voetnoot {n}">{n}</a></sup>'
            )
    body = f'<p class="sv-text">{esc(rec.get("text"))}{"".join(refs)}</p>'
    back = [by_id[b] for b in rec.get("referenced_by") or [] if b in by_id]
    if back:
        links = ", ".join(
            f'<a href="#p-{esc(b["id"])}">{esc(b.get("label") or b["id"])}</a>' for b in back
        )
        body += f'<p class="sv-backrefs">Verwezen vanuit: {links}</p>'
    kind = esc(rec.get("kind") or "paragraph")
    return f'<section class="sv-rec sv-{kind}" id="{esc(anchor)}" tabindex="-1">{meta}{body}</section>'


def _references(doc: dict[str, Any]) -> str:
    items = []
    for r in doc.get("references") or []:
        link = reference_link(r)
        state = "in de assistent aanwezig" if r.get("present") else "niet in de assistent aanwezig"
        items.append(f"<li>{link} <span class=\"sv-state\">({state})</span></li>")
    if not items:
        return ""
    return f'<section class="sv-refs" aria-labelledby="kst"><h2 id="kst">Gekoppelde Kamerstukken</h2><ul>{"".join(items)}</ul></section>'


def render_document(doc: dict[str, Any]) -> str:
    records = doc.get("records") or []
    by_id = {str(r["id"]): r for r in records}
    body = [r for r in records if r.get("kind") != "footnote"]
    notes = [r for r in records if r.get("kind") == "footnote"]
    meta = "".join(
        f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in (doc.get("metadata") or {}).items()
    )
    parts = [
        _HEAD.format(title=esc(f"{doc.get('title', '')} — Semicon Visie-assistent")),
        '<header class="sv-header"><a href="/">← Terug naar de assistent</a>',
        f"<h1>{esc(doc.get('title'))}</h1>",
        f'<dl class="sv-docmeta">{meta}<div><dt>Alinea’s</dt><dd>{len(body)}</dd></div>'
        f"<div><dt>Voetnoten</dt><dd>{len(notes)}</dd></div></dl></header>",
        '<main id="inhoud">',
        '<article class="sv-doc">',
        *(_record(r, by_id) for r in body),
        "</article>",
    ]
    if notes:
        parts += ['<section class="sv-notes" aria-labelledby="vn"><h2 id="vn">Voetnoten</h2>']
        parts += [_record(r, by_id) for r in notes]
        parts.append("</section>")
    parts += [_references(doc), "</main></body></html>"]
    return "\n".join(parts)


def error_page(title: str, message: str) -> str:
    return (
        _HEAD.format(title=esc(title))
        + f'<main id="inhoud" class="sv-error"><h1>{esc(title)}</h1><p>{esc(message)}</p>'
        + '<p><a href="/">Terug naar de assistent</a></p></main></body></html>'
    )
