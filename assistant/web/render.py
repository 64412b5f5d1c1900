"""Turn answers, check results and document lists into inert Markdown/HTML for the UI.

Document text and model output are data, never markup: HTML is escaped, and in Markdown every
punctuation character that could start a link, image, emphasis or HTML is backslash-escaped,
so the only links on screen are the citation links built here from ids.
"""

from __future__ import annotations

import html
import re
from typing import Any, Iterable
from urllib.parse import quote, urlsplit

from assistant.summary import SUMMARY_HEADING

MARKER = re.compile(r"\[(\d{1,3})\]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:<>&\"'])")

MATCH_LABELS = {
    "exact": "letterlijk gevonden",
    "fuzzy": "bijna letterlijk gevonden (met verschillen)",
    "semantic": "inhoudelijk vergelijkbare passage gevonden",
}


def md_escape(text: str) -> str:
    """Markdown that shows `text` literally; HTML-significant characters become entities."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    return escaped.replace("\\&", "&amp;").replace("\\<", "&lt;").replace("\\>", "&gt;")


def esc(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def citation_href(doc_id: str, paragraph_id: str) -> str:
    return f"/doc/{quote(str(doc_id), safe='')}#p-{quote(str(paragraph_id), safe=':-_.')}"


def external_href(url: str) -> str | None:
    """Only plain web links leave the app; anything else (javascript:, data:) is dropped."""
    parts = urlsplit(url or "")
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def where(citation: dict[str, Any]) -> str:
    """'alinea 3, pagina 2' for people."""
    bits = [str(citation.get("label") or "")]
    if citation.get("page") is not None:
        bits.append(f"pagina {citation['page']}")
    return ", ".join(b for b in bits if b)


def _by_number(answer: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {int(c["n"]): c for c in answer.get("citations") or []}


def _linked_markdown(text: str, cites: dict[int, dict[str, Any]]) -> str:
    out, last = [], 0
    for m in MARKER.finditer(text):
        out.append(md_escape(text[last : m.start()]))
        cite = cites.get(int(m.group(1)))
        if cite is None:
            out.append(md_escape(m.group(0)))
        else:
            out.append(f"[\\[{int(m.group(1))}\\]](<{citation_href(cite['doc_id'], cite['paragraph_id'])}>)")
        last = m.end()
    out.append(md_escape(text[last:]))
    return "".join(out)


SUMMARY_NOTE = "Geschreven door een taalmodel en per zin gecontroleerd tegen de bronnen; het letterlijke antwoord hierboven is leidend."
SUMMARY_PENDING = "Het taalmodel schrijft een samenvatting…"


def streaming_markdown(text: str) -> str:
    """The partial answer while tokens arrive: escaped, with a cursor."""
    return md_escape(text) + " ▌"


def _part_markdown(part: dict[str, Any], notice: str = "") -> str:
    """One answer part: escaped text, citation markers as links, its own source list."""
    cites = _by_number(part)
    parts = [_linked_markdown(part.get("answer", ""), cites)]
    if notice:
        parts.append(f"*{md_escape(notice)}*")
    if cites:
        lines = ["**Bronnen**"]
        for n, c in sorted(cites.items()):
            link = f"[{md_escape(c.get('doc_title', ''))}, {md_escape(where(c))}](<{citation_href(c['doc_id'], c['paragraph_id'])}>)"
            lines.append(f"\\[{n}\\] {link}")
        parts.append("  \n".join(lines))
    return "\n\n".join(parts)


def _summary_heading() -> str:
    return f"---\n\n**{md_escape(SUMMARY_HEADING)}**"


def answer_markdown(answer: dict[str, Any]) -> str:
    """Chat bubble for a finished answer: the verbatim part, and under it the language model's
    summary (with its own markers and sources) when there is a verified one."""
    verbatim, summary = answer.get("extractive"), answer.get("generated")
    if not summary:
        return _part_markdown(answer, answer.get("notice", ""))
    parts = [_part_markdown(verbatim)] if verbatim else []
    parts += [_summary_heading(), _part_markdown(summary, answer.get("notice", "")), f"*{md_escape(SUMMARY_NOTE)}*"]
    return "\n\n".join(parts)


def verbatim_with_pending_summary(verbatim: dict[str, Any], summary_text: str = "") -> str:
    """While the summary streams: the verbatim answer, then what the model wrote so far."""
    body = streaming_markdown(summary_text) if summary_text else f"*{md_escape(SUMMARY_PENDING)}*"
    return "\n\n".join([_part_markdown(verbatim), _summary_heading(), body])


def answer_as_markdown(answer: dict[str, Any], base_url: str = "") -> str:
    """The answer for copying elsewhere: plain Markdown with the cited paragraphs quoted; a
    verified summary follows the verbatim part under its own heading."""
    verbatim, summary = answer.get("extractive"), answer.get("generated")
    if not summary:
        return _part_as_markdown(answer, answer.get("notice", ""), base_url)
    out = [_part_as_markdown(verbatim, "", base_url)] if verbatim else []
    out += [f"### {SUMMARY_HEADING}", "", _part_as_markdown(summary, answer.get("notice", ""), base_url)]
    return "\n".join(out).rstrip() + "\n"


def _part_as_markdown(part: dict[str, Any], notice: str, base_url: str) -> str:
    lines = [part.get("answer", "").strip()]
    if notice:
        lines += ["", f"_{notice}_"]
    cites = _by_number(part)
    if cites:
        lines += ["", "**Bronnen**", ""]
        for n, c in sorted(cites.items()):
            url = base_url.rstrip("/") + citation_href(c["doc_id"], c["paragraph_id"])
            lines.append(f"[{n}] {c.get('doc_title', '')}, {where(c)}: {url}")
            lines.append("")
            lines += [f"> {line}" for line in str(c.get("text", "")).splitlines() or [""]]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def conversation_markdown(turns: Iterable[dict[str, Any]], base_url: str = "") -> str:
    out = ["# Gesprek met de Semicon Visie-assistent", ""]
    for turn in turns:
        out += [f"## Vraag: {turn['question']}", "", answer_as_markdown(turn["answer"], base_url), ""]
    return "\n".join(out).rstrip() + "\n"


def _source_item(c: dict[str, Any], id_prefix: str = "bron-") -> str:
    href = esc(citation_href(c["doc_id"], c["paragraph_id"]))
    return (
        f'<li class="sv-source" id="{esc(id_prefix)}{int(c["n"])}">'
        f'<p class="sv-source-meta"><a href="{href}" target="_blank" rel="noopener">[{int(c["n"])}] {esc(c.get("doc_title"))}</a>'
        f" &middot; {esc(where(c))}</p>"
        f'<blockquote class="sv-source-text">{esc(c.get("text"))}</blockquote></li>'
    )


def sources_html(answer: dict[str, Any] | None) -> str:
    if not answer:
        return '<section class="sv-sources" aria-label="Bronnen"><p class="sv-muted">Na een antwoord staan hier de geciteerde alinea’s letterlijk.</p></section>'
    verbatim, summary = answer.get("extractive"), answer.get("generated")
    if summary:
        groups = [("Bronnen bij het letterlijke antwoord", verbatim, "bron-"), (f"Bronnen bij de {SUMMARY_HEADING.lower()}", summary, "bron-samenvatting-")]
    else:
        groups = [("Bronnen bij het laatste antwoord", answer, "bron-")]
    body = []
    for title, part, prefix in groups:
        cites = [c for _, c in sorted(_by_number(part or {}).items())]
        if cites:
            body.append(f"<h2>{esc(title)}</h2><ol>{''.join(_source_item(c, prefix) for c in cites)}</ol>")
    if not body:
        return '<section class="sv-sources" aria-label="Bronnen"><p class="sv-muted">Dit antwoord citeert geen bronnen.</p></section>'
    return f'<section class="sv-sources" aria-label="Bronnen">{"".join(body)}</section>'


def check_html(result: dict[str, Any]) -> str:
    supported = result.get("verdict") == "supported"
    verdict = "Gevonden in de bronnen" if supported else "Niet gevonden in de bronnen"
    detail = MATCH_LABELS.get(result.get("match", ""), "")
    parts = [
        f'<section class="sv-check {"sv-ok" if supported else "sv-no"}" aria-live="polite">',
        f"<h2>{esc(verdict)}</h2>",
    ]
    if detail:
        parts.append(f"<p>{esc(detail)} (overeenkomst {round(float(result.get('score') or 0) * 100)}%).</p>")
    if result.get("differences"):
        parts.append(f'<h3>Verschillen met de bron</h3><pre class="sv-diff">{esc(result["differences"])}</pre>')
    cites = result.get("citations") or []
    if cites:
        parts.append("<h3>Bron</h3><ol>" + "".join(_source_item(c) for c in cites) + "</ol>")
    elif not supported:
        parts.append("<p>Geen alinea in de documenten komt overeen met deze tekst.</p>")
    parts.append("</section>")
    return "".join(parts)


def reference_link(ref: dict[str, Any], new_tab: bool = False) -> str:
    """A Kamerstuk reference as a link to its official URL (only http(s) links are made)."""
    name = esc(ref.get("raw") or f"Kamerstuk {ref.get('dossier')} nr. {ref.get('number')}")
    href = external_href(str(ref.get("url") or ""))
    target = ' target="_blank"' if new_tab else ""
    return f'<a href="{esc(href)}"{target} rel="noopener">{name}</a>' if href else name


def documents_html(docs: list[dict[str, Any]]) -> str:
    if not docs:
        return '<p class="sv-muted">Er zijn nog geen documenten ingelezen.</p>'
    rows = []
    for d in docs:
        refs = []
        for r in d.get("references") or []:
            link = reference_link(r, new_tab=True)
            state = "aanwezig" if r.get("present") else "niet aanwezig"
            refs.append(f'<li>{link} <span class="sv-badge sv-{"present" if r.get("present") else "absent"}">{state}</span></li>')
        ref_html = f"<ul>{''.join(refs)}</ul>" if refs else '<span class="sv-muted">geen</span>'
        rows.append(
            "<tr>"
            f'<td><a href="/doc/{esc(quote(str(d["id"]), safe=""))}" target="_blank" rel="noopener">{esc(d.get("title"))}</a></td>'
            f'<td>{esc(d.get("paragraphs"))}</td><td>{esc(d.get("footnotes"))}</td><td>{ref_html}</td>'
            "</tr>"
        )
    return (
        '<div class="sv-table-wrap"><table class="sv-docs"><caption>Ingelezen documenten</caption>'
        '<thead><tr><th scope="col">Document</th><th scope="col">Alinea’s</th><th scope="col">Voetnoten</th>'
        '<th scope="col">Gekoppelde Kamerstukken</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def message_html(text: str, kind: str = "info") -> str:
    return f'<p class="sv-message sv-{esc(kind)}" role="status">{esc(text)}</p>'
