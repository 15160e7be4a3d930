"""How fast can a laptop CPU turn sentences into vectors? (lessons 3-5; a script, not a test)

Side by side in one process, mean-pooled vectors of the bundled encoder (all-MiniLM-L6-v2) for
2,000 and 10,000 varied sentences built from the course's data/ files (no network):

* one at a time - one sentence per forward pass (no padding); stops after a time budget and
                  extrapolates, which the table says;
* pad everything - the seed tutorial's way: pad all sentences to the longest and run one single
                  forward pass (skipped, with the estimate, when it would not fit in memory);
* helper        - course_utils.embeddings.embed_texts, as lessons 3-5 call it: tokenize once,
                  length-sorted batches padded per batch, torch.inference_mode;
* sentence-transformers - SentenceTransformer.encode, what a user would pick instead (its own
                  length sorting, batches of 32; it also L2-normalises, which we undo for the check);
* ONNX Runtime fp32 / int8 - the encoder exported with course_utils.cpu_inference (lesson 10), fp32
                  and dynamically quantized to int8, run by ONNX Runtime on batches of up to 32
                  sentences of similar length, mean-pooled in NumPy.

Each method's vectors are compared with the helper's (largest cosine distance), and each
method's peak memory is read from /proc/self/status (VmHWM, reset through /proc/self/clear_refs
before each method), as the peak resident memory above the loaded model.

    .venv/bin/python benchmarks/embedding_speed.py            # 2,000 and 10,000 sentences; writes RESULTS.md
    .venv/bin/python benchmarks/embedding_speed.py --quick    # 300 and 1,500 sentences; prints only
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

THREADS = 2
MAX_WORDS = 60  # a "sentence" longer than this is dropped from the pool
MEMORY_SHARE = 0.5  # pad-everything runs only if its estimate is below this share of available memory
TEXT_FIELDS = ("sentence", "sentence1", "sentence2", "premise", "hypothesis", "question")
ONE_AT_A_TIME_BUDGET_S = 20.0
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
README = ROOT / "README.md"
README_START, README_END = "<!-- embedding-speed:start -->", "<!-- embedding-speed:end -->"


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


# Memory --------------------------------------------------------------------------------------


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def reset_peak_rss() -> None:
    """Start a new peak (VmHWM) from the current resident memory (Linux: /proc/self/clear_refs)."""
    Path("/proc/self/clear_refs").write_text("5")


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


# Methods -------------------------------------------------------------------------------------


def one_at_a_time(texts, model, tokenizer, budget_s=ONE_AT_A_TIME_BUDGET_S):
    """Vectors of the texts embedded before the budget ran out, one forward pass each."""
    import numpy as np
    import torch

    from course_utils.embeddings import masked_mean

    vectors, started = [], time.perf_counter()
    with torch.inference_mode():
        for text in texts:
            enc = tokenizer(text, return_tensors="pt", truncation=True)
            out = model(**enc).last_hidden_state
            vectors.append(masked_mean(out, enc["attention_mask"])[0].numpy())
            if time.perf_counter() - started > budget_s:
                break
    return np.stack(vectors)


def pad_everything(texts, model, tokenizer):
    import torch

    from course_utils.embeddings import masked_mean

    with torch.inference_mode():
        enc = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
        return masked_mean(model(**enc).last_hidden_state, enc["attention_mask"]).numpy()


def helper(texts, model, tokenizer):
    from course_utils.embeddings import embed_texts

    return embed_texts(texts, model, tokenizer, "mean", progress=False)


def sentence_transformers_encode(texts, st_model):
    return st_model.encode(texts, batch_size=32, convert_to_numpy=True, show_progress_bar=False)


def onnx_mean_vectors(texts, session, tokenizer):
    import torch

    from course_utils.cpu_inference import logits_in_batches
    from course_utils.embeddings import masked_mean

    def forward(inputs):
        hidden = torch.from_numpy(session.forward(inputs))
        return masked_mean(hidden, torch.from_numpy(inputs["attention_mask"])).numpy()

    return logits_in_batches(forward, tokenizer, texts, batch_size=32, max_length=512, input_names=session.input_names)


def cosine_distance(a, b):
    """Largest 1 - cosine between the rows of a and b."""
    import numpy as np

    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return float(np.max(1 - (a * b).sum(1)))


def measure(name, run, n, reference=None):
    """Time ``run()`` once, with its peak memory above what was resident before."""
    import gc

    gc.collect()
    reset_peak_rss()
    before = _status_kb("VmRSS")
    started = time.perf_counter()
    vectors = run()
    seconds = time.perf_counter() - started
    peak = _status_kb("VmHWM")
    done = len(vectors)
    row = {
        "method": name,
        "sentences": n,
        "timed": done,
        "seconds": seconds,
        "per_second": done / seconds,
        "extrapolated": done < n,
        "peak_mb": (peak - before) / 1024,
    }
    if reference is not None:
        row["max_cosine_distance"] = cosine_distance(vectors, reference[:done])
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}), flush=True)
    return row, vectors


def run_size(n, pool, model, tokenizer, st_model, onnx_sessions):
    texts, joined = build_sentences(n, pool)
    lengths = [len(ids) for ids in tokenizer(texts)["input_ids"]]
    rows = []
    helper(texts[:50], model, tokenizer)  # warm-up: first calls allocate
    row, reference = measure("helper", lambda: helper(texts, model, tokenizer), n)
    rows.append(row)
    rows.append(measure("one at a time", lambda: one_at_a_time(texts, model, tokenizer), n, reference)[0])
    estimate = seed_memory_estimate_mb(n, max(lengths), model.config)
    if estimate < MEMORY_SHARE * available_mb():
        rows.append(measure("pad everything", lambda: pad_everything(texts, model, tokenizer), n, reference)[0])
    else:
        rows.append({"method": "pad everything", "sentences": n, "skipped_estimate_mb": estimate})
    sentence_transformers_encode(texts[:50], st_model)
    rows.append(
        measure("sentence-transformers", lambda: sentence_transformers_encode(texts, st_model), n, reference)[0]
    )
    for name, session in onnx_sessions.items():
        onnx_mean_vectors(texts[:50], session, tokenizer)
        rows.append(measure(name, lambda s=session: onnx_mean_vectors(texts, s, tokenizer), n, reference)[0])
    return {"sentences": n, "joined": joined, "tokens": sum(lengths), "longest": max(lengths), "rows": rows}


# Tables ------------------------------------------------------------------------------------------


def table(results: list[dict]) -> str:
    lines = [
        "| sentences | method | sentences/s | vs helper | peak memory above the model "
        "| max cosine distance to the helper |",
        "|---|---|---|---|---|---|",
    ]
    for size in results:
        helper_rate = next(r["per_second"] for r in size["rows"] if r["method"] == "helper")
        for r in size["rows"]:
            if "skipped_estimate_mb" in r:
                lines.append(
                    f"| {size['sentences']:,} | {r['method']} "
                    f"| skipped: needs ~{r['skipped_estimate_mb'] / 1024:.0f} GB "
                    "(estimate) | | | |"
                )
                continue
            rate = f"{r['per_second']:.0f}" + (f" (first {r['timed']:,}, extrapolated)" if r["extrapolated"] else "")
            distance = "reference" if r["method"] == "helper" else f"{r['max_cosine_distance']:.1e}"
            lines.append(
                f"| {size['sentences']:,} | {r['method']} | {rate} | {r['per_second'] / helper_rate:.2f}x | "
                f"{r['peak_mb']:+.0f} MB | {distance} |"
            )
    return "\n".join(lines) + "\n"


def write_readme_table(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    if README_START not in readme or README_END not in readme:
        raise SystemExit(f"README.md has no {README_START} ... {README_END} block to update.")
    head, rest = readme.split(README_START)
    _, tail = rest.split(README_END)
    README.write_text(f"{head}{README_START}\n{text}{README_END}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 and 1,500 sentences; no files written")
    args = parser.parse_args()

    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import AutoModel, AutoTokenizer

    from course_utils.profiles import bundled_model_path, quiet

    quiet()
    torch.set_num_threads(THREADS)
    path = str(bundled_model_path())
    model, tokenizer = AutoModel.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(path)
    st_model = SentenceTransformer(path, device="cpu")
    from course_utils.cpu_inference import OnnxModel, export_onnx, file_mb, quantize_int8

    folder = Path(tempfile.mkdtemp(prefix="embedding-onnx-"))
    fp32_path = export_onnx(model, tokenizer, folder)
    int8_path = quantize_int8(fp32_path)
    onnx_sessions = {
        f"ONNX Runtime fp32 ({file_mb(fp32_path):.0f} MB)": OnnxModel(fp32_path, threads=THREADS),
        f"ONNX Runtime int8 ({file_mb(int8_path):.0f} MB)": OnnxModel(int8_path, threads=THREADS),
    }
    pool, _ = sentence_pool()
    sizes = (300, 1500) if args.quick else (2000, 10_000)
    results = [run_size(n, pool, model, tokenizer, st_model, onnx_sessions) for n in sizes]
    machine = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {THREADS} threads, "
        f"torch {torch.__version__}"
    )
    text = table(results)
    print(text)
    if not args.quick:
        RESULTS.write_text(
            "# Embedding speed\n\nWritten by `benchmarks/embedding_speed.py` "
            f"({time.strftime('%Y-%m-%d')}; {machine}). Mean pooling of the bundled all-MiniLM-L6-v2, "
            "sentences from `data/` (pool of distinct sentences, topped up with joined pairs when short).\n\n"
            + text
            + "\n```json\n"
            + json.dumps(results, indent=1)
            + "\n```\n",
            encoding="utf-8",
        )
        write_readme_table(text)


if __name__ == "__main__":
    main()
