"""The official `openai` Python SDK (pinned, from PyPI) against llmops's /v1 gateway.

Run by tests/e2e/gateway.mjs with OPENAI_BASE_URL pointing at a fresh `llmops serve` whose
starter model is stopped: the first request starts it on demand. Every check asserts on what the
SDK parsed, so the gateway must satisfy the SDK's own types, not the other way round.
"""

import os
import sys

import openai
from openai import OpenAI

MODEL = os.environ["LLMOPS_MODEL"]
client = OpenAI(api_key="unused-on-loopback", max_retries=0, timeout=180)
checks = []


def check(name):
    def wrap(fn):
        checks.append((name, fn))
        return fn

    return wrap


@check("models.list names the starter model by its stable name, with its state")
def _():
    models = client.models.list()
    ids = [m.id for m in models.data]
    assert MODEL in ids, ids
    entry = next(m for m in models.data if m.id == MODEL)
    assert entry.object == "model"
    extra = entry.model_extra["llmops"]
    assert extra["state"] in ("stopped", "running", "starting"), extra
    retrieved = client.models.retrieve(MODEL)
    assert retrieved.id == MODEL


@check("a non-streamed chat completion (the first one starts the model) honours max_tokens")
def _():
    answer = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Name three colours."}],
        max_tokens=5,
        temperature=0,
    )
    assert answer.object == "chat.completion", answer
    assert answer.choices[0].message.role == "assistant"
    assert answer.choices[0].message.content, answer
    assert answer.usage.completion_tokens <= 5, answer.usage
    assert answer.choices[0].finish_reason in ("length", "stop")


@check("a streamed chat completion with stream_options.include_usage ends with usage")
def _():
    stream = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Count from one to five."}],
        max_tokens=12,
        temperature=0,
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces, usage = [], None
    for chunk in stream:
        assert chunk.object == "chat.completion.chunk", chunk
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
        if chunk.usage:
            usage = chunk.usage
    assert "".join(pieces).strip(), pieces
    assert usage is not None and usage.completion_tokens == 12, usage


@check("stop sequences end the answer before them")
def _():
    answer = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Write the numbers 1 to 20, one per line."}],
        max_tokens=60,
        temperature=0,
        stop=["\n"],
    )
    text = answer.choices[0].message.content
    assert "\n" not in text, repr(text)
    assert answer.choices[0].finish_reason == "stop", answer.choices[0]


@check("legacy completions, streamed and not")
def _():
    whole = client.completions.create(model=MODEL, prompt="The sky is", max_tokens=4, temperature=0)
    assert whole.object == "text_completion", whole
    assert whole.choices[0].text, whole
    assert whole.usage.completion_tokens <= 4
    texts = [
        c.choices[0].text
        for c in client.completions.create(model=MODEL, prompt="Grass is", max_tokens=4, stream=True)
        if c.choices
    ]
    assert "".join(texts), texts


@check("an unknown model is a NotFoundError naming the known ones")
def _():
    try:
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}])
    except openai.NotFoundError as err:
        assert err.code == "model_not_found", err.body
        assert MODEL in err.message, err.message
    else:
        raise AssertionError("no error for an unknown model")


@check("what the engine refuses (a prompt past its context) is its own 400, passed through")
def _():
    try:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hello " * 40000}], max_tokens=1)
    except openai.BadRequestError as err:
        assert err.status_code == 400
    else:
        raise AssertionError("no error for a prompt past the context")


failed = 0
for name, fn in checks:
    try:
        fn()
        print(f"ok    {name}")
    except Exception as err:  # noqa: BLE001 - report every check
        failed += 1
        print(f"FAIL  {name}: {type(err).__name__}: {err}")
print(f"openai {openai.__version__}: {len(checks) - failed} of {len(checks)} checks passed")
sys.exit(1 if failed else 0)
