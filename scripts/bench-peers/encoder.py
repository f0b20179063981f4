"""Peer: the base encoder alone (no heads, no decoding, no output), the ceiling of any Python
stack on this encoder. Sentences sorted by length, batches of 32, torch.inference_mode.
LAYERS, where given, keeps the encoder's first LAYERS layers only: the fast tier's architecture
(a student's speed does not depend on which layers it was initialised from).
Usage: encoder.py BASE_DIR SENTENCES_TXT THREADS fp32|bf16 [LAYERS]"""
import sys
import torch
from transformers import AutoModel, AutoTokenizer

base, path, threads, precision = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
torch.set_num_threads(threads)
tok = AutoTokenizer.from_pretrained(base, clean_up_tokenization_spaces=False)
layers = {"num_hidden_layers": int(sys.argv[5])} if len(sys.argv) > 5 else {}
model = AutoModel.from_pretrained(base, **layers).eval()
sents = [l.rstrip("\n") for l in open(path, encoding="utf-8")]
order = sorted(range(len(sents)), key=lambda i: len(sents[i]))
with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
    for k in range(0, len(order), 32):
        batch = [sents[i] for i in order[k:k + 32]]
        model(**tok(batch, padding=True, truncation=True, max_length=256, return_tensors="pt"))
