"""The multi-document evaluation sets: their data holds together, and the ingest keeps every source.

Each set folder (eval/multidoc, eval/own_multidoc) holds src/<doc id>.json (the documents),
qa.jsonl, claims.jsonl, absent.json (what each unanswerable question asks for, as a pattern that
must match nowhere), render.json (the format of each document in the corpus) and corpus/ (the
letter plus each document rendered by scripts/render_corpus.py). The fidelity gate ingests every
corpus file with the current ingest code and looks for each question's and claim's source in the
records of its document: a format that loses text fails here, not as a mysterious eval score.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from ingest.loader import doc_id_for, load_document
from ingest.pipeline import read_documents

EVAL = Path(__file__).resolve().parents[2] / "eval"
SETS = ("multidoc", "own_multidoc")
# English questions among the answerable / unanswerable ones, per set.
ENGLISH_COUNTS = {"multidoc": (3, 1), "own_multidoc": (5, 2)}
MARK = re.compile(r"\{(\d+)\}")
ENGLISH = re.compile(r"\b(what|which|how|who|when|where|why|does|the)\b", re.IGNORECASE)
DOC_KEYS = ["id", "dossier", "nr", "title", "type", "date", "addressee", "place", "signatory", "signatory_function", "blocks"]
QA_KEYS = {"id", "question", "answerable", "facts", "source", "doc"}
CLAIM_KEYS = {"id", "claim", "verdict", "doc", "source"}
MAX_BYTES = 50 * 2**20


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class EvalSet:
    def __init__(self, name: str) -> None:
        self.name = name
        self.folder = EVAL / name
        self.plan = json.loads((self.folder / "render.json").read_text(encoding="utf-8"))
        self.letter_path = self.folder / "corpus" / Path(self.plan["letter"]).name
        self.letter_id = doc_id_for(self.letter_path)
        self.docs = {did: json.loads((self.folder / "src" / f"{did}.json").read_text(encoding="utf-8")) for did in self.plan["corpus"]}
        self.qa = jsonl(self.folder / "qa.jsonl")
        self.claims = jsonl(self.folder / "claims.jsonl")
        self.absent = json.loads((self.folder / "absent.json").read_text(encoding="utf-8"))

    def units(self, did: str) -> list[str]:
        """Block texts, list items and note texts: the units a source must lie in."""
        return [t for b in self.docs[did]["blocks"] for t in [b["text"], *b["items"], *(n["text"] for n in b["notes"])]]

    def corpus_texts(self) -> dict[str, str]:
        texts = {did: norm(" \n ".join(self.units(did))) for did in self.docs}
        texts[self.letter_id] = norm(self.letter_path.read_text(encoding="utf-8"))
        return texts


@cache
def eval_set(name: str) -> EvalSet:
    return EvalSet(name)


@cache
def ingested(name: str):
    return read_documents([EVAL / name / "corpus"], MAX_BYTES)


# ------------------------------------------------------------------------------ validation


def document_problems(s: EvalSet) -> list[str]:
    problems = []
    total_words = 0
    for did, d in s.docs.items():
        if list(d) != DOC_KEYS:
            problems.append(f"{did}: keys {list(d)}")
            continue
        if d["id"] != did or not all(isinstance(d[k], str) for k in DOC_KEYS[:-1]):
            problems.append(f"{did}: id field or metadata types wrong")
        if did.startswith("kst-") and did != f"kst-{d['dossier']}-{d['nr']}":
            problems.append(f"{did}: dossier/nr {d['dossier']}/{d['nr']} do not match the id")
        if not did.startswith("kst-") and (d["dossier"] or d["nr"]):
            problems.append(f"{did}: a document that is no Kamerstuk has a dossier/nr")
        if not 12 <= len(d["blocks"]) <= 30:
            problems.append(f"{did}: {len(d['blocks'])} blocks (want 12-30)")
        seen = []
        for i, b in enumerate(d["blocks"]):
            where = f"{did} block {i}"
            if set(b) != {"kind", "text", "items", "notes"} or b["kind"] not in ("heading", "paragraph", "list"):
                problems.append(f"{where}: malformed block")
                continue
            if not b["text"].strip() or (b["kind"] == "list") != bool(b["items"]) or not all(x.strip() for x in b["items"]):
                problems.append(f"{where}: empty text or items that do not fit the kind")
            marks = [int(m) for t in [b["text"], *b["items"]] for m in MARK.findall(t)]
            if b["kind"] == "heading" and marks:
                problems.append(f"{where}: footnote marker in a heading")
            if [n.get("n") for n in b["notes"]] != marks or any(not n.get("text", "").strip() or MARK.search(n["text"]) for n in b["notes"]):
                problems.append(f"{where}: markers {marks} do not match the notes")
            seen += marks
        if seen != list(range(1, len(seen) + 1)):
            problems.append(f"{did}: footnote markers not consecutive from 1: {seen}")
        total_words += sum(len(t.split()) for t in s.units(did))
    if not 6000 <= total_words <= 8000:
        problems.append(f"total words {total_words} (want 6,000-8,000)")
    return problems


def source_problems(s: EvalSet, tag: str, source: str, doc: str) -> tuple[list[str], str | None]:
    """Problems with one source, and the normalised unit holding it (where facts must occur)."""
    if not isinstance(source, str) or not 15 <= len(source) <= 60 or MARK.search(source):
        return [f"{tag}: source must be 15-60 characters without a footnote marker"], None
    if doc == s.letter_id:
        raw = s.letter_path.read_text(encoding="utf-8")
        paragraphs = [p for p in re.split(r"\n\s*\n", raw) if source in p]
        if raw.count(source) != 1 or len(paragraphs) != 1:
            return [f"{tag}: source does not occur exactly once, within one paragraph, in the letter"], None
        unit = paragraphs[0]
    elif doc in s.docs:
        hits = [u for u in s.units(doc) if source in u]
        if len(hits) != 1 or hits[0].count(source) != 1:
            return [f"{tag}: source found in {len(hits)} units of {doc} (want exactly 1, once)"], None
        unit = hits[0]
    else:
        return [f"{tag}: unknown doc {doc!r}"], None
    others = [o for o, text in s.corpus_texts().items() if o != doc and norm(source) in text]
    return [f"{tag}: source also occurs in {o}" for o in others], norm(unit)


def qa_problems(s: EvalSet) -> list[str]:
    problems = []
    keys = QA_KEYS | ({"split"} if s.name != "multidoc" else set())
    answerable = [q for q in s.qa if q.get("answerable") is True]
    unanswerable = [q for q in s.qa if q.get("answerable") is False]
    if len(s.qa) != 30 or len(answerable) != 22 or len(unanswerable) != 8:
        problems.append(f"qa: {len(answerable)} answerable / {len(unanswerable)} unanswerable (want 22 / 8)")
    if len({q["id"] for q in s.qa}) != len(s.qa):
        problems.append("qa: duplicate ids")
    texts = s.corpus_texts()
    for q in s.qa:
        tag = f"qa {q.get('id')}"
        if set(q) != keys or not q["question"].strip():
            problems.append(f"{tag}: keys {sorted(q)} (want {sorted(keys)})")
            continue
        if q["answerable"]:
            found, unit = source_problems(s, tag, q["source"], q["doc"])
            problems += found
            if not q["facts"]:
                problems.append(f"{tag}: answerable without facts")
            if unit is not None:
                problems += [
                    f"{tag}: fact {fact!r} not in the source unit"
                    for fact in q["facts"]
                    if not any(norm(alt) in unit for alt in fact.split("|"))
                ]
        else:
            if q["facts"] or q["source"] or q["doc"]:
                problems.append(f"{tag}: unanswerable must have empty facts/source/doc")
            absent = s.absent.get(q["id"])
            if absent is None or absent["keyword"].lower() not in q["question"].lower():
                problems.append(f"{tag}: no absence pattern for this question in absent.json")
                continue
            for did, text in texts.items():
                match = re.search(absent["pattern"], text, re.IGNORECASE)
                if match:
                    problems.append(f"{tag}: looks answerable from {did}: {match.group(0)[:80]!r}")
    per_doc = {did: sum(q["doc"] == did for q in answerable) for did in [*s.docs, s.letter_id]}
    problems += [f"qa: only {n} answerable questions on {did}" for did, n in per_doc.items() if n < 3]
    english = (sum(bool(ENGLISH.search(q["question"])) for q in answerable), sum(bool(ENGLISH.search(q["question"])) for q in unanswerable))
    if english != ENGLISH_COUNTS[s.name]:
        problems.append(f"qa: {english} English answerable / unanswerable (want {ENGLISH_COUNTS[s.name]})")
    return problems


def claim_problems(s: EvalSet) -> list[str]:
    problems = []
    keys = CLAIM_KEYS | ({"split"} if s.name != "multidoc" else set())
    verdicts = [c.get("verdict") for c in s.claims]
    if len(s.claims) != 8 or verdicts.count("supported") != 4 or verdicts.count("not_supported") != 4:
        problems.append(f"claims: verdicts {verdicts} (want 4 supported, 4 not_supported)")
    texts = s.corpus_texts()
    for c in s.claims:
        tag = f"claim {c.get('id')}"
        if set(c) != keys:
            problems.append(f"{tag}: keys {sorted(c)}")
            continue
        problems += source_problems(s, tag, c["source"], c["doc"])[0]
        if norm(c["claim"]) in texts.get(c["doc"], ""):
            problems.append(f"{tag}: claim is a verbatim copy of the document")
    return problems


def split_problems(s: EvalSet) -> list[str]:
    """A held-out third (spread over kinds of question) that no tuning may look at."""
    items = s.qa + s.claims
    if any(item.get("split") not in ("tune", "holdout") for item in items):
        return ["every question and claim needs split 'tune' or 'holdout'"]
    problems = []
    held = [q for q in s.qa if q["split"] == "holdout"]
    if not 0.25 <= len(held) / len(s.qa) <= 0.4:
        problems.append(f"{len(held)} of {len(s.qa)} questions held out (want about a third)")
    kinds = {
        "answerable": [q for q in held if q["answerable"]],
        "unanswerable": [q for q in held if not q["answerable"]],
        "English": [q for q in held if ENGLISH.search(q["question"])],
        "letter": [q for q in held if q["doc"] == s.letter_id],
        "claims": [c for c in s.claims if c["split"] == "holdout"],
    }
    problems += [f"no held-out {kind} item" for kind, found in kinds.items() if not found]
    return problems


@pytest.mark.parametrize("name", SETS)
def test_documents_follow_the_schema(name):
    assert document_problems(eval_set(name)) == []


@pytest.mark.parametrize("name", SETS)
def test_questions_have_verbatim_sources_and_facts_and_unanswerables_are_absent(name):
    assert qa_problems(eval_set(name)) == []


@pytest.mark.parametrize("name", SETS)
def test_claims_have_verbatim_sources(name):
    assert claim_problems(eval_set(name)) == []


def test_own_set_holds_out_a_third_of_its_items():
    assert split_problems(eval_set("own_multidoc")) == []


def test_validation_catches_a_broken_source():
    s = EvalSet("multidoc")
    s.qa = [dict(s.qa[3], source=s.qa[3]["source"] + " (niet in de tekst)"), *s.qa[1:]]
    assert any("source" in p for p in qa_problems(s))


# ------------------------------------------------------------------------------ ingest fidelity


@pytest.mark.parametrize("name", SETS)
def test_corpus_ingests_one_document_per_file_with_the_ids_the_sets_use(name):
    s, report = eval_set(name), ingested(name)
    assert report.skipped == []
    files = {p.name for p in (s.folder / "corpus").iterdir()}
    expected = {s.letter_path.name} | {f"{did}.{fmt_ext(spec['format'])}" for did, spec in s.plan["corpus"].items()}
    assert files == expected
    assert sorted(d.id for d in report.documents) == sorted([*s.docs, s.letter_id])
    assert all(d.paragraphs for d in report.documents)


def fmt_ext(fmt: str) -> str:
    return "pdf" if fmt.startswith("pdf") else fmt


def _files(pattern: str) -> list:
    params = []
    for name in SETS:
        folder = EVAL / name
        for path in sorted(folder.glob(pattern)):
            key = path.relative_to(folder).as_posix()
            params.append(pytest.param(name, key, id=f"{name}/{key}"))
    return params


def lost_sources(name: str, document) -> dict[str, str]:
    """Questions and claims on `document` whose source (with the question's facts) no record holds."""
    s = eval_set(name)
    texts = [norm(p.text) for p in document.paragraphs]
    items = [item for item in s.qa + s.claims if item.get("doc") == document.id and item.get("source")]
    assert items, f"no question or claim on {document.id}"

    def kept(item: dict) -> bool:
        facts = item.get("facts", [])
        return any(
            norm(item["source"]) in text and all(any(norm(alt) in text for alt in fact.split("|")) for fact in facts)
            for text in texts
        )

    return {item["id"]: item["source"] for item in items if not kept(item)}


@pytest.mark.parametrize("name,key", _files("corpus/*"))
def test_every_source_survives_ingest_of_the_corpus(name, key):
    document = next(d for d in ingested(name).documents if Path(d.path).name == Path(key).name)
    assert lost_sources(name, document) == {}


@pytest.mark.parametrize("name,key", _files("formats/*/*"))
def test_every_source_survives_ingest_of_each_alternative_format(name, key):
    """Each document in the formats it does not take in the corpus (formats/<format>/<doc id>.<ext>)."""
    path = EVAL / name / key
    document = load_document(path, MAX_BYTES)
    assert document.id == path.stem
    assert lost_sources(name, document) == {}


def lost_notes(name: str, document) -> dict[str, list[str]]:
    """The document's notes that are no footnote record, and footnotes that no paragraph references."""
    notes = sorted(norm(n["text"]) for b in eval_set(name).docs[document.id]["blocks"] for n in b["notes"])
    footnotes = [p for p in document.paragraphs if p.kind == "footnote"]
    return {
        "missing": [n for n in notes if n not in {norm(p.text) for p in footnotes}],
        "unreferenced": [p.text for p in footnotes if not p.referenced_by],
    }


@pytest.mark.parametrize("name,key", [p for p in _files("corpus/*") if not p.values[1].endswith(".txt")] + _files("formats/*/*"))
def test_every_note_is_a_footnote_referenced_where_it_was_in_every_format(name, key):
    """Page-foot notes (LibreOffice), endnotes under "Noten" (Chromium's two-column print), HTML
    note links, DOCX footnotes, Kamerstuk XML: each note is a footnote of the paragraph citing it."""
    path = EVAL / name / key
    document = load_document(path, MAX_BYTES)
    assert lost_notes(name, document) == {"missing": [], "unreferenced": []}


@pytest.mark.parametrize("name,folder", [(name, folder) for folder in ("probes", "fresh", "fresh2", "fresh3", "fresh4", "fresh5") for name in ("multidoc", "own_multidoc")])
def test_probes_and_fresh_questions_have_verbatim_sources_and_facts(name, folder):
    """eval/probes and eval/fresh…fresh5: the team's questions on each corpus (see their READMEs), held to
    the same source rules."""
    s = eval_set(name)
    problems = []
    for kind in ("qa", "claims"):
        path = EVAL / folder / f"{name}_{kind}.jsonl"
        assert path.exists(), path
        for item in jsonl(path):
            if item.get("answerable", True) and item.get("source"):
                found, unit = source_problems(s, f"{kind} {item['id']}", item["source"], item["doc"])
                problems += found
                # A list's items hold its facts: the whole document counts ("Welke criteria …?").
                text = s.corpus_texts().get(item["doc"], unit or "")
                problems += [f"{item['id']}: fact {f!r}" for f in item.get("facts", []) if not any(norm(a) in text for a in f.split("|"))]
    assert problems == []


# Paragraphs that a format still splits or joins differently from its source: a two-column print
# whose column ends with a sentence that the paragraph goes on after; "like-/minded" written once.
KNOWN_SPLITS = {
    ("multidoc", "corpus/rapport-wennink-2025.pdf"): 1,
    ("own_multidoc", "formats/pdf-soffice/non-paper-eu-chips-act-2025.pdf"): 1,
}


@pytest.mark.parametrize("name,key", [p for p in _files("corpus/*") if not p.values[1].endswith(".txt")] + _files("formats/*/*"))
def test_every_paragraph_and_list_item_is_one_record_in_every_format(name, key):
    blocks = eval_set(name).docs[Path(key).stem]["blocks"]
    want = [norm(MARK.sub("", b["text"])) for b in blocks if b["kind"] in ("paragraph", "list")]
    want += [norm(MARK.sub("", item)) for b in blocks for item in b["items"]]
    records = {norm(p.text) for p in load_document(EVAL / name / key, MAX_BYTES).paragraphs}
    assert len([w for w in want if w not in records]) == KNOWN_SPLITS.get((name, key), 0)
