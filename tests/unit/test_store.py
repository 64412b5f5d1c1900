"""The paragraph index: idempotent, incremental sync by stable id and content hash; model checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.service import Assistant
from ingest.errors import UserError
from index.embeddings import FakeEmbeddings
from assistant.wiring import make_store
from index.store import IndexMismatchError
from index.vectorstore import sentences_of
from ingest.records import content_hash
from tests.conftest import LETTER

CHIPS = "De chipsector in Eindhoven groeit hard en vraagt om extra woningen, wegen en stroomaansluitingen voor nieuwe fabrieken."
TALENT = "Voor talent trekt het kabinet extra geld uit, zodat technische opleidingen meer studenten kunnen opleiden en behouden."
ENERGY = "Netcongestie remt de groei van bedrijven in de regio; de netbeheerder versnelt daarom de uitbreiding van het stroomnet."
EXPORT = "Exportcontroles op lithografiemachines beperken de verkoop van geavanceerde apparatuur aan landen buiten Europa."
TALENT_V2 = "Voor talent trekt het kabinet structureel geld uit, zodat technische opleidingen meer studenten kunnen opleiden en behouden."
WATER = "Chipfabrieken gebruiken veel zuiver water; het kabinet onderzoekt met drinkwaterbedrijven hoe dat duurzaam kan."
RESEARCH = "Onderzoeksinstituten en universiteiten werken in publiek-private programma's aan fotonica en nieuwe chipontwerpen."


class CountingEmbeddings(FakeEmbeddings):
    """FakeEmbeddings that remember every text they were asked to embed as a passage."""

    def __init__(self, dimension: int = 64, model_id: str | None = None):
        super().__init__(dimension)
        if model_id:
            self.model_id = model_id
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded.extend(texts)
        return super().embed_documents(texts)


def write(folder: Path, name: str, *paragraphs: str, title: str = "Brief over de chipsector") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / LETTER.name).write_bytes(LETTER.read_bytes())
    write(folder, "chips.txt", CHIPS, TALENT, ENERGY, EXPORT)
    return folder


@pytest.fixture
def embeddings() -> CountingEmbeddings:
    return CountingEmbeddings()


@pytest.fixture
def assistant(settings, corpus, embeddings) -> Assistant:
    return Assistant(settings.replace(corpus_dir=corpus), embeddings=embeddings)


def texts_of(assistant: Assistant, doc_id: str) -> list[str]:
    return [p.text for p in assistant.store.records() if p.doc_id == doc_id]


def test_first_ingest_embeds_every_record_with_id_and_content_hash(assistant, embeddings):
    result = assistant.ingest()
    records = assistant.store.records()

    assert result.embedded == len(records) == result.report.paragraphs == assistant.store.count()
    # Each record once, and each sentence of a record of two sentences or more.
    assert len(embeddings.embedded) == len(records) + sum(len(sentences_of(p)) for p in records)
    assert len({p.id for p in records}) == len(records)
    assert all(p.id.startswith(f"{p.doc_id}:") for p in records)
    assert all(p.hash == content_hash(p.text) for p in records)
    assert [p.text for p in records if p.doc_id == "chips"] == ["Brief over de chipsector", CHIPS, TALENT, ENERGY, EXPORT]


def test_reingesting_unchanged_documents_embeds_nothing(assistant, embeddings):
    first = assistant.ingest()
    ids = [p.id for p in assistant.store.records()]
    embeddings.embedded.clear()

    again = assistant.ingest()

    assert embeddings.embedded == []
    assert (again.embedded, again.updated, again.deleted) == (0, 0, 0)
    assert again.unchanged == first.embedded
    assert [p.id for p in assistant.store.records()] == ids


def test_reingesting_unchanged_documents_writes_nothing(assistant, monkeypatch):
    from chromadb.api.models.Collection import Collection

    assistant.ingest()
    writes = []
    for name in ("add", "upsert", "update", "delete"):
        original = getattr(Collection, name)
        monkeypatch.setattr(Collection, name, lambda self, *a, _n=name, _f=original, **kw: writes.append(_n) or _f(self, *a, **kw))

    assistant.ingest()

    assert writes == []


def test_ids_are_stable_across_fresh_indexes(settings, corpus, tmp_path):
    one = Assistant(settings.replace(corpus_dir=corpus), embeddings=FakeEmbeddings())
    two = Assistant(settings.replace(corpus_dir=corpus, home=tmp_path / "other-home"), embeddings=FakeEmbeddings())
    one.ingest()
    two.ingest()
    assert [p.id for p in one.store.records()] == [p.id for p in two.store.records()]


def test_changed_document_embeds_only_changed_paragraphs_and_deletes_vanished(assistant, embeddings, corpus):
    assistant.ingest()
    embeddings.embedded.clear()
    write(corpus, "chips.txt", CHIPS, TALENT_V2, ENERGY, WATER)

    result = assistant.ingest()

    assert embeddings.embedded == [TALENT_V2, WATER]
    assert (result.embedded, result.deleted) == (2, 2)
    assert texts_of(assistant, "chips") == ["Brief over de chipsector", CHIPS, TALENT_V2, ENERGY, WATER]
    # The letter was not touched at all.
    assert result.unchanged == result.report.paragraphs - 2


TWO_SENTENCES = "Het kabinet investeert in de regio. Daarom groeit het aantal banen in Eindhoven snel."
TWO_SENTENCES_V2 = "Het kabinet investeert in de regio Eindhoven."


def test_sentences_of_a_paragraph_get_vectors_replaced_with_it_and_removed_with_its_document(assistant, embeddings, corpus):
    write(corpus, "chips.txt", CHIPS, TWO_SENTENCES)
    assistant.ingest()
    by_text = {p.text: p.id for p in assistant.store.records()}
    vectors = assistant.store.sentence_vectors([by_text[CHIPS], by_text[TWO_SENTENCES]])
    assert list(vectors) == [by_text[TWO_SENTENCES]]  # one sentence: its paragraph's vector is enough
    assert len(vectors[by_text[TWO_SENTENCES]]) == 2
    assert vectors[by_text[TWO_SENTENCES]][1] == pytest.approx(FakeEmbeddings().embed_documents(["Daarom groeit het aantal banen in Eindhoven snel."])[0])

    write(corpus, "chips.txt", CHIPS, TWO_SENTENCES_V2)
    assistant.ingest()
    assert assistant.store.sentence_vectors([by_text[TWO_SENTENCES]]) == {}  # the paragraph vanished, and its sentences

    write(corpus, "chips.txt", CHIPS, TWO_SENTENCES)
    assistant.ingest()
    assert len(assistant.store.sentence_vectors([by_text[TWO_SENTENCES]])[by_text[TWO_SENTENCES]]) == 2
    (corpus / "chips.txt").unlink()
    assistant.ingest()
    assert assistant.store.sentence_vectors([by_text[TWO_SENTENCES]]) == {}


def test_moved_paragraphs_update_metadata_without_new_vectors(assistant, embeddings, corpus):
    assistant.ingest()
    embeddings.embedded.clear()
    write(corpus, "chips.txt", RESEARCH, CHIPS, TALENT, ENERGY, EXPORT)

    result = assistant.ingest()

    assert embeddings.embedded == [RESEARCH]
    assert result.embedded == 1 and result.updated == 4 and result.deleted == 0
    chips = [p for p in assistant.store.records() if p.doc_id == "chips"]
    assert [p.text for p in chips] == ["Brief over de chipsector", RESEARCH, CHIPS, TALENT, ENERGY, EXPORT]
    assert [p.label for p in chips[1:]] == [f"alinea {n}" for n in range(1, 6)]


def test_document_removed_from_corpus_folder_loses_its_paragraphs(assistant, corpus):
    assistant.ingest()
    chips = len(texts_of(assistant, "chips"))
    before = assistant.store.count()
    (corpus / "chips.txt").unlink()

    result = assistant.ingest()

    assert result.removed_documents == ("chips",)
    assert result.deleted == chips
    assert texts_of(assistant, "chips") == []
    assert assistant.store.count() == before - chips
    assert [d["id"] for d in assistant.store.documents()] == ["kamerbrief-semicon-visie-2035"]


def test_ingesting_specific_paths_keeps_other_documents(assistant, corpus, embeddings, tmp_path):
    assistant.ingest()
    before = assistant.store.count()
    extra = write(tmp_path / "elsewhere", "water.txt", WATER, title="Notitie over water")
    (corpus / "chips.txt").unlink()

    result = assistant.ingest([extra])

    assert result.removed_documents == () and result.deleted == 0
    assert assistant.store.count() == before + 2
    assert {d["id"] for d in assistant.store.documents()} == {"kamerbrief-semicon-visie-2035", "chips", "water"}
    assert WATER in texts_of(assistant, "water")


def test_file_that_fails_to_read_keeps_its_indexed_records(assistant, corpus):
    assistant.ingest()
    kept = texts_of(assistant, "chips")
    (corpus / "chips.txt").write_text("  \n", encoding="utf-8")  # empty now: the reader rejects it

    result = assistant.ingest()

    assert [s.path for s in result.report.skipped] == [str(corpus / "chips.txt")]
    assert result.removed_documents == () and result.deleted == 0
    assert texts_of(assistant, "chips") == kept
    assert assistant.search("chipsector Eindhoven woningen", 1)[0].paragraph.text == CHIPS


def test_corrupt_pdf_keeps_its_indexed_records(assistant, corpus):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = corpus / "rapport.pdf"
    page = canvas.Canvas(str(pdf), pagesize=A4)
    page.drawString(72, 760, "Rapport over fotonica")
    page.drawString(72, 720, "Fotonica is een sleuteltechnologie voor nieuwe chips en sensoren in Nederland.")
    page.save()
    assistant.ingest()
    kept = texts_of(assistant, "rapport")
    assert any("Fotonica is een sleuteltechnologie" in t for t in kept)
    pdf.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)

    result = assistant.ingest()

    assert [s.path for s in result.report.skipped] == [str(pdf)]
    assert texts_of(assistant, "rapport") == kept


def test_index_records_model_id_and_dimension(assistant):
    assistant.ingest()
    metadata = assistant.store.client.get_collection(assistant.settings.collection).metadata
    assert metadata["embedding_model"] == "fake-64"
    assert metadata["dimension"] == 64


@pytest.mark.parametrize("model_id, stated", [(None, "'fake-64', maar ingesteld is 'fake-32'"), ("fake-64", "64 dimensies")], ids=["model", "dimension"])
def test_other_embedding_model_is_a_clear_mismatch(assistant, model_id, stated):
    assistant.ingest()
    other = CountingEmbeddings(32, model_id=model_id)
    reopened = Assistant(assistant.settings, embeddings=other)

    with pytest.raises(IndexMismatchError, match="assistant index --rebuild") as raised:
        reopened.search("halfgeleiders")
    assert stated in str(raised.value)
    with pytest.raises(IndexMismatchError, match="assistant index --rebuild"):
        reopened.ingest()
    assert other.embedded == []
    assert isinstance(IndexMismatchError("x"), UserError)
    if other.model_id != "fake-64":
        # A model id differs without loading the model; a dimension needs the model, so it is
        # caught on the first search or ingest (above), not by the cheap readiness check.
        ok, message = reopened.ready()
        assert not ok and "assistant index --rebuild" in message


def test_rebuild_reindexes_for_the_new_model(assistant):
    assistant.ingest()
    count = assistant.store.count()
    other = CountingEmbeddings(32)
    rebuilt = Assistant(assistant.settings, embeddings=other)

    rebuilt.rebuild_index()
    result = rebuilt.ingest()

    assert result.embedded == count == rebuilt.store.count()
    metadata = rebuilt.store.client.get_collection(assistant.settings.collection).metadata
    assert {k: metadata[k] for k in ("embedding_model", "dimension")} == {"embedding_model": "fake-32", "dimension": 32}
    assert metadata["generation"]  # a fresh token: other processes see that the index changed
    assert rebuilt.search("chipsector Eindhoven woningen", 1)[0].paragraph.text == CHIPS


def test_cli_reports_mismatch_and_rebuilds(settings, corpus):
    home = settings.home
    Assistant(settings.replace(corpus_dir=corpus), embeddings=FakeEmbeddings(32)).ingest()
    args = ["--home", str(home), "--corpus-dir", str(corpus), "--embedding-model", "fake"]
    runner = CliRunner()

    status = runner.invoke(cli, [*args, "index"])
    assert status.exit_code == 0, status.output
    assert "assistant index --rebuild" in status.output

    rebuilt = runner.invoke(cli, [*args, "index", "--rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    after = runner.invoke(cli, [*args, "index"])
    assert after.exit_code == 0 and "; ok" in after.output, after.output
    store = make_store(settings.replace(corpus_dir=corpus), FakeEmbeddings())
    assert store.count() == sum(1 for _ in store.records()) > 0


def test_missing_index_is_a_clear_error(settings):
    store = make_store(settings, FakeEmbeddings())
    assert not store.exists()
    with pytest.raises(UserError, match="assistant ingest"):
        store.count()
    ok, message = Assistant(settings, embeddings=FakeEmbeddings()).ready()
    assert not ok and "ingest" in message
