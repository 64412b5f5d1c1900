"""Synthetic Dutch text for `assistant bench`, made deterministically from the letter's own sentences.

The benchmark needs corpora far larger than the one letter: letter-like files for the ingest
pipeline, and paragraph records by the tens of thousands for retrieval at scale. Recombining the
letter's sentences keeps the vocabulary, sentence lengths and tokenisation realistic; invented
dossier numbers and years let the vocabulary grow with the corpus as it would in real papers.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from ingest.sentences import split_sentences
from ingest.records import Document, Paragraph, content_hash

SUBJECTS = (
    "Voortgang Semicon Visie", "Kennis en talent in de halfgeleiderindustrie", "Investeringen in de chipsector",
    "Europese Chips Act", "Regionale ecosystemen", "Economische veiligheid", "Innovatie en opschaling",
    "Stikstof en vestigingsklimaat", "Internationale samenwerking", "Onderzoek en ontwikkeling",
)
MINISTERS = ("Heleen Herbert", "Jan de Vries", "Sanne Bakker", "Pieter Jansen")


def letter_sentences(letter: Path) -> list[str]:
    """The sentences of the letter's body paragraphs and footnotes, in order."""
    from ingest.loader import load_document

    document = load_document(letter, 50 * 2**20)
    sentences = [s for p in document.paragraphs if p.kind in ("paragraph", "footnote") for s in split_sentences(p.text)]
    # Fragments ("Kamerstuk 33 009", "Zie ...") make poor paragraph material.
    return [s for s in sentences if len(s) >= 40]


def _paragraph_text(rng: random.Random, sentences: list[str]) -> str:
    parts = rng.sample(sentences, rng.randint(2, 3))
    if rng.random() < 0.3:
        parts.append(f"Zie Kamerstuk {rng.randint(21000, 36999)}, nr. {rng.randint(1, 400)} uit {rng.randint(1995, 2035)}.")
    return " ".join(parts)


def write_letters(folder: Path, sentences: list[str], count: int, paragraphs: int, seed: int = 2035) -> list[Path]:
    """`count` plain-text letters to the chamber of `paragraphs` body paragraphs each, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(1, count + 1):
        rng = random.Random(seed * 1000 + n)
        body = "\n\n".join(_paragraph_text(rng, sentences) for _ in range(paragraphs))
        text = (
            f"Betreft {rng.choice(SUBJECTS)} {n}\n\nGeachte voorzitter,\n\n{body}\n\n"
            f"{rng.choice(MINISTERS)}\nMinister van Economische Zaken en Klimaat\n"
        )
        path = folder / f"synthetische-brief-{n:03d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def synthetic_documents(sentences: list[str], first: int, count: int, per_document: int, seed: int = 2035) -> list[Document]:
    """Documents number `first` .. `first + count - 1` with `per_document` paragraph records each."""
    documents = []
    for n in range(first, first + count):
        rng = random.Random(seed * 7919 + n)
        doc_id = f"synthetisch-{n:05d}"
        title = f"{rng.choice(SUBJECTS)} {n}"
        paragraphs = []
        for number in range(1, per_document + 1):
            text = _paragraph_text(rng, sentences)
            paragraphs.append(
                Paragraph(
                    id=f"{doc_id}:{number:05d}",
                    doc_id=doc_id,
                    doc_title=title,
                    kind="paragraph",
                    number=number,
                    label=f"alinea {number}",
                    pages=(1 + number // 8,),
                    section=(),
                    text=text,
                    hash=content_hash(text),
                )
            )
        digest = hashlib.sha256("\n".join(p.hash for p in paragraphs).encode()).hexdigest()
        documents.append(Document(doc_id, title, f"synthetic/{doc_id}.txt", "text", paragraphs=tuple(paragraphs), hash=digest))
    return documents
