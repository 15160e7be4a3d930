"""How fast can a laptop CPU turn sentences into vectors? (lessons 3-5; a script, not a test)

Compares ways of mean-pooling the last layer of the bundled encoder (all-MiniLM-L6-v2), side by
side on 2,000 and 10,000 varied sentences built from the course's data/ files (no network):

* naive        - one sentence per forward pass, padded to the longest sentence of the whole set;
* seed         - the seed tutorial's way: pad everything to the longest sentence, then one single
                 forward pass over all of them (skipped when the estimated memory does not fit);
* helper-plain - course_utils.embeddings.embed_texts with fused_cpu=False: length-sorted batches
                 of at most 2,048 tokens, cut where the length changes, plain PyTorch kernels;
* helper       - embed_texts as the lessons call it: the same batches, linear layers run by
                 oneDNN with bias/GELU/residual fused, batched-matmul attention for short texts;
* compiled     - for reference, not for the lessons: the same batches through torch.compile
                 (inductor, frozen weights, dynamic shapes); its compile time is reported apart.

Memory: each method runs in a fresh subprocess that loads the model, resets the kernel's
peak-RSS counter (/proc/self/clear_refs), runs the method and reads VmHWM back, so "peak" is
that method's own peak and "peak - before" what the method added on top of the loaded model.

Compute floor: the real (unpadded) tokens' FLOPs (weight matmuls + attention, from the model
config) divided by this CPU's fp32 matmul speed, measured in the same subprocess right before
and after the timed run (best of many short runs, model-shaped 2048 x 384 x 1536). Two speeds
are measured: torch.matmul (MKL; on AMD CPUs it stays on AVX2) and oneDNN's linear kernel
(AVX-512 where the CPU has it). The floor uses the faster of the two: a method that beat it would
prove it no floor (torch.matmul's own speed also varies by +-15% from one process to the next here).
"of compute floor" = floor time / measured time. For the helper, a profiled extra run shows where
its time goes and how fast its matrix multiplications run inside the model.

    .venv/bin/python benchmarks/embedding_speed.py            # full: 2,000 and 10,000 sentences
    .venv/bin/python benchmarks/embedding_speed.py --quick    # 300 and 1,500 sentences
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

THREADS = 2
METHODS = ("naive", "seed", "helper-plain", "helper", "compiled")
MAX_WORDS = 60  # a "sentence" longer than this is dropped from the pool
MEMORY_SHARE = 0.5  # the seed method runs only if its estimate is below this share of available memory
TEXT_FIELDS = ("sentence", "sentence1", "sentence2", "premise", "hypothesis", "question")


# Sentences ----------------------------------------------------------------------------------


def _split_sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(])", text) if s.strip()]


def sentence_pool(data_dir: Path = ROOT / "data") -> tuple[list[str], dict[str, int]]:
    """Distinct sentences from every data/ file (paragraphs split into sentences), and how many per file."""
    seen: dict[str, None] = {}
    sources: dict[str, int] = {}
    for path in sorted(data_dir.glob("*/*.jsonl")):
        found = []
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            found += [row[f] for f in TEXT_FIELDS if isinstance(row.get(f), str)]
            for field in ("text", "context"):
                if isinstance(row.get(field), str):
                    found += _split_sentences(row[field])
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
    rng = random.Random(seed)
    sentences = pool[:]
    rng.shuffle(sentences)
    if n <= len(sentences):
        return sentences[:n], 0
    seen, joined = set(sentences), 0
    while len(sentences) < n:
        pair = " ".join(rng.sample(pool, 2))
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


def matmul_gflops(seconds: float = 0.6) -> dict[str, float]:
    """Best fp32 GFLOP/s of a model-shaped matmul (2048 x 384 @ 384 x 1536): torch.matmul and oneDNN."""
    import torch

    from course_utils.embeddings import onednn_available

    a, w = torch.randn(2048, 384), torch.randn(1536, 384)
    kernels = {"torch.matmul": lambda: a @ w.t()}
    if onednn_available():
        packed = torch.ops.mkldnn._reorder_linear_weight(w, None)
        kernels["oneDNN"] = lambda: torch.ops.mkldnn._linear_pointwise(a, packed, None, "none", [], "none")
    flops = 2 * 2048 * 384 * 1536
    best = {}
    with torch.inference_mode():
        for name, kernel in kernels.items():
            kernel()
            best[name], end = 0.0, time.perf_counter() + seconds
            while time.perf_counter() < end:
                start = time.perf_counter()
                for _ in range(3):
                    kernel()
                best[name] = max(best[name], 3 * flops / (time.perf_counter() - start) / 1e9)
    return best


OP_GROUPS = {  # profiler op name -> what it is, for the helper's time breakdown
    "mkldnn::_linear_pointwise": "linear layers",
    "aten::addmm": "linear layers",
    "aten::bmm": "attention",
    "aten::_softmax": "attention",
    "aten::masked_fill_": "attention",
    "aten::_scaled_dot_product_flash_attention_for_cpu": "attention",
    "aten::native_layer_norm": "layer norm",
    "aten::copy_": "copies",
}


def time_breakdown(run, texts, model, tokenizer, longest) -> dict[str, float]:
    """Seconds per op group (OP_GROUPS; the rest is "other") in one profiled run."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        run(texts, model, tokenizer, longest)
    seconds: dict[str, float] = {}
    for event in prof.key_averages():
        group = OP_GROUPS.get(event.key, "other")
        seconds[group] = seconds.get(group, 0.0) + event.self_cpu_time_total / 1e6
    return seconds


