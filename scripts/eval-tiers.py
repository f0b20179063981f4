"""Every dev metric of one or more models, through `actorstance eval` (the commands the README
and the model cards give), as one JSON object per model: NER (CoNLL dev), target sentiment
(NewsMTSC rw and mt dev), directed stance with gold spans and end to end (DSA valid, the cut
chosen on valid), PerSenT dev (net portrayal, cross-validated), attribution (PolNeAR dev,
token F1), actors (tests/data/actors.jsonl). Dev and valid splits only.
Usage: eval-tiers.py BINARY DATA_DIR OUT.json MODEL [MODEL ...]   (MODEL: a folder, default or fast)"""
import json, os, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)


def run(binary, model, task, gold, *extra):
    cmd = [binary, "eval", task, "--gold", gold, "--model", model, *extra]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=root)
    if p.returncode != 0:
        sys.exit(f"eval-tiers: {' '.join(cmd)} failed:\n{p.stderr[-2000:]}")
    print(f"eval-tiers: {model} {task} {' '.join(extra)}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return json.loads(p.stdout)


def metrics(binary, data, model):
    d = lambda *p: os.path.join(data, *p)
    ner = run(binary, model, "ner", d("conll2003", "iob2", "dev.txt"))
    rw = run(binary, model, "tsc", d("newsmtsc", "newsmtsc-rw", "dev.jsonl"))
    mt = run(binary, model, "tsc", d("newsmtsc", "newsmtsc-mt", "dev.jsonl"))
    dsa = run(binary, model, "dsa", d("dsa", "valid.txt"))
    e2e = run(binary, model, "dsa", d("dsa", "valid.txt"), "--end-to-end", "--choose-cut")
    persent = run(binary, model, "persent", d("persent", "dev.csv"))
    attribution = run(binary, model, "attribution", d("polnear", "dev"))
    actors = run(binary, model, "actors", os.path.join(root, "tests", "data", "actors.jsonl"))
    return {
        "ner_f1": ner["f1"],
        "newsmtsc_rw_f1_macro": rw["f1_macro"],
        "newsmtsc_mt_f1_macro": mt["f1_macro"],
        "dsa_gold_spans_f1_macro": dsa["f1_macro"],
        "dsa_end_to_end_f1_macro": e2e["f1_macro"],
        "dsa_end_to_end_pairs_found": e2e["pair_found"],
        "dsa_end_to_end_cut": e2e["cut"],
        "persent_cross_validated_f1_macro": persent["cross_validated_f1_macro"]["net"],
        "attribution_token_f1": {r: attribution["token"][r]["f1"] for r in ("source", "cue", "content")},
        "actors_precision": actors["precision"],
        "actors_recall": actors["recall"],
    }


def main():
    binary, data, out, models = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    results = {m: metrics(binary, data, m) for m in models}
    with open(out, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
