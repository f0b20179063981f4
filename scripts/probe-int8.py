"""How far int8 dynamic quantisation moves the fine-tuned encoder's states, and how much faster
it runs, against fp32 on the same sentences (torch 2.4, CPU). Used to decide whether
`--precision int8` is worth offering; see models/*/MODEL_CARD.md.

Usage: python scripts/probe-int8.py MODEL_DIR SENTENCES_TXT [THREADS]
(run with scripts/bench's venv: .cache/bench-venv/bin/python)"""
import json, sys, time
import torch
from safetensors.torch import load_file
from transformers import BertConfig, BertModel, BertTokenizerFast

model_dir, path = sys.argv[1], sys.argv[2]
torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
config = BertConfig.from_json_file(f"{model_dir}/config.json")
weights = {k[len("bert."):]: v.float() for k, v in load_file(f"{model_dir}/model.safetensors").items() if k.startswith("bert.")}
tok = BertTokenizerFast(tokenizer_file=f"{model_dir}/tokenizer.json")
sents = [l.strip() for l in open(path, encoding="utf-8") if l.strip()]
order = sorted(range(len(sents)), key=lambda i: len(sents[i]))
batches = [tok([sents[i] for i in order[k:k + 32]], padding=True, truncation=True, max_length=256, return_tensors="pt")
           for k in range(0, len(order), 32)]

def fresh():
    m = BertModel(config, add_pooling_layer=False).eval()
    missing, unexpected = m.load_state_dict(weights, strict=False)
    assert not [k for k in missing if "position_ids" not in k], missing
    return m

def run(m):
    out, t0 = [], time.perf_counter()
    with torch.inference_mode():
        for b in batches:
            out.append(m(**b).last_hidden_state.float())
    return out, time.perf_counter() - t0

def cosine(a, b):
    num = den = 0
    cs = []
    for x, y, b in zip(a, b, batches):
        mask = b["attention_mask"].bool()
        cs.append(torch.nn.functional.cosine_similarity(x[mask], y[mask], dim=-1))
    c = torch.cat(cs)
    return float(c.mean()), float(c.min())

run(fresh())  # warm-up: the first pass pays for allocation and kernel selection
ref, t_ref = run(fresh())
results = {"fp32": {"seconds": round(t_ref, 2)}}
def quantize(linear):
    return torch.ao.quantization.quantize_dynamic(torch.nn.Sequential(linear), {torch.nn.Linear}, dtype=torch.qint8)[0]

for name in ["int8_all_linear", "int8_ffn_only", "int8_ffn_in_only", "int8_attention_only"]:
    m = fresh()
    if name == "int8_all_linear":
        q = torch.ao.quantization.quantize_dynamic(m, {torch.nn.Linear}, dtype=torch.qint8)
    else:
        for layer in m.encoder.layer:
            if name in ("int8_ffn_only", "int8_ffn_in_only"):
                layer.intermediate.dense = quantize(layer.intermediate.dense)
            if name == "int8_ffn_only":
                layer.output.dense = quantize(layer.output.dense)
            if name == "int8_attention_only":
                a = layer.attention
                a.self.query, a.self.key, a.self.value = map(quantize, (a.self.query, a.self.key, a.self.value))
                a.output.dense = quantize(a.output.dense)
        q = m
    out, t = run(q)
    mean, low = cosine(ref, out)
    results[name] = {"seconds": round(t, 2), "speedup": round(t_ref / t, 2), "cosine_mean": round(mean, 5), "cosine_min": round(low, 4)}
print(json.dumps({"sentences": len(sents), "threads": torch.get_num_threads(), **results}))
