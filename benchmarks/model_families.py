"""Throughput of every model family through workbench's engine, beside raw CTranslate2.

For each family (OPUS-MT, NLLB-200, M2M100, MADLAD-400) builds a RANDOM-WEIGHT base-size
model in the family's real format (6+6 layers, d_model 512, 8 heads, FFN 2048, 8k
vocabulary, int8; tests/model_families.py), installs it as a user would, and translates the
first N WMT21 German sentences (../shared/eval/wmt21) twice:

1. raw CTranslate2: ``translate_batch`` over every sentence at once (token batches), on the
   same source tokens (language tokens included) and target prefix, same thread layout;
2. workbench: the family's engine, batches of ``batch_tokens`` streamed through its
   replicas, each output decoded to text (what a run does per cache miss).

Both count the same target tokens, so the ratio is workbench's own overhead (target >= 0.95).
Also checks that ``workbench models evaluate`` on 100 of those sentences gives the chrF
sacrebleu gives on its output by hand.

Usage: uv run --group dev python benchmarks/model_families.py [--sentences N]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the random-weight builders, shared with the tests
WMT = ROOT.parent / "shared" / "eval" / "wmt21"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--families", default="opus-mt,nllb,m2m100,madlad")
    args = parser.parse_args()
    source_file = WMT / "newstest2021.de-en.src.de"
    if not source_file.exists():
        sys.exit(f"missing benchmark data: {source_file}")

    import ctranslate2
    from model_families import build_ct2_seq2seq, build_madlad, build_opus_mt
    from random_package import ModelSize

    from workbench.engines.ct2 import thread_layout
    from workbench.engines.evaluate import token_batches
    from workbench.engines.lookup import engine_for
    from workbench.models.catalog import installed_models
    from workbench.models.install import install_model
    from workbench.settings import Settings

    sentences = source_file.read_text("utf-8").splitlines()[: args.sentences]
    size = ModelSize(layers=6, d_model=512, heads=8, ffn=2048, vocab=8000)
    work = Path(tempfile.mkdtemp(prefix="wb-families-"))
    rows = []
    try:
        for family in args.families.split(","):
            print(f"Building a random-weight base-size {family} model ...", flush=True)
            built = work / "built" / family
            if family == "opus-mt":
                source = build_opus_mt(built, "opus-mt-de-en", sentences, size=size)
            elif family == "madlad":
                source = build_madlad(built, sentences, size=size, quantization="int8")
            else:
                source = build_ct2_seq2seq(built, family, sentences, size=size,
                                           quantization="int8")
            models = work / "models" / family
            settings = Settings(models_dir=models, cache_path=work / "c.db")
            install_model(source, settings, None if family == "opus-mt" else family)
            (model,) = installed_models(models)
            engine = engine_for(model, "de", "en", settings)
            engine.translator()
            tokens = engine._encode(sentences)
            prefix = engine._target_prefixes(len(tokens), None)
            replicas, threads = thread_layout(0, "cpu")
            raw = ctranslate2.Translator(str(model.model_dir), compute_type="int8",
                                         inter_threads=replicas, intra_threads=threads)
            decode = {"beam_size": settings.beam_size,
                      "length_penalty": settings.length_penalty,
                      "max_decoding_length": settings.max_decoding_length,
                      "replace_unknowns": True, "return_scores": True}
            best = {"raw": float("inf"), "workbench": float("inf")}
            for _ in range(2):  # the better of two, each way (the machine is noisy)
                start = time.perf_counter()
                results = raw.translate_batch(tokens, target_prefix=prefix,
                                              max_batch_size=settings.batch_tokens,
                                              batch_type="tokens", **decode)
                best["raw"] = min(best["raw"], time.perf_counter() - start)
                start = time.perf_counter()
                batches = list(token_batches(engine, sentences))
                outputs = [t for batch in engine.translate_stream(batches) for t in batch]
                best["workbench"] = min(best["workbench"], time.perf_counter() - start)
            assert len(outputs) == len(sentences)
            target_tokens = sum(len(r.hypotheses[0]) for r in results)
            raw.unload_model()
            engine.release()
            rows.append((family, model.size_on_disk(), target_tokens, best["raw"],
                         best["workbench"]))
            print(f"  {family}: {target_tokens} target tokens, raw {best['raw']:.2f} s, "
                  f"workbench {best['workbench']:.2f} s", flush=True)
        print()
        print(f"{len(sentences)} WMT21 de sentences, beam 4, int8, 2 cores")
        print(f"{'family':<9} {'size':>9} {'tokens':>7} {'raw tok/s':>10} {'wb tok/s':>9} "
              f"{'ratio':>6}")
        for family, size_bytes, n, raw_s, wb_s in rows:
            print(f"{family:<9} {size_bytes / 1e6:7.1f}MB {n:>7} {n / raw_s:10.1f} "
                  f"{n / wb_s:9.1f} {raw_s / wb_s:6.3f}")
        check_evaluate(work, sentences[:100])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_evaluate(work: Path, sentences: list[str]) -> None:
    """``models evaluate`` on 100 WMT21 sentences: its chrF is sacrebleu's by hand."""
    import json

    from click.testing import CliRunner
    from sacrebleu.metrics import CHRF

    from workbench.cli import cli
    from workbench.engines.evaluate import translate_all
    from workbench.engines.lookup import engine_for
    from workbench.models.catalog import installed_models
    from workbench.settings import Settings

    references = (WMT / "newstest2021.de-en.ref.A.en").read_text("utf-8").splitlines()
    src, ref = work / "src.de", work / "ref.en"
    src.write_text("\n".join(sentences) + "\n", "utf-8")
    ref.write_text("\n".join(references[: len(sentences)]) + "\n", "utf-8")
    models = next(p for p in (work / "models").iterdir())
    result = CliRunner().invoke(cli, ["models", "evaluate", str(src), str(ref), "--lang", "de",
                                      "--json", "--models-dir", str(models)])
    (row,) = json.loads(result.stdout)["results"]
    (model,) = installed_models(models)
    outputs, _ = translate_all(engine_for(model, "de", "en", Settings(models_dir=models)),
                               sentences)
    by_hand = round(CHRF().corpus_score(outputs, [references[: len(sentences)]]).score, 2)
    print(f"models evaluate on {len(sentences)} WMT21 sentences ({model.name}): chrF "
          f"{row['chrf']}, sacrebleu by hand {by_hand}: "
          f"{'same' if row['chrf'] == by_hand else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
