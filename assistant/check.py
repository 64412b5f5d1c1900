"""`assistant check`: is this quote in the sources (exactly or nearly), or is this claim supported?

Text in quotation marks is a quote: only the exact words count (case, punctuation and spacing
aside), and a near miss shows what differs. Other text is a claim: supported when one paragraph
holds its names, numbers and dates and a sentence close in meaning; but a claim that is a source
sentence with a content word replaced or a negation left out ("een zwakke economie" for "een sterke
economie") is a near miss, whatever the embeddings say.
"""

from __future__ import annotations

import difflib
import re

from ingest.language import language_of
from ingest.sentences import split_sentences
from assistant.support import NEGATIONS, SentenceEmbedder, normalise, source_denies, support_similarity
from assistant.types import AnswerServices, CheckResult, Citation
from index.retrieval import Hit
from ingest.records import Paragraph

CANDIDATES = 10  # retrieved paragraphs (with their footnotes) a quote is compared with
NEAR_MISS_WORDS = 8  # one changed word allowed per this many words of a quote (at least one)
QUOTED = re.compile(r'\s*["“„«‘\']\s*(.+?)\s*["”“»’\']\s*[.!?]?\s*', re.S)
EDGE_PUNCTUATION = ".,;:!?()[]\"'…"


def check_claim(assistant: AnswerServices, claim: str) -> CheckResult:
    quoted = QUOTED.fullmatch(claim)
    quote = quoted.group(1) if quoted else claim.strip()
    words = words_of(quote)
    # Only retrieved candidates are compared word by word: hybrid retrieval ranks a verbatim or
    # nearly verbatim passage first (BM25 on the same words), so the cost does not grow with the
    # corpus (it used to read and scan every record).
    candidates = _with_context(assistant.search(quote, CANDIDATES))
    needle = f" {' '.join(words)} "
    exact = [p for p in candidates if words and needle in f" {' '.join(words_of(p.text))} "]
    if exact:
        return CheckResult(claim, "supported", _citations(exact[:3]), match="exact", score=1.0)

    near = _near_miss(words, candidates)
    hits = assistant.search(quote, 5)
    if not quoted and (near is None or _keeps_source_words(near[2], words, set(words_of(near[1].text)))):
        context = _with_context(hits)
        # A source that denies the claim outweighs a looser paraphrase elsewhere.
        denial = next((p for p in context if _denied_by(quote, p)), None)
        if denial is not None:
            return CheckResult(claim, "not_supported", _citations([denial]), match="", score=0.0)
        signed_by = {doc["id"]: (doc.get("metadata") or {}).get("ondertekenaar", "") for doc in assistant.retriever.catalogue()}
        supported = _semantic_support(quote, context, assistant.sentence_embedder(), signed_by)
        if supported is not None:
            similarity, paragraph = supported
            return CheckResult(claim, "supported", _citations([paragraph]), match="semantic", score=round(similarity, 4))
    if near is not None:
        edits, paragraph, window = near
        return CheckResult(
            claim, "not_supported", _citations([paragraph]), match="fuzzy",
            differences=word_diff(" ".join(window), quote), score=round(1 - edits / len(words), 4),
        )
    return CheckResult(claim, "not_supported", _citations([h.paragraph for h in hits[:3]]), match="", score=0.0)


def words_of(text: str) -> list[str]:
    """Normalised words without the punctuation around them: what a quote must reproduce."""
    return [w for w in (w.strip(EDGE_PUNCTUATION) for w in normalise(text).split()) if w]


def _semantic_support(
    claim: str, paragraphs: list[Paragraph], embedder: SentenceEmbedder, signed_by: dict[str, str]
) -> tuple[float, Paragraph] | None:
    """The paragraph that supports the claim on its own most closely, with its similarity: names,
    numbers and dates must stand together in one paragraph (a footnote counts with the sentence it
    annotates; the document's signatory with every paragraph), so a date next to one report is no
    support for another report."""
    language = language_of(claim)
    supporting = (
        (support_similarity(claim, [paragraph], embedder, language, tuple(filter(None, [signed_by.get(paragraph.doc_id, "")]))), paragraph)
        for paragraph in paragraphs
    )
    return max(((s, p) for s, p in supporting if s is not None), key=lambda pair: pair[0], default=None)


