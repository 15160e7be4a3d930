"""How fast can a laptop CPU turn sentences into vectors? (lessons 3-5; a script, not a test)

Compares three ways of mean-pooling the last layer of the bundled encoder (all-MiniLM-L6-v2),
side by side on 2,000 and 10,000 varied sentences built from the course's data/ files:

* naive  - one sentence per forward pass, padded to the longest sentence of the whole set;
* seed   - the seed tutorial's way: pad everything to the longest sentence, then one single
           forward pass over all of them (run only when the estimated memory fits);
* helper - course_utils.embeddings.embed_texts: length-sorted batches of about 2,048 tokens,
           each padded only to its own longest sentence.

Each method runs in a fresh subprocess, so its peak memory is its own: the subprocess loads the
model, resets the kernel's peak-RSS counter (/proc/self/clear_refs), runs the method and reads
VmHWM back. It also measures this CPU's fp32 matmul speed right before and after its timed run;
the compute floor is the time the real (unpadded) tokens' matrix multiplications would take at
that speed, and "of floor" is floor time / measured time.

    .venv/bin/python benchmarks/embedding_speed.py            # full: 2,000 and 10,000 sentences
    .venv/bin/python benchmarks/embedding_speed.py --quick    # 300 and 1,500 sentences
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

THREADS = 2
METHODS = ("naive", "seed", "helper")
MAX_WORDS = 60  # a "sentence" longer than this is dropped from the pool
MEMORY_SHARE = 0.5  # the seed method runs only if its estimate is below this share of available memory


# Sentences ----------------------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(])", text) if s.strip()]


def sentence_pool(data_dir: Path = ROOT / "data") -> tuple[list[str], dict[str, int]]:
    """Distinct sentences from every data/ file (paragraphs split into sentences), and where they came from."""
    seen: dict[str, None] = {}
    sources: dict[str, int] = {}
    for path in sorted(data_dir.glob("*/*.jsonl")):
        found = []
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            for field in ("sentence", "sentence1", "sentence2", "premise", "hypothesis", "question"):
                if isinstance(row.get(field), str):
                    found.append(row[field])
            for field in ("text", "context"):
                if isinstance(row.get(field), str):
                    found.extend(_sentences(row[field]))
            if isinstance(row.get("tokens"), list):
                found.append(" ".join(row["tokens"]))
        new = 0
        for sentence in found:
            if 3 <= len(sentence.split()) <= MAX_WORDS and sentence not in seen:
                seen[sentence] = None
                new += 1
        sources[f"{path.parent.name}/{path.name}"] = new
    return list(seen), sources


def build_sentences(n: int, pool: list[str], seed: int = 42) -> tuple[list[str], int]:
    """``n`` distinct sentences: a seeded shuffle of the pool, topped up with joined pairs if it is short."""
    import random

    rng = random.Random(seed)
    sentences = pool[:]
    rng.shuffle(sentences)
    if n <= len(sentences):
        return sentences[:n], 0
    seen = set(sentences)
    joined = 0
    while len(sentences) < n:
        a, b = rng.sample(pool, 2)
        pair = f"{a} {b}"
        if pair not in seen and len(pair.split()) <= MAX_WORDS:
            seen.add(pair)
            sentences.append(pair)
            joined += 1
    rng.shuffle(sentences)
    return sentences, joined


# Measurements inside a worker -----------------------------------------------------------------


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def matmul_gflops(seconds: float = 0.6) -> float:
    """Best fp32 speed of a model-shaped matmul (2048 x 384 @ 384 x 1536) over a few short runs."""
    import torch

    a, b = torch.randn(2048, 384), torch.randn(384, 1536)
    flops = 2 * 2048 * 384 * 1536
    a @ b
    best, end = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        for _ in range(5):
            a @ b
        best = max(best, 5 * flops / (time.perf_counter() - start) / 1e9)
    return best


def run_naive(texts, model, tokenizer, longest, budget=float("inf")):
    """One sentence per forward pass; stops after ``budget`` seconds (the rest is extrapolated)."""
    import numpy as np
    import torch

    from course_utils.embeddings import masked_mean

    out = np.empty((len(texts), model.config.hidden_size), dtype=np.float32)
    end = time.perf_counter() + budget
    with torch.inference_mode():
        for i, text in enumerate(texts):
            if time.perf_counter() > end:
                return out[:i]
            batch = tokenizer([text], padding="max_length", max_length=longest, truncation=True, return_tensors="pt")
            hidden = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
            out[i] = masked_mean(hidden, batch["attention_mask"])[0].numpy()
    return out


def run_seed(texts, model, tokenizer, longest, budget=None):
    """The seed tutorial: encode, pad every list to the global max with 0, one forward pass."""
    import numpy as np
    import torch

    from course_utils.embeddings import masked_mean

    tokenized = [tokenizer.encode(t, add_special_tokens=True) for t in texts]
    padded = np.array([ids + [0] * (longest - len(ids)) for ids in tokenized])
    attention_mask = np.where(padded != 0, 1, 0)
    input_ids, attention_mask = torch.tensor(padded), torch.tensor(attention_mask)
    with torch.no_grad():
        last_hidden_states = model(input_ids, attention_mask=attention_mask)
    return masked_mean(last_hidden_states[0], attention_mask).numpy()


def run_helper(texts, model, tokenizer, longest, budget=None):
    from course_utils.embeddings import embed_texts

    return embed_texts(texts, model, tokenizer, "mean", progress=False)


def worker(method: str, texts_file: str, budget: float, repeat: int, vectors_file: str) -> dict:
    import resource

    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    from course_utils.embeddings import flops_per_token
    from course_utils.profiles import bundled_model_path

    torch.set_num_threads(THREADS)
    texts = json.loads(Path(texts_file).read_text())
    path = str(bundled_model_path())
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).eval()
    lengths = [len(ids) for ids in tokenizer(texts)["input_ids"]]
    longest = max(lengths)
    run = {"naive": run_naive, "seed": run_seed, "helper": run_helper}[method]
    run(texts[:8], model, tokenizer, longest)  # warm-up: first-call costs are not the method's
    before = matmul_gflops()
    rss_base = _status_kb("VmRSS")
    clean = _reset_peak_rss()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        vectors = run(texts, model, tokenizer, longest, budget)
        best = min(best, time.perf_counter() - start)
    peak = _status_kb("VmHWM") if clean else None
    after = matmul_gflops()
    np.save(vectors_file, vectors)
    timed = len(vectors)
    real_flops = sum(n * flops_per_token(model.config, n) for n in lengths[:timed])
    return {
        "method": method,
        "timed": timed,
        "seconds": best,
        "rss_base_mb": rss_base / 1024,
        "rss_peak_mb": peak / 1024 if peak else None,
        "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "output_mb": vectors.nbytes / 2**20,
        "matmul_gflops": max(before, after),
        "matmul_spread": abs(before - after) / max(before, after),
        "real_tokens": sum(lengths[:timed]),
        "real_gflop": real_flops / 1e9,
        "longest": longest,
    }


# The parent: plan, run workers, compare -------------------------------------------------------


def seed_memory_estimate_mb(n: int, longest: int, config) -> float:
    """Activations of one forward pass over n x longest tokens (bytes per token from the layer's live tensors).

    Per token and layer about 8 hidden-size vectors (input, Q, K, V, attention output, its
    projection, residual sum, layer output) and 2 feed-forward vectors (before and after GELU)
    are alive at once, in fp32; plus the n x longest x longest attention mask. The calibration
    line of the output compares this with the measured peak.
    """
    d, f = config.hidden_size, config.intermediate_size
    per_token = 4 * (8 * d + 2 * f)
    return (n * longest * per_token + n * longest * longest * 4) / 2**20


def available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")


def spawn(method: str, texts_file: str, budget: float, repeat: int, vectors_file: str) -> dict:
    command = [sys.executable, __file__, "--worker", method, "--texts", texts_file, "--repeat", str(repeat)]
    command += ["--vectors", vectors_file, "--budget", str(budget)]
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ | {"OMP_NUM_THREADS": str(THREADS)})
    if done.returncode != 0:
        raise RuntimeError(f"{method} worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run: 300 and 1,500 sentences")
    parser.add_argument("--sizes", type=int, nargs="+", help="numbers of sentences (default 2000 10000)")
    parser.add_argument(
        "--naive-seconds",
        type=float,
        default=20.0,
        help="the naive run stops after this many seconds and is extrapolated",
    )
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of the seed and helper methods (best counts)")
    parser.add_argument(
        "--out", type=Path, default=None, help="also write the output here (default: RESULTS.md unless --quick)"
    )
    parser.add_argument("--worker", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--texts", help=argparse.SUPPRESS)
    parser.add_argument("--budget", type=float, default=float("inf"), help=argparse.SUPPRESS)
    parser.add_argument("--vectors", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.texts, args.budget, args.repeat, args.vectors)))
        return
    sizes = args.sizes or ([300, 1500] if args.quick else [2000, 10000])
    out_path = args.out or (None if args.quick or args.sizes else Path(__file__).with_name("RESULTS.md"))
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    import numpy as np
    import torch
    from transformers import AutoConfig, AutoTokenizer

    from course_utils.embeddings import flops_per_token
    from course_utils.profiles import bundled_model_path

    path = str(bundled_model_path())
    config = AutoConfig.from_pretrained(path)
    tokenizer = AutoTokenizer.from_pretrained(path)
    pool, sources = sentence_pool()
    command = "HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/embedding_speed.py" + (" --quick" if args.quick else "")
    say("# Embedding speed: naive vs seed tutorial vs course helper")
    say()
    say(f"Command: `{command}`  ")
    say(
        f"Date: {time.strftime('%Y-%m-%d %H:%M')}; CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
    )
    say(
        f"torch {torch.__version__} with {THREADS} threads; model: bundled all-MiniLM-L6-v2 (fp32); pooling: masked mean of the last layer.  "
    )
    say(
        f"Load average at start: {os.getloadavg()[0]:.2f} (above ~1 means other processes share the {os.cpu_count()} cores: timings are then noisy)."
    )
    say()
    say(
        f"Sentence pool: {len(pool):,} distinct sentences of 3-{MAX_WORDS} words from data/: "
        + ", ".join(f"{k} {v}" for k, v in sources.items() if v)
        + "."
    )
    d, f, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    say(
        f"Cost model from the config (d={d}, ffn={f}, layers={layers}): 2 x {layers} x (4d^2 + 2 d ffn) = "
        f"{flops_per_token(config, 0) / 1e6:.2f} MFLOP per token in weight matmuls, plus attention "
        f"{layers} x 4 d L = {4 * d * layers:,} x L FLOP per token for a sentence of L tokens "
        f"(L=25: {flops_per_token(config, 25) / 1e6:.2f} MFLOP per token)."
    )
    say()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            texts, joined = build_sentences(n, pool)
            lengths = np.array([len(ids) for ids in tokenizer(texts)["input_ids"]])
            longest = int(lengths.max())
            texts_file = str(Path(tmp) / f"texts_{n}.json")
            Path(texts_file).write_text(json.dumps(texts))
            say(f"## {n:,} sentences")
            say()
            say(
                f"{n - joined:,} from the pool"
                + (f" + {joined:,} made by joining two pool sentences" if joined else "")
                + f"; tokens per sentence: mean {lengths.mean():.1f}, median {np.median(lengths):.0f}, max {longest}; "
                f"padding everything to {longest} would mean {longest * n / lengths.sum():.1f}x the real tokens."
            )
            results, vectors = {}, {}
            for method in METHODS:
                repeat = 1 if method == "naive" else args.repeat
                budget = args.naive_seconds if method == "naive" else float("inf")
                if method == "seed":
                    estimate = seed_memory_estimate_mb(n, longest, config)
                    allowed = MEMORY_SHARE * available_mb()
                    if estimate > allowed:
                        say(
                            f"- seed: SKIPPED - one pass over {n:,} x {longest} tokens needs about {estimate / 1024:.1f} GB "
                            f"of activations (estimate), more than {MEMORY_SHARE:.0%} of the {available_mb() / 1024:.1f} GB available."
                        )
                        continue
                vectors_file = str(Path(tmp) / f"{method}_{n}.npy")
                results[method] = spawn(method, texts_file, budget, repeat, vectors_file)
                results[method]["estimate_mb"] = (
                    seed_memory_estimate_mb(n, longest, config) if method == "seed" else None
                )
                vectors[method] = np.load(vectors_file)
            rows.append((n, results))
            naive_rate = results["naive"]["timed"] / results["naive"]["seconds"]
            say()
            say(
                "| method | sentences/s | speed-up vs naive | time for all | peak RSS | RSS before | method's peak - before | of compute floor |"
            )
            say("|---|---|---|---|---|---|---|---|")
            for method, r in results.items():
                rate = r["timed"] / r["seconds"]
                note = f" (timed on {r['timed']:,}, extrapolated)" if r["timed"] < n else ""
                peak = f"{r['rss_peak_mb']:,.0f} MB" if r["rss_peak_mb"] else f"{r['ru_maxrss_mb']:,.0f} MB (ru_maxrss)"
                delta = f"{r['rss_peak_mb'] - r['rss_base_mb']:+,.0f} MB" if r["rss_peak_mb"] else "n/a"
                floor = r["real_gflop"] / r["matmul_gflops"] / r["seconds"]
                say(
                    f"| {method} | {rate:,.1f} | {rate / naive_rate:.2f}x | {n / rate:,.1f} s{note} | {peak} | "
                    f"{r['rss_base_mb']:,.0f} MB | {delta} | {floor:.0%} |"
                )
            say()
            for method, r in results.items():
                say(
                    f"- {method}: matmul speed measured in its process {r['matmul_gflops']:.0f} GFLOP/s "
                    f"(before/after differ by {r['matmul_spread']:.0%}); {r['real_tokens']:,} real tokens = "
                    f"{r['real_gflop']:.1f} GFLOP -> floor {r['real_gflop'] / r['matmul_gflops']:.2f} s for the {r['timed']:,} timed; "
                    f"output array {r['output_mb']:.1f} MB"
                    + (f"; best of {args.repeat}" if method != "naive" else "")
                    + (f"; memory estimate was {r['estimate_mb']:,.0f} MB" if r.get("estimate_mb") else "")
                    + "."
                )
            ref = vectors["helper"]
            diffs = {m: float(np.abs(v - ref[: len(v)]).max()) for m, v in vectors.items() if m != "helper"}
            say(
                "- Same vectors? max |difference| to the helper: "
                + ", ".join(f"{m} {x:.1e}" for m, x in diffs.items())
                + "."
            )
            say()
    helper = [(n, r["helper"]) for n, r in rows]
    say("## Verdict")
    say()
    for n, r in rows:
        h = r["helper"]
        speedup = (h["timed"] / h["seconds"]) / (r["naive"]["timed"] / r["naive"]["seconds"])
        floor = h["real_gflop"] / h["matmul_gflops"] / h["seconds"]
        say(
            f"- {n:,} sentences: helper {speedup:.1f}x naive (target >= 4.5x: {'met' if speedup >= 4.5 else 'NOT met'}), "
            f"{floor:.0%} of the compute floor (target >= 85%: {'met' if floor >= 0.85 else 'NOT met'})."
        )
    if len(helper) > 1 and all(h["rss_peak_mb"] for _, h in helper):
        (n1, a), (n2, b) = helper[0], helper[-1]
        growth = (b["rss_peak_mb"] - b["rss_base_mb"]) - (a["rss_peak_mb"] - a["rss_base_mb"])
        say(
            f"- Helper working memory (peak - before) {a['rss_peak_mb'] - a['rss_base_mb']:+.0f} MB at {n1:,} and "
            f"{b['rss_peak_mb'] - b['rss_base_mb']:+.0f} MB at {n2:,} sentences: it grows by {growth:+.0f} MB for "
            f"{n2 / n1:.0f}x the sentences, of which {b['output_mb'] - a['output_mb']:.0f} MB is the larger output array."
        )
    say(f"- Load average at the end: {os.getloadavg()[0]:.2f}.")
    if out_path:
        out_path.write_text("\n".join(lines) + "\n")
        print(f"\n(written to {out_path.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