def run_naive(texts, model, tokenizer, longest, budget=float("inf")):
    """One sentence per forward pass, padded to ``longest``; stops after ``budget`` seconds."""
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
    """The seed tutorial: encode, pad every id list to the global max with 0, one forward pass."""
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


def run_helper(texts, model, tokenizer, longest, budget=None, fused_cpu=True):
    from course_utils.embeddings import embed_texts

    return embed_texts(texts, model, tokenizer, "mean", progress=False, fused_cpu=fused_cpu)


def compile_model(model):
    """torch.compile with the inductor settings for CPU inference (weights frozen and prepacked)."""
    import torch
    import torch._inductor.config

    torch._inductor.config.freezing = True
    return torch.compile(model, dynamic=True)


RUNNERS = {
    "naive": run_naive,
    "seed": run_seed,
    "helper-plain": partial(run_helper, fused_cpu=False),
    "helper": run_helper,
    "compiled": partial(run_helper, fused_cpu=False),  # the compiled model, plain kernels inside embed_texts
}


def worker(method: str, texts_file: str, budget: float, repeat: int, vectors_file: str) -> dict:
    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    from course_utils.embeddings import flops_per_token, onednn_available
    from course_utils.profiles import bundled_model_path

    onednn_available()  # sets oneDNN's cache sizes before anything else uses it
    torch.set_num_threads(THREADS)
    texts = json.loads(Path(texts_file).read_text())
    path = str(bundled_model_path())
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).eval()
    lengths = [len(ids) for ids in tokenizer(texts)["input_ids"]]
    longest = max(lengths)
    run = RUNNERS[method]
    compile_seconds = None
    if method == "compiled":
        start = time.perf_counter()
        model = compile_model(model)
        with torch.inference_mode():
            run(texts[:300], model, tokenizer, longest)  # compiles for the batch shapes (dynamic after the first)
        compile_seconds = time.perf_counter() - start
    run(texts[:8], model, tokenizer, longest)  # warm-up: first-call costs are not the method's
    before = matmul_gflops()
    rss_base = _status_kb("VmRSS")
    clean = _reset_peak_rss()
    best, cpu = float("inf"), 0.0
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        vectors = run(texts, model, tokenizer, longest, budget)
        if time.perf_counter() - start < best:
            best, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    peak = _status_kb("VmHWM") if clean else None
    after = matmul_gflops()
    np.save(vectors_file, vectors)
    breakdown, linear_gflop = None, None
    if method == "helper":  # where its time goes, and how fast its matmuls run inside the model
        from course_utils.embeddings import length_sorted_batches  # the helper's batching, with its defaults

        breakdown = time_breakdown(run, texts, model, tokenizer, longest)
        padded = sum(len(b) * max(lengths[i] for i in b) for b in length_sorted_batches(lengths))
        linear_gflop = padded * flops_per_token(model.config, 0) / 1e9
    timed = len(vectors)
    return {
        "method": method,
        "compile_seconds": compile_seconds,
        "breakdown": breakdown,
        "linear_gflop": linear_gflop,
        "timed": timed,
        "seconds": best,
        "cpu_share": cpu / (best * THREADS),
        "rss_base_mb": rss_base / 1024,
        "rss_peak_mb": peak / 1024 if peak else None,
        "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "output_mb": vectors.nbytes / 2**20,
        "gflops": {k: max(before[k], after[k]) for k in before},
        "spread": {k: abs(before[k] - after[k]) / max(before[k], after[k]) for k in before},
        "real_tokens": sum(lengths[:timed]),
        "real_gflop": sum(n * flops_per_token(model.config, n) for n in lengths[:timed]) / 1e9,
    }


