"""Peer: Hugging Face `token-classification` (9 BIO labels, entities grouped) and
`text-classification` (3 labels) pipelines over every sentence, batch 32, on the same base
encoder. The heads are freshly initialised (no hub here): their weights do not change the time.
Usage: hf_pipelines.py BASE_DIR SENTENCES_TXT THREADS"""
import sys
import torch
import transformers
from transformers import AutoModelForSequenceClassification, AutoModelForTokenClassification, AutoTokenizer, pipeline

transformers.logging.set_verbosity_error()
base, path, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.set_num_threads(threads)
tok = AutoTokenizer.from_pretrained(base, clean_up_tokenization_spaces=False)
labels = ["O", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "B-ORG", "I-ORG", "B-PER", "I-PER"]
ner_model = AutoModelForTokenClassification.from_pretrained(
    base, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})
cls_model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=3)
ner = pipeline("token-classification", model=ner_model, tokenizer=tok, aggregation_strategy="simple", device="cpu")
cls = pipeline("text-classification", model=cls_model, tokenizer=tok, device="cpu")
sents = [l.rstrip("\n") for l in open(path, encoding="utf-8")]
for _ in ner(sents, batch_size=32):
    pass
for _ in cls(sents, batch_size=32, truncation=True):
    pass
