"""One contract for every `VectorStore`: the in-memory fake answers as the embedded Chroma store does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.service import Assistant
from assistant.wiring import make_store
from index.embeddings import FakeEmbeddings
from index.fake_store import FakeStore
from index.vectorstore import VectorStore
from ingest.errors import UserError
from ingest.pipeline import read_documents
from tests.conftest import LETTER

CHIPS = "De chipsector in Eindhoven groeit hard en vraagt om extra woningen, wegen en stroomaansluitingen."
TALENT = "Voor talent trekt het kabinet extra geld uit, zodat technische opleidingen meer studenten opleiden."
ENERGY = "Netcongestie remt de groei van bedrijven in de regio; de netbeheerder breidt het stroomnet uit."


@pytest.fixture(params=["fake", "chroma"])
def store(request, settings) -> VectorStore:
    embeddings = FakeEmbeddings()
    return FakeStore(embeddings) if request.param == "fake" else make_store(settings, embeddings)


def documents(folder: Path, *texts: str, name: str = "chips.txt") -> list:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("Brief over de chipsector\n\n" + "\n\n".join(texts) + "\n", encoding="utf-8")
    return read_documents([folder / name], 2**20).documents


def test_both_implement_the_interface(store):
    assert isinstance(store, VectorStore)


def test_a_store_never_written_has_no_index(store):
    assert not store.exists()
    with pytest.raises(UserError, match="assistant ingest"):
        store.count()


def test_sync_is_incremental_and_idempotent(store, tmp_path):
    first = documents(tmp_path / "a", CHIPS, TALENT)
    report = store.sync(first, remove_missing=True)
    assert (report.embedded, report.unchanged, report.deleted) == (3, 0, 0)  # title + two paragraphs
    version = store.version()
    again = store.sync(first, remove_missing=True)
    assert (again.embedded, again.unchanged, again.deleted) == (0, 3, 0)
    assert store.version() == version
    changed = store.sync(documents(tmp_path / "b", CHIPS, ENERGY), remove_missing=True)
    assert (changed.embedded, changed.unchanged, changed.deleted) == (1, 2, 1)
    assert store.version() != version
    assert [p.text for p in store.records()][1:] == [CHIPS, ENERGY]


def test_records_queries_and_documents_agree(store, tmp_path):
    docs = documents(tmp_path / "a", CHIPS, TALENT, ENERGY)
    store.sync(docs, remove_missing=False)
    records = store.records()
    assert store.count() == len(records) == 4
    assert [p.id for p in records] == [p.id for p in docs[0].paragraphs]
    nearest = store.query(FakeEmbeddings().embed_query(TALENT), 2)
    assert nearest[0][0] == docs[0].paragraphs[2].id and nearest[0][1] == pytest.approx(1.0, abs=1e-5)
    assert len(nearest) == 2 and nearest[0][1] >= nearest[1][1]
    (summary,) = store.documents()
    assert summary["id"] == docs[0].id and summary["paragraphs"] == 4 and summary["footnotes"] == 0


def test_removed_documents_leave_unless_kept(store, tmp_path):
    letter = read_documents([LETTER], 2**20).documents
    chips = documents(tmp_path / "a", CHIPS)
    store.sync(letter + chips, remove_missing=True)
    kept = store.sync(chips, remove_missing=True, keep=[letter[0].id])
    assert kept.removed_documents == () and kept.deleted == 0
    gone = store.sync(chips, remove_missing=True)
    assert gone.removed_documents == (letter[0].id,) and gone.deleted == len(letter[0].paragraphs)
    assert {p.doc_id for p in store.records()} == {chips[0].id}


def test_bulk_load_takes_given_vectors_and_changes_the_version(store, tmp_path):
    docs = documents(tmp_path / "a", CHIPS, TALENT)
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((3, FakeEmbeddings().dimension))
    assert store.add_embedded(docs, vectors.tolist(), page=2) == 3
    version = store.version()
    assert store.count() == 3 and [p.text for p in store.records()][1:] == [CHIPS, TALENT]
    assert store.query(vectors[1].tolist(), 1)[0][0] == docs[0].paragraphs[1].id
    store.add_embedded(documents(tmp_path / "b", ENERGY, name="energy.txt"), rng.standard_normal((2, 64)).tolist())
    assert store.version() != version and store.count() == 5
    with pytest.raises(ValueError, match="2 vectors for 3 paragraphs"):
        store.add_embedded(docs, vectors[:2].tolist())


def test_rebuild_empties_the_index(store, tmp_path):
    store.sync(documents(tmp_path / "a", CHIPS), remove_missing=False)
    store.rebuild()
    assert not store.exists()
    assert store.sync(documents(tmp_path / "a", CHIPS), remove_missing=False).embedded == 2
    assert store.sentence_vectors([p.id for p in store.records()]) == {}


def test_fake_and_chroma_give_the_same_answers(settings, tmp_path):
    docs = read_documents([LETTER], 2**20).documents + documents(tmp_path / "a", CHIPS, TALENT, ENERGY)
    fake, chroma = FakeStore(FakeEmbeddings()), make_store(settings, FakeEmbeddings())
    reports = [store.sync(docs, remove_missing=True) for store in (fake, chroma)]
    assert reports[0] == reports[1]
    assert fake.records() == chroma.records() and fake.documents() == chroma.documents()
    query = FakeEmbeddings().embed_query("Wie zitten er in de Semicon Board NL?")
    assert [pid for pid, _ in fake.query(query, 10)] == [pid for pid, _ in chroma.query(query, 10)]
    ids = [p.id for p in fake.records()]
    sentences = fake.sentence_vectors(ids)
    assert sentences and sentences.keys() == chroma.sentence_vectors(ids).keys()
    assert all(np.allclose(sorted(map(tuple, sentences[i])), sorted(map(tuple, chroma.sentence_vectors([i])[i])), atol=1e-5) for i in sentences)


def test_the_service_answers_alike_on_either_store(settings):
    question = "Wat is volgens de brief de basis onder onze welvaart?"
    answers = []
    for store in (FakeStore(FakeEmbeddings()), None):  # None: the Chroma store the settings name
        assistant = Assistant(settings, embeddings=FakeEmbeddings(), store=store)
        assert not assistant.ready()[0]
        assert assistant.ensure_index().embedded > 0 and assistant.ready() == (True, "ok")
        answers.append(assistant.ask(question, backend="extractive"))
    assert answers[0].answerable and answers[0].citations
    assert (answers[0].answer, answers[0].citations) == (answers[1].answer, answers[1].citations)



def test_documents_by_id_read_only_those(store, tmp_path):
    chips = documents(tmp_path / "a", CHIPS, name="chips.txt")
    talent = documents(tmp_path / "a", TALENT, name="talent.txt")
    store.sync(chips + talent, remove_missing=False)

    assert [d["id"] for d in store.documents([talent[0].id])] == [talent[0].id]
    assert store.documents([]) == []
    assert store.documents(["bestaat-niet"]) == []
    assert len(store.documents()) == 2