# The parent: plan, run workers, compare -------------------------------------------------------


def seed_memory_estimate_mb(n: int, longest: int, config) -> float:
    """Activations of one forward pass over n x longest tokens, in MB.

    Per token and layer about 8 hidden-size vectors (input, Q, K, V, attention output, its
    projection, residual sum, layer output) and 2 feed-forward vectors (before and after GELU)
    are alive at once in fp32, plus the n x longest x longest attention mask. The output lines
    compare it with the measured peak.
    """
    d, f = config.hidden_size, config.intermediate_size
    return (n * longest * 4 * (8 * d + 2 * f) + n * longest * longest * 4) / 2**20


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


def floor_share(r: dict, kernel: str = "best") -> float:
    """Compute-floor time / measured time, the floor at ``kernel``'s measured matmul speed (default: the fastest)."""
    gflops = max(r["gflops"].values()) if kernel == "best" else r["gflops"][kernel]
    return r["real_gflop"] / gflops / r["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run: 300 and 1,500 sentences")
    parser.add_argument("--sizes", type=int, nargs="+", help="numbers of sentences (default 2000 10000)")
    parser.add_argument(
        "--naive-seconds", type=float, default=20.0, help="naive run stops after this; rest extrapolated"
    )
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of the batched methods (best counts)")
    parser.add_argument("--out", type=Path, help="also write the output here (default: RESULTS.md for full runs)")
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
    cpu = platform.processor() or platform.machine()
    d, f, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    say("# Embedding speed: naive vs seed tutorial vs course helper")
    say()
    say(f"Command: `{command}`  ")
    say(f"Date: {time.strftime('%Y-%m-%d %H:%M')}; CPU: {cpu}, {os.cpu_count()} cores; torch {torch.__version__}, ")
    say(f"{THREADS} threads; model: bundled all-MiniLM-L6-v2 (fp32); pooling: masked mean of the last layer.  ")
    say(f"Load average at start: {os.getloadavg()[0]:.2f} (above ~0.5, other processes share the cores and ")
    say("timings get noisy; the 'CPU share' notes below say how much of its 2 cores each run really got).")
    say()
    say(f"Sentence pool: {len(pool):,} distinct sentences of 3-{MAX_WORDS} words from data/: ")
    say(", ".join(f"{k} {v}" for k, v in sources.items() if v) + ".  ")
    say(
        f"Cost model from the config (d={d}, ffn={f}, layers={layers}): weight matmuls 2 x {layers} x "
        f"(4d^2 + 2 d ffn) = {flops_per_token(config, 0) / 1e6:.2f} MFLOP per token, plus attention "
    )
    say(
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
            origin = f"{n - joined:,} from the pool" + (f" + {joined:,} made by joining two of them" if joined else "")
            say(
                f"{origin}; tokens per sentence: mean {lengths.mean():.1f}, median {np.median(lengths):.0f}, "
                f"max {longest}; padding all to {longest} = {longest * n / lengths.sum():.1f}x the real tokens."
            )
            say()
            results, vectors = {}, {}
            for method in METHODS:
                budget = args.naive_seconds if method == "naive" else float("inf")
                repeat = 1 if method == "naive" else args.repeat
                if method == "seed":
                    estimate, free = seed_memory_estimate_mb(n, longest, config), available_mb()
                    if estimate > MEMORY_SHARE * free:
                        say(
                            f"- seed: SKIPPED - one pass over {n:,} x {longest} tokens needs about "
                            f"{estimate / 1024:.1f} GB of activations (estimate), more than "
                            f"{MEMORY_SHARE:.0%} of the {free / 1024:.1f} GB available."
                        )
                        continue
                vectors_file = str(Path(tmp) / f"{method}_{n}.npy")
                results[method] = spawn(method, texts_file, budget, repeat, vectors_file)
                if method == "seed":
                    results[method]["estimate_mb"] = estimate
                vectors[method] = np.load(vectors_file)
            rows.append((n, results))
            naive_rate = results["naive"]["timed"] / results["naive"]["seconds"]
            say()
            say("| method | sentences/s | vs naive | time for all | peak RSS | peak - before | of compute floor |")
            say("|---|---|---|---|---|---|---|")
            for method, r in results.items():
                rate = r["timed"] / r["seconds"]
                note = f" (extrapolated from {r['timed']:,})" if r["timed"] < n else ""
                peak = f"{r['rss_peak_mb']:,.0f} MB" if r["rss_peak_mb"] else f"{r['ru_maxrss_mb']:,.0f} MB (ru_maxrss)"
                delta = f"{r['rss_peak_mb'] - r['rss_base_mb']:+,.0f} MB" if r["rss_peak_mb"] else "n/a"
                say(
                    f"| {method} | {rate:,.1f} | {rate / naive_rate:.2f}x | {n / rate:,.1f} s{note} | {peak} | "
                    f"{delta} | {floor_share(r):.0%} |"
                )
            say()
            for method, r in results.items():
                speeds = ", ".join(f"{k} {v:.0f} GFLOP/s (+-{r['spread'][k]:.0%})" for k, v in r["gflops"].items())
                extra = f"; best of {args.repeat}" if method != "naive" else ""
                if r.get("estimate_mb"):
                    extra += f"; memory estimate {r['estimate_mb']:,.0f} MB"
                if r["compile_seconds"]:
                    extra += f"; compiling took {r['compile_seconds']:.0f} s (not in its time)"
                say(
                    f"- {method}: {r['real_tokens']:,} real tokens = {r['real_gflop']:.1f} GFLOP; matmul speed in its "
                    f"process: {speeds}; CPU share {r['cpu_share']:.0%}; output {r['output_mb']:.1f} MB{extra}."
                )
            h = results["helper"]
            total = sum(h["breakdown"].values())
            fastest = max(h["gflops"].values())
            linear_rate = h["linear_gflop"] / h["breakdown"]["linear layers"]
            say(
                "- Where the helper's time goes (torch.profiler, one more run): "
                + ", ".join(f"{k} {v / total:.0%}" for k, v in sorted(h["breakdown"].items(), key=lambda kv: -kv[1]))
                + f". Its linear layers run at {linear_rate:.0f} GFLOP/s inside the model "
                f"({linear_rate / fastest:.0%} of the isolated matmul's {fastest:.0f})."
            )
            ref = vectors["helper"]
            diffs = {m: float(np.abs(v - ref[: len(v)]).max()) for m, v in vectors.items() if m != "helper"}
            say(
                "- Same vectors? max |difference| to the helper: " + ", ".join(f"{m} {x:.1e}" for m, x in diffs.items())
            )
            say()
    say("## Verdict")
    say()
    for n, r in rows:
        h = r["helper"]
        speedup = (h["timed"] / h["seconds"]) / (r["naive"]["timed"] / r["naive"]["seconds"])
        share = floor_share(h)
        met, floor_met = ("met" if ok else "NOT met" for ok in (speedup >= 4.5, share >= 0.85))
        reference = f"; torch.compile reaches {floor_share(r['compiled']):.0%}" if "compiled" in r else ""
        say(
            f"- {n:,} sentences: helper {speedup:.1f}x naive (target >= 4.5x: {met}); {share:.0%} of the compute "
            f"floor (target >= 85%: {floor_met}{reference})."
        )
    helper = [(n, r["helper"]) for n, r in rows]
    if len(helper) > 1 and all(h["rss_peak_mb"] for _, h in helper):
        (n1, a), (n2, b) = helper[0], helper[-1]
        grow_a, grow_b = a["rss_peak_mb"] - a["rss_base_mb"], b["rss_peak_mb"] - b["rss_base_mb"]
        say(
            f"- Helper memory on top of the model: {grow_a:+.0f} MB at {n1:,} and {grow_b:+.0f} MB at {n2:,} sentences "
            f"({grow_b - grow_a:+.0f} MB for {n2 / n1:.0f}x the sentences; the output array alone grows by "
            f"{b['output_mb'] - a['output_mb']:.0f} MB, and the token ids of every text are kept until the end)."
        )
    say(f"- Load average at the end: {os.getloadavg()[0]:.2f}.")
    if out_path:
        out_path.write_text("\n".join(lines) + "\n")
        print(f"\n(written to {out_path})")


if __name__ == "__main__":
    main()
