"""Writes GGUF files with llama.cpp's own `gguf` package (pinned from PyPI by scripts/setup.sh),
for llmops's header reader: several architectures, a per-layer KV head array, a split set, a
file cut inside its header, a file that is not GGUF, and (mode `sparse`) a multi-GB sparse file
whose header describes real-sized tensors. Prints what each file should read as, in JSON.

Usage: hub_gguf.py models OUT_DIR          (the test set; JSON on stdout)
       hub_gguf.py sparse OUT_FILE GIB     (a sparse file of GIB GiB for the benchmark)
"""

import json
import os
import sys

import numpy as np
import gguf


def add_vocab(writer, count):
    writer.add_tokenizer_model("gpt2")
    writer.add_token_list([f"tok{i}" for i in range(count)])


def dense_model(path, arch, layers, heads, heads_kv, embd, ctx, file_type, template):
    writer = gguf.GGUFWriter(path, arch)
    writer.add_name(f"Test {arch}")
    writer.add_block_count(layers)
    writer.add_context_length(ctx)
    writer.add_embedding_length(embd)
    writer.add_feed_forward_length(embd * 2)
    writer.add_head_count(heads)
    writer.add_head_count_kv(heads_kv)
    writer.add_file_type(file_type)
    if template:
        writer.add_chat_template(template)
    add_vocab(writer, 1000)
    elements = 0
    tensors = [("token_embd.weight", (1000, embd))]
    for layer in range(layers):
        tensors.append((f"blk.{layer}.attn_q.weight", (embd, embd)))
        tensors.append((f"blk.{layer}.ffn_up.weight", (embd * 2, embd)))
    tensors.append(("output_norm.weight", (embd,)))
    for name, shape in tensors:
        writer.add_tensor(name, np.zeros(shape, dtype=np.float16))
        elements += int(np.prod(shape))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return elements


def models(out):
    os.makedirs(out, exist_ok=True)
    expected = {}
    path = os.path.join(out, "tiny-llama-F16.gguf")
    params = dense_model(path, "llama", 4, 8, 2, 256, 2048, 1, "{{ messages }}")
    expected["tiny-llama-F16.gguf"] = {
        "architecture": "llama", "block_count": 4, "context_length": 2048,
        "quantization": "F16", "parameter_count": params, "has_chat_template": True,
    }
    path = os.path.join(out, "hybrid-mixed-kv.gguf")
    params = dense_model(path, "jamba", 4, 8, [4, 0, 4, 0], 128, 4096, 1, None)
    expected["hybrid-mixed-kv.gguf"] = {
        "architecture": "jamba", "block_count": 4, "context_length": 4096,
        "quantization": "F16", "parameter_count": params, "has_chat_template": False,
    }
    # A split set: the writer names the shards <stem>-0000N-of-0000M.gguf.
    writer = gguf.GGUFWriter(os.path.join(out, "split-qwen2.gguf"), "qwen2", split_max_tensors=3)
    writer.add_block_count(2)
    writer.add_context_length(32768)
    writer.add_embedding_length(64)
    writer.add_head_count(4)
    writer.add_file_type(1)
    add_vocab(writer, 50)
    shapes = [("token_embd.weight", (50, 64))] + [
        (f"blk.{l}.{t}.weight", (64, 64)) for l in range(2) for t in ("attn_q", "attn_k", "ffn_up")
    ]
    for name, shape in shapes:
        writer.add_tensor(name, np.zeros(shape, dtype=np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    shards = sorted(f for f in os.listdir(out) if f.startswith("split-qwen2-"))
    expected[shards[0]] = {"architecture": "qwen2", "block_count": 2, "shards": len(shards), "split_count": len(shards)}
    # Cut inside the header (the tokenizer array): an unfinished download.
    whole = os.path.join(out, "tiny-llama-F16.gguf")
    with open(whole, "rb") as f:
        head = f.read(3000)
    with open(os.path.join(out, "cut-short.gguf"), "wb") as f:
        f.write(head)
    expected["cut-short.gguf"] = {"problem": "gguf_truncated"}
    with open(os.path.join(out, "not-a-model.gguf"), "wb") as f:
        f.write(b"PK\x03\x04 this is a zip file, not a model" * 10)
    expected["not-a-model.gguf"] = {"problem": "gguf_not_gguf"}
    print(json.dumps(expected))


def sparse(path, gib):
    """A llama-shaped header whose Q4_0 tensors add up to about `gib` GiB, then a hole."""
    embd, layers = 4096, 32
    ffn = int(gib * (1 << 30) / layers / 3 / embd / (18 / 32))
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_block_count(layers)
    writer.add_context_length(131072)
    writer.add_embedding_length(embd)
    writer.add_head_count(32)
    writer.add_head_count_kv(8)
    writer.add_file_type(2)
    add_vocab(writer, 128256)
    total = 0
    for layer in range(layers):
        for name in ("ffn_up", "ffn_gate", "ffn_down"):
            nbytes = ffn * embd // 32 * 18
            writer.add_tensor_info(f"blk.{layer}.{name}.weight", (ffn, embd // 32 * 18), np.dtype(np.uint8), nbytes,
                                   raw_dtype=gguf.GGMLQuantizationType.Q4_0)
            total += nbytes
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    writer.close()
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) + total)
    print(json.dumps({"path": path, "bytes": os.path.getsize(path)}))


if __name__ == "__main__":
    if sys.argv[1] == "models":
        models(sys.argv[2])
    else:
        sparse(sys.argv[2], float(sys.argv[3]))
