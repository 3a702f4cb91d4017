"""Throughput of `workbench translate` against raw CTranslate2 and an Argos-default loop.

Builds a RANDOM-WEIGHT model the size of a real Argos model (6+6 layers, d_model 512, 8 heads,
FFN 2048, 8k SentencePiece vocabulary, int8) and translates the WMT21 German source
(../shared/eval/wmt21) four ways, printing the figures side by side:

1. raw CTranslate2 translate_batch over all segments, sorted by length, token batches;
2. `workbench translate` on a folder of articles made of those sentences, cold cache;
3. an Argos-default loop: each paragraph translated on its own with max_batch_size=32
   tokens, beam 4, on a translator built with Argos 1.11's own settings (what
   argostranslate 1.11 does per call);
4. `workbench translate` again, warm cache (median of three runs).

All runs translate exactly the segments workbench's own segmenter produces, with the same
model and decoding settings, so their target-token counts agree and tokens/s compare fairly.

Usage: uv run python benchmarks/throughput.py [--sentences N] [--batch-tokens N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # random-weight package builder, shared with tests
WMT = ROOT.parent / "shared" / "eval" / "wmt21" / "newstest2021.de-en.src.de"
LINES_PER_ARTICLE = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--batch-tokens", type=int, default=1024)
    args = parser.parse_args()
    if not WMT.exists():
        sys.exit(f"missing benchmark data: {WMT}")

    import ctranslate2
    from random_package import ModelSize, build_random_package

    from workbench.engines.argos import ArgosEngine, thread_layout
    from workbench.models.packages import install_archive
    from workbench.settings import Settings
    from workbench.text.prepare import prepare
    from workbench.text.reader import find_articles

    sentences = WMT.read_text("utf-8").splitlines()[: args.sentences]
    work = Path(tempfile.mkdtemp(prefix="wb-bench-"))
    try:
        print(f"Building a random-weight Argos-size de→en model in {work} ...", flush=True)
        size = ModelSize(layers=6, d_model=512, heads=8, ffn=2048, vocab=8000)
        archive = build_random_package(work / "archives", "de", sentences, size=size,
                                       quantization="int8")
        models = work / "models"
        package = install_archive(archive, models)
        articles = work / "articles"
        articles.mkdir()
        for start in range(0, len(sentences), LINES_PER_ARTICLE):
            chunk = sentences[start:start + LINES_PER_ARTICLE]
            (articles / f"wmt-{start:05d}.txt").write_text("\n".join(chunk) + "\n", "utf-8")

        settings = Settings(models_dir=models, cache_path=work / "cache.db",
                            batch_tokens=args.batch_tokens)
        engine = ArgosEngine(package, settings)
        prepared = [prepare(f) for f in find_articles([articles])]
        paragraphs: list[list[str]] = []
        for article in prepared:
            by_line: dict[int, list[str]] = {}
            for seg in article.segments:
                by_line.setdefault(seg.line, []).append(seg.text)
            paragraphs.extend(by_line.values())
        segments = list(dict.fromkeys(s for p in paragraphs for s in p))
        tokens = [engine.codec.encode(s)[: settings.max_input_tokens] for s in segments]
        print(f"{len(sentences)} WMT21 sentences -> {len(prepared)} articles, "
              f"{len(segments)} unique segments, {sum(map(len, tokens))} source tokens",
              flush=True)

        # Raw CTranslate2 gets workbench's thread layout, so the comparison isolates the
        # workbench's own overhead.
        replicas, threads = thread_layout(0, "cpu")
        translator = ctranslate2.Translator(str(package.model_dir), compute_type="int8",
                                            inter_threads=replicas, intra_threads=threads)
        decode = {"beam_size": settings.beam_size, "length_penalty": settings.length_penalty,
                  "max_decoding_length": settings.max_decoding_length,
                  "replace_unknowns": True}

        # 1. Raw CTranslate2.
        order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
        start = time.perf_counter()
        raw = translator.translate_batch([tokens[i] for i in order],
                                         max_batch_size=args.batch_tokens,
                                         batch_type="tokens", **decode)
        raw_seconds = time.perf_counter() - start
        target_tokens = sum(len(r.hypotheses[0]) for r in raw)

        # 2. workbench translate, cold cache (a real CLI process).
        # No glossary: the other runs have none either (a glossary changes the engine input
        # and asks for n-best, alignments and re-decoding; benchmarks/glossary_enforcement.py
        # measures that cost).
        command = [sys.executable, "-m", "workbench", "translate", str(articles), "-o",
                   str(work / "out"), "--silent", "--models-dir", str(models), "--cache",
                   str(work / "cache.db"), "--batch-tokens", str(args.batch_tokens),
                   "--no-glossary"]
        cold_seconds = timed(command)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        phases = json.loads((work / "out" / "run.json").read_text())["seconds"]

        # 3. Argos-default loop: one call per paragraph, 32-token batches, and a translator
        #    built as argostranslate 1.11 builds it (translate.py: inter_threads=1,
        #    intra_threads=0 i.e. CTranslate2's default, compute_type "auto").
        argos_translator = ctranslate2.Translator(str(package.model_dir), device="cpu",
                                                  inter_threads=1, intra_threads=0,
                                                  compute_type="auto")
        start = time.perf_counter()
        for paragraph in paragraphs:
            argos_translator.translate_batch([engine.codec.encode(s)[: settings.max_input_tokens]
                                        for s in paragraph],
                                       max_batch_size=32, batch_type="tokens", **decode)
        argos_seconds = time.perf_counter() - start
        argos_tokens = target_tokens * sum(map(len, paragraphs)) / len(segments)

        # 4. Warm re-run: the median of three, as a run this short is at the mercy of the
        #    machine's noise (one sample ranged 0.23-0.34 s here).
        warm_seconds = statistics.median(timed(command) for _ in range(3))

        rows = [
            ("raw CTranslate2 translate_batch (sorted, token batches)", raw_seconds,
             target_tokens),
            ("workbench translate, cold cache", cold_seconds, target_tokens),
            ("Argos-default loop (per paragraph, 32-token batches)", argos_seconds,
             argos_tokens),
            ("workbench translate, warm re-run (median of 3)", warm_seconds, target_tokens),
        ]
        print(f"\n{'':58}{'seconds':>9}{'tgt tok/s':>11}")
        for label, seconds, count in rows:
            print(f"{label:58}{seconds:9.1f}{count / seconds:11.0f}")
        print(f"\nbatch_tokens={args.batch_tokens}, beam={settings.beam_size}, int8, "
              f"{replicas} replicas x {threads} threads; peak RSS of the workbench process "
              f"{peak_mb:.0f} MB")
        print(f"workbench cold / raw CTranslate2 throughput: {raw_seconds / cold_seconds:.2f}x"
              "   (goal: >= 1.0x)")
        print(f"  the translation phase alone (run.json seconds.translate: tokenizing, loading "
              f"the model, decoding, caching): {phases['translate']:.1f} s, "
              f"{raw_seconds / phases['translate']:.2f}x raw; the rest of the process "
              f"(start-up, preparation {phases['prepare']:.1f} s, outputs) "
              f"{cold_seconds - phases['translate']:.1f} s")
        print(f"workbench cold / Argos-default loop throughput: "
              f"{(target_tokens / cold_seconds) / (argos_tokens / argos_seconds):.2f}x"
              "   (bar: >= 2x)")
        print(f"warm re-run speed-up over cold run: {cold_seconds / warm_seconds:.1f}x"
              "   (goal: >= 20x with --sentences 400)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"workbench failed ({completed.returncode}):\n{completed.stderr}")
    return seconds


if __name__ == "__main__":
    main()