def _denied_by(claim: str, paragraph: Paragraph) -> bool:
    return any(source_denies(claim, sentence) for sentence in split_sentences(paragraph.text))


def _near_miss(words: list[str], records: list[Paragraph]) -> tuple[int, Paragraph, list[str]] | None:
    """The source passage that the quote's words match with the fewest word edits, if few enough:
    (edits, paragraph, the passage's words with a few more either side, for word_diff to align)."""
    from rapidfuzz.distance import Levenshtein

    if len(words) < 4:
        return None
    allowed = max(1, len(words) // NEAR_MISS_WORDS)
    wanted = set(words)
    best: tuple[int, Paragraph, list[str]] | None = None
    for paragraph in records:
        source = words_of(paragraph.text)
        if len(wanted & set(source)) < len(wanted) - allowed:
            continue  # cheap test: a near miss shares all but the changed words
        for size in range(max(1, len(words) - allowed), len(words) + allowed + 1):
            for start in range(0, len(source) - size + 1):
                edits = Levenshtein.distance(words, source[start : start + size])
                if edits <= allowed and (best is None or edits < best[0]):
                    margin = allowed + 1
                    best = (edits, paragraph, source[max(0, start - margin) : start + size + margin])
    return best


def _keeps_source_words(source: list[str], words: list[str], paragraph: set[str]) -> bool:
    """The claim replaces no content word of the source passage it nearly quotes and leaves out no
    negation (adding words, "dateert", or leaving others out is rephrasing; the semantic test judges
    it). Naming what the source refers to is no change either: "de Chiptalent-regeling" for "de regeling" where the paragraph
    has introduced the Chiptalent-regeling (a Dutch compound ends in the word it specifies)."""
    from index.lexical import stopwords

    for op, i1, i2, j1, j2 in _alignment(source, words):
        if op == "equal":
            continue
        replaced, by = source[i1:i2], words[j1:j2]
        if op == "replace" and len(replaced) == len(by) and all(_specifies(new, old, paragraph) for old, new in zip(replaced, by)):
            continue
        if op == "delete":
            # Leaving words out generalises ("een woningbouwimpuls" for "een aanvullende
            # woningbouwimpuls"), unless what is left out is a negation.
            if NEGATIONS & set(replaced):
                return False
            continue
        if any(word not in stopwords() for word in replaced):
            return False
    return True


def _specifies(new: str, old: str, paragraph: set[str]) -> bool:
    """`new` is a compound of the paragraph ending in `old`: the thing `old` refers to, named."""
    return new == old or (len(new) > len(old) and new.endswith(old) and new in paragraph)


def _alignment(source: list[str], quote: list[str]) -> list[tuple[str, int, int, int, int]]:
    """Word alignment of a quote with a source passage; source words before the quote's start or
    after its end are context, not differences."""
    ops = difflib.SequenceMatcher(a=source, b=quote, autojunk=False).get_opcodes()
    while ops and ops[0][0] == "delete":
        ops.pop(0)
    while ops and ops[-1][0] == "delete":
        ops.pop()
    # A replacement at either end takes no more source words than it replaces.
    if ops and ops[0][0] == "replace":
        op, i1, i2, j1, j2 = ops[0]
        ops[0] = (op, max(i1, i2 - (j2 - j1)), i2, j1, j2)
    if ops and ops[-1][0] == "replace":
        op, i1, i2, j1, j2 = ops[-1]
        ops[-1] = (op, i1, min(i2, i1 + (j2 - j1)), j1, j2)
    return ops


def word_diff(source: str, quote: str) -> str:
    """Readable differences: [-source words-] {+quote words+}."""
    a, b = words_of(source), words_of(quote)
    out = []
    for op, i1, i2, j1, j2 in _alignment(a, b):
        if op == "equal":
            out.append(" ".join(a[i1:i2]))
        else:
            if i2 > i1:
                out.append("[-" + " ".join(a[i1:i2]) + "-]")
            if j2 > j1:
                out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def _with_context(hits: list[Hit]) -> list[Paragraph]:
    seen: dict[str, Paragraph] = {}
    for hit in hits:
        for paragraph in (hit.paragraph, *hit.context):
            seen.setdefault(paragraph.id, paragraph)
    return list(seen.values())


def _citations(paragraphs: list[Paragraph]) -> tuple[Citation, ...]:
    return tuple(Citation.of(n, p) for n, p in enumerate(paragraphs, start=1))
