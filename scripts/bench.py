"""The benchmark behind scripts/bench: actorstance and its peers as whole processes on one
corpus built from PerSenT dev (and its 5x and 10x repetitions for scaling). Rows are paired:
each round runs every row once, in the same order (A B C, A B C, ...), so that a machine's
drift hits every row alike; a row's time is its median over the rounds, and each ratio is the
median of the per-round ratios, with their spread (min, max). Writes bench/results.json and
prints the README's table. Run through scripts/bench, which builds the binary and installs the
peers first.

Every peer reads the same sentences that actorstance analysed (taken from its output's
sentence offsets), so word pieces per second compare like with like."""
import argparse, csv, datetime, json, os, platform, subprocess, sys, time

csv.field_size_limit(sys.maxsize)
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)


def cpu():
    model, flags = platform.processor() or "unknown", set()
    for line in open("/proc/cpuinfo"):
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            model = value.strip()
        elif key.strip() == "flags":
            flags = set(value.split())
    return model, flags


def timed(name, cmd, articles, pieces, **extra):
    """Runs cmd to completion once; wall seconds and the process's own peak RSS (wait4)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: {name} failed:\n{stderr.decode(errors='replace')[-2000:]}")
    row = {"system": name, "seconds": round(seconds, 2), "raw_seconds": seconds, "articles": articles,
           "articles_per_s": round(articles / seconds, 2), "word_pieces_per_s": round(pieces / seconds),
           "peak_rss_mib": round(usage.ru_maxrss / 1024), **extra}
    print(f"bench: {name}: {row['seconds']} s, {row['articles_per_s']} articles/s, {row['peak_rss_mib']} MiB", file=sys.stderr)
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--scales", default="1,5,10", help="corpus repetitions for the scaling rows")
    ap.add_argument("--bf16", choices=["auto", "yes", "no"], default="auto",
                    help="bf16 rows: auto = only where the CPU has AVX-512 BF16 (elsewhere bf16 is emulated, ~30x slower)")
    ap.add_argument("--limit", type=int, help="only the first N articles of PerSenT dev (a quick trial)")
    ap.add_argument("--rounds", type=int, default=3, help="paired rounds (each runs every row once)")
    ap.add_argument("--no-peers", action="store_true", help="actorstance rows only (no Python peers)")
    ap.add_argument("--against", help="another actorstance binary, run as a paired row (before/after a change)")
    ap.add_argument("--no-fast", action="store_true", help="leave the fast tier's rows out")
    ap.add_argument("--metrics", action="store_true",
                    help="also every dev metric of both tiers (scripts/eval-tiers.py, after the timed rounds)")
    ap.add_argument("--isa", choices=["native", "avx2"], default="native",
                    help="avx2: every run's MKL, oneDNN and ATen kernels held to AVX2 (MKL_ENABLE_INSTRUCTIONS and "
                         "kin), to measure an AVX2-only CPU's instruction set on a newer one; no bf16 rows")
    ap.add_argument("--out", default=os.path.join(root, "bench", "results.json"))
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    binary = os.path.join(root, "target", "release", "actorstance")
    base = os.path.join(root, ".cache", "base-model")
    python = sys.executable
    model_name, flags = cpu()
    has_bf16 = "avx512_bf16" in flags
    if a.isa == "avx2":
        # Children inherit these: the Python peers' torch is held to the same kernels.
        os.environ.update(MKL_ENABLE_INSTRUCTIONS="AVX2", ONEDNN_MAX_CPU_ISA="AVX2", ATEN_CPU_CAPABILITY="avx2")
        has_bf16 = False
    bf16 = a.bf16 == "yes" or (a.bf16 == "auto" and has_bf16)
    auto = "bf16" if has_bf16 else "fp32"

    # The corpus: PerSenT dev as JSONL (id, title, text), and its repetitions.
    rows = list(csv.DictReader(open(os.path.join(root, "..", "shared", "data", "persent", "dev.csv"), encoding="utf-8")))
    rows = rows[:a.limit] if a.limit else rows
    scales = [int(s) for s in a.scales.split(",")]
    corpus = {}
    for k in sorted(set(scales) | {1}):
        corpus[k] = os.path.join(a.work, f"corpus-x{k}.jsonl")
        with open(corpus[k], "w", encoding="utf-8") as f:
            for r in range(k):
                for row in rows:
                    rid = row["DOCUMENT_INDEX"] if r == 0 else f"{row['DOCUMENT_INDEX']}#{r}"
                    f.write(json.dumps({"id": rid, "title": row["TITLE"], "text": row["DOCUMENT"]}) + "\n")
    n = len(rows)

    def analyze(k, precision, model="default"):
        out = os.path.join(a.work, f"out-x{k}-{precision}-{model}.jsonl")
        return [binary, "analyze", "--threads", str(a.threads), "--precision", precision, "--model", model,
                corpus[k], "-o", out], out

    # The fast tier: the bundled student (half the encoder's layers, distilled from the default).
    fast_dir = os.path.join(root, "models", "actorstance-minilm-fast-v3")
    fast = not a.no_fast and os.path.isdir(fast_dir)
    if not a.no_fast and not fast:
        print(f"bench: no fast tier at {fast_dir}: its rows are left out", file=sys.stderr)
    fast_layers = json.load(open(os.path.join(fast_dir, "config.json")))["num_hidden_layers"] if fast else None
    default_name = json.load(open(os.path.join(root, "models", "actorstance-minilm-v5", "heads.json")))["name"]
    fast_name = json.load(open(os.path.join(fast_dir, "heads.json")))["name"] if fast else None

    # actorstance first: its output gives the sentences every peer reads.
    cmd, out = analyze(1, auto)
    timed("actorstance", cmd, n, 0, precision=auto)  # a warm-up, outside the paired rounds
    sentences = os.path.join(a.work, "sentences.txt")
    texts = {row["DOCUMENT_INDEX"]: row["DOCUMENT"] for row in rows}
    with open(out, encoding="utf-8") as f, open(sentences, "w", encoding="utf-8") as g:
        for line in f:
            r = json.loads(line)
            for s in r.get("sentences", []):
                g.write(texts[r["id"]][s["start"]:s["end"]].replace("\n", " ") + "\n")
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(base, "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    lines = [l.rstrip("\n") for l in open(sentences, encoding="utf-8")]
    pieces = sum(len(e.ids) for e in tok.encode_batch(lines, add_special_tokens=False))

    # The paired rows: (name, command, extra fields).
    rows = [("actorstance", cmd, {"precision": auto, "model": default_name})]
    if a.against:
        other = [a.against] + cmd[1:]
        rows.append(("actorstance-against", other, {"precision": auto, "binary": a.against}))
    peers = os.path.join(here, "bench-peers")
    # The Python package (python/) in the same process as its caller, against the CLI row.
    rows.append(("actorstance-python-api", [python, os.path.join(peers, "python_api.py"), corpus[1],
                                            str(a.threads), auto], {"precision": auto}))
    for precision in ["fp32", "bf16"]:
        if precision != auto and (precision == "fp32" or bf16):
            rows.append(("actorstance", analyze(1, precision)[0], {"precision": precision, "model": default_name}))
    if fast:
        for precision in ["fp32"] + (["bf16"] if bf16 else []):
            rows.append(("actorstance-fast", analyze(1, precision, "fast")[0], {"precision": precision, "model": fast_name}))
    if not a.no_peers:
        for precision in ["fp32"] + (["bf16"] if bf16 else []):
            rows.append(("python-encoder-only", [python, os.path.join(peers, "encoder.py"), base, sentences,
                                                 str(a.threads), precision], {"precision": precision}))
            if fast:  # the fast tier's architecture in Python, so that its ratio compares like with like
                rows.append((f"python-encoder-only-{fast_layers}-layers",
                             [python, os.path.join(peers, "encoder.py"), base, sentences, str(a.threads), precision,
                              str(fast_layers)], {"precision": precision}))
        rows.append(("huggingface-pipelines", [python, os.path.join(peers, "hf_pipelines.py"), base, sentences,
                                               str(a.threads)], {"precision": "fp32"}))
        rows.append(("spacy-en_core_web_sm", [python, os.path.join(peers, "spacy_pipeline.py"), corpus[1]],
                     {"precision": "fp32"}))
    runs = [[] for _ in rows]
    for _ in range(max(1, a.rounds)):
        for k, (name, c, extra) in enumerate(rows):
            runs[k].append(timed(name, c, n, pieces, **extra))

    def median(xs):
        xs = sorted(xs)
        m = len(xs) // 2
        return xs[m] if len(xs) % 2 else (xs[m - 1] + xs[m]) / 2

    systems = []
    for (name, _, extra), rs in zip(rows, runs):
        seconds = median([r["raw_seconds"] for r in rs])
        systems.append({"system": name, "seconds": round(seconds, 2), "rounds": [r["seconds"] for r in rs],
                        "articles": n, "articles_per_s": round(n / seconds, 2),
                        "word_pieces_per_s": round(pieces / seconds),
                        "peak_rss_mib": max(r["peak_rss_mib"] for r in rs), **extra})
    ours_runs = runs[0]
    ratios = {}
    for (name, _, extra), rs, s in zip(rows[1:], runs[1:], systems[1:]):
        key = f"{name}-{extra['precision']}"
        per_round = [p["raw_seconds"] / o["raw_seconds"] for p, o in zip(rs, ours_runs)]
        ratios[key] = {"speed": round(median(per_round), 3),
                       "speed_spread": [round(min(per_round), 3), round(max(per_round), 3)],
                       "peak_rss": round(systems[0]["peak_rss_mib"] / s["peak_rss_mib"], 2)}
    first = systems[0]

    # The tiers side by side, per precision: the fast tier's speed-up over the default, and each
    # tier's over the bare Python encoder of its own architecture (per-round ratios, paired).
    def paired(slow, quick):
        per_round = [s["raw_seconds"] / q["raw_seconds"] for s, q in zip(slow, quick)]
        return {"speed": round(median(per_round), 3),
                "speed_spread": [round(min(per_round), 3), round(max(per_round), 3)]}

    index = {(name, extra["precision"]): k for k, (name, _, extra) in enumerate(rows)}
    tiers = {}
    for precision in ["fp32", "bf16"]:
        d, f = index.get(("actorstance", precision)), index.get(("actorstance-fast", precision))
        p6 = index.get(("python-encoder-only", precision))
        p3 = index.get((f"python-encoder-only-{fast_layers}-layers", precision))
        t = {}
        if d is not None and f is not None:
            t["fast_over_default"] = paired(runs[d], runs[f])
        if d is not None and p6 is not None:
            t["default_over_python_encoder"] = paired(runs[p6], runs[d])
        if f is not None and p3 is not None:
            t["fast_over_python_encoder_same_layers"] = paired(runs[p3], runs[f])
        if t:
            tiers[precision] = t

    scaling = [{"scale": 1, "articles": n, "seconds": first["seconds"], "peak_rss_mib": first["peak_rss_mib"]}]
    for k in scales:
        if k != 1:
            r = timed(f"actorstance-x{k}", analyze(k, auto)[0], n * k, pieces * k, precision=auto)
            scaling.append({"scale": k, "articles": n * k, "seconds": r["seconds"], "peak_rss_mib": r["peak_rss_mib"]})
    # Least squares seconds = fixed + per_article * articles.
    xs, ys = [p["articles"] for p in scaling], [p["seconds"] for p in scaling]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else None
    results = {
        "date": datetime.date.today().isoformat(),
        "cpu": model_name, "cpu_has_avx512_bf16": has_bf16, "isa": a.isa, "threads": a.threads,
        "corpus": {"source": "PerSenT dev.csv (DOCUMENT as text)", "articles": n, "sentences": len(lines), "word_pieces": pieces},
        "auto_precision": auto,
        "rounds": max(1, a.rounds),
        "systems": systems,
        "ratios_actorstance_over_peer": ratios,
        "tiers": tiers,
        "scaling": {"points": scaling,
                    "seconds_per_article": round(slope, 4) if slope is not None else None,
                    "fixed_seconds": round(my - slope * mx, 2) if slope is not None else None,
                    "time_growth_per_corpus_growth": [round((p["seconds"] / scaling[0]["seconds"]) / p["scale"], 3) for p in scaling]},
    }
    if a.metrics:
        models = ["default"] + (["fast"] if fast else [])
        out = os.path.join(a.work, "metrics.json")
        subprocess.run([python, os.path.join(here, "eval-tiers.py"), binary, os.path.join(root, "..", "shared", "data"),
                        out, *models], check=True, stdout=subprocess.DEVNULL)
        named = {"default": default_name, "fast": fast_name}
        results["dev_metrics"] = {named[m]: v for m, v in json.load(open(out)).items()}
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    isa = " (kernels held to AVX2)" if a.isa == "avx2" else ""
    print(f"{n} articles, {len(lines)} sentences, {pieces} word pieces; {a.threads} threads; {model_name}{isa}\n")
    print(f"median of {max(1, a.rounds)} paired rounds; speed-up: median of the per-round ratios (spread)\n")
    print("| system | model | precision | seconds | articles/s | word pieces/s | peak RSS MiB | actorstance speed-up |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for s in systems:
        key = f"{s['system']}-{s['precision']}"
        r = ratios.get(key)
        up = f"{r['speed']:.2f}x ({r['speed_spread'][0]:.2f}–{r['speed_spread'][1]:.2f})" if r else "–"
        print(f"| {s['system']} | {s.get('model', '–')} | {s['precision']} | {s['seconds']:.1f} | {s['articles_per_s']:.1f} | {s['word_pieces_per_s']} | {s['peak_rss_mib']} | {up} |")
    for precision, t in tiers.items():
        print(f"\ntiers, {precision}: " + ", ".join(
            f"{k} {v['speed']:.2f}x ({v['speed_spread'][0]:.2f}–{v['speed_spread'][1]:.2f})" for k, v in t.items()))
    if "dev_metrics" in results:
        names = list(results["dev_metrics"])
        print("\n| dev metric | " + " | ".join(names) + " |")
        print("|---|" + "---:|" * len(names))
        for k in results["dev_metrics"][names[0]]:
            cells = []
            for n in names:
                v = results["dev_metrics"][n][k]
                cells.append(", ".join(f"{r} {x:.4f}" for r, x in v.items()) if isinstance(v, dict) else f"{v:.4f}")
            print(f"| {k} | " + " | ".join(cells) + " |")
    print("\nscaling: " + ", ".join(f"x{p['scale']}: {p['seconds']:.1f} s, {p['peak_rss_mib']} MiB" for p in scaling))


main()
