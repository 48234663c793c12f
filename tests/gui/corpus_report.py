"""Compare every corpus macro on one engine with ImageJ's GUI, and write the Markdown table.

Usage::

    python tests/gui/corpus_report.py --engine embedded --corpus DIR --out docs/corpus.md
    IJ_BGCORR_FIJI=/path/to/Fiji.app \\
        python tests/gui/corpus_report.py --engine fiji --corpus DIR --out docs/corpus.md

Each run starts its engine (``ijb.start()``, or ``ijb.start(fiji=...)`` with
``$IJ_BGCORR_FIJI``, else ``--fiji``, else ``../shared/fiji/Fiji.app``), runs every macro of
the corpus on it and in plain ImageJ's GUI (the truth: Debian's jar for the embedded
engine, the Fiji's own plain ImageJ jar for the Fiji engine; two truths at a time in the
background), compares them (:func:`tests.truth.compare.compare_outcomes`) and keeps the
verdicts in ``<out folder>/<out stem>/<engine>.json`` (``docs/corpus/embedded.json``). The
table is then written from every engine's JSON there: run it once per engine and the two
columns sit side by side. ``--render`` only rewrites the table from the JSON files.

The corpus itself (the macros) is never copied: only its file names, sources, licences and
the verdicts.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import runs  # noqa: E402
from truth.compare import compare_outcomes, summary  # noqa: E402
from truth.jars import FIJI_ENV, fiji_app, fiji_jar, truth_jar  # noqa: E402

ENGINES = ("embedded", "fiji")
TITLES = {"embedded": "embedded engine", "fiji": "Fiji engine"}


def _start(engine: str, fiji: str | None) -> Any:
    import ij_bgcorr as ijb

    if engine == "embedded":
        os.environ.pop(FIJI_ENV, None)
        return ijb.start()
    app = Path(fiji) if fiji else fiji_app()
    os.environ[FIJI_ENV] = str(app)
    return ijb.start(fiji=app)


def _ours_text(ours: Any) -> str:
    if isinstance(ours, BaseException):
        return f"{type(ours).__name__}: {getattr(ours, 'message', ours)} (line {ours.line})"
    return f"ran to its end: {len(ours.images)} images, {len(ours.results)} Results rows"


def _truth_text(truth: dict[str, Any]) -> str:
    error, dialog = truth.get("error"), truth.get("dialog")
    if error:
        return f"{truth['ending']}: {error.get('message')} (line {error.get('line')})"
    if dialog:
        return f"dialog {dialog.get('title')!r} ({dialog.get('kind')}, line {dialog.get('line')})"
    return f"{truth.get('ending')}: {len(truth.get('images') or [])} images"


def verdict(entry: dict[str, Any], truth: dict[str, Any] | None, ours: Any,
            skipped: str = "") -> dict[str, Any]:
    """The record of one macro: status, the table's text, the differences."""
    varies = runs.values_vary(entry)
    record: dict[str, Any] = {"file": entry["file"], "values_vary": varies}
    if skipped:
        record.update(status="not compared", text=f"not compared: {skipped}", diffs=[])
        return record
    assert truth is not None
    diffs = compare_outcomes(truth, ours, exact_values=not varies)
    record.update(diffs=diffs, truth=_truth_text(truth), ours=_ours_text(ours),
                  truth_seconds=truth.get("wall_seconds"))
    random_note = f" (not compared pixel-wise: {varies})" if varies else ""
    if diffs:
        record.update(status="differs", text=f"differs: {summary(diffs)}{random_note}")
    elif isinstance(ours, BaseException):
        line = getattr(ours, "line", None)
        record.update(status="identical error",
                      text=f"identical error at line {line}: {_one_line(ours)}{random_note}")
    elif varies:
        record.update(status="identical but for values",
                      text=f"identical but for values{random_note}")
    else:
        record.update(status="identical", text="identical")
    return record


def _one_line(ours: Any) -> str:
    text = " ".join(str(getattr(ours, "message", ours)).split())
    return text if len(text) <= 90 else text[:87] + "..."


def run_engine(engine_kind: str, corpus: Path, fiji: str | None, workers: int,
               only: list[str]) -> dict[str, Any]:
    """Run and compare every corpus macro on one engine; return the engine's JSON."""
    entries = [e for e in runs.corpus_entries(corpus) if not only or e["file"] in only]
    engine = _start(engine_kind, fiji)
    jar = fiji_jar(Path(os.environ[FIJI_ENV])) if engine_kind == "fiji" \
        else truth_jar("embedded")
    work = Path(tempfile.mkdtemp(prefix=f"corpus-{engine_kind}-"))
    made = runs.make_corpus_inputs(corpus, work / "inputs")
    has = runs.commands_present(engine, filter(None, map(runs.plugin_command, entries)),
                                Path(os.environ[FIJI_ENV])) if engine_kind == "fiji" else {}
    skipped = {e["file"]: runs.not_comparable(e, engine_kind, lambda c: has.get(c, False))
               for e in entries}
    jobs = {e["file"]: (corpus / "macros" / e["file"], runs.input_path(e["input"], made))
            for e in entries if not skipped[e["file"]]}
    started = time.time()
    pool, futures = runs.start_truths(jar, jobs, work / "truth", workers=workers)
    records, truth_version = [], None
    try:
        for entry in entries:
            name = entry["file"]
            if skipped[name]:
                records.append(verdict(entry, None, None, skipped[name]))
            else:
                ours = runs.run_ours(engine, jobs[name][0], jobs[name][1])
                truth = futures[name].result()
                truth_version = truth_version or truth.get("imagej_version")
                records.append(verdict(entry, truth, ours))
            print(f"{name}: {records[-1]['text']}", flush=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return {"engine": engine_kind, "engine_version": str(engine.version),
            "truth_jar": str(jar), "truth_version": truth_version,
            "date": datetime.date.today().isoformat(),
            "seconds": round(time.time() - started, 1), "macros": records}


# --- the table -----------------------------------------------------------------------------

def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _counts(records: list[dict[str, Any]]) -> str:
    found: dict[str, int] = {}
    for r in records:
        found[r["status"]] = found.get(r["status"], 0) + 1
    order = ("identical", "identical error", "identical but for values", "differs",
             "not compared")
    return ", ".join(f"{found[k]} {k}" for k in order if k in found)


def render(corpus: Path | None, store: Path, out: Path) -> str:
    """Write the Markdown table from every engine's JSON in ``store``; return it."""
    results = {e: json.loads((store / f"{e}.json").read_text()) for e in ENGINES
               if (store / f"{e}.json").is_file()}
    entries = {e["file"]: e for e in runs.corpus_entries(corpus)} if corpus else {}
    files = list(entries) or sorted({r["file"] for res in results.values()
                                     for r in res["macros"]})
    lines = [
        "# The macro corpus on both engines",
        "",
        "Real ImageJ macros by other people (not in this repository: see "
        "`tests/gui/test_corpus.py` for where the tests find them), each run on an engine "
        "with `engine.run_macro(path, files=[input])` and in a freshly started plain ImageJ "
        "with its GUI on a virtual display (`tests/truth/imagej_gui.py`), then compared "
        "(`tests/truth/compare.py`): how the run ended (error message and line), image "
        "titles and pixels (plots too), the Results table, the Log, the other tables. "
        "Made by `tests/gui/corpus_report.py`; the verdicts, with every difference, are in "
        f"`{store.relative_to(out.parent)}/<engine>.json`.",
        "",
    ]
    for engine, res in results.items():
        lines.append(f"* **{TITLES[engine]}** (ImageJ {res['engine_version']}) against plain "
                     f"ImageJ {res['truth_version']} (`{res['truth_jar']}`), {res['date']}: "
                     f"{_counts(res['macros'])}.")
    lines += [
        "* A macro that needs a plugin is not compared on the embedded engine (plain ImageJ "
        "has no plugins), nor on the Fiji engine when that Fiji has the plugin (the truth, "
        "plain ImageJ, has not).",
        "* A macro that draws random numbers (`random` in the corpus's features; each run "
        "draws its own) or its own timings cannot be compared pixel-wise: for those only how "
        "it ended, the titles, types and sizes of its images, the tables' columns and rows "
        "and the number of Log lines are compared (the table says so).",
        "",
        "| macro | source | licence | " + " | ".join(TITLES[e] for e in results) + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in results) + " |",
    ]
    by_engine = {e: {r["file"]: r for r in res["macros"]} for e, res in results.items()}
    for name in files:
        entry = entries.get(name, {})
        source = entry.get("source", "")
        where = f"[{entry.get('repo', 'source')}]({source})" if source else ""
        cells = [by_engine[e].get(name, {}).get("text", "not run") for e in results]
        lines.append(f"| `{name}` | {where} | {entry.get('licence', '')} | "
                     + " | ".join(_cell(c) for c in cells) + " |")
    text = "\n".join(lines) + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=ENGINES, help="the engine to run (not with --render)")
    parser.add_argument("--corpus", help="the corpus folder (macros/ and corpus.json); default: "
                        f"${runs.CORPUS_ENV}, else ../shared/corpus")
    parser.add_argument("--out", default="docs/corpus.md", help="the Markdown file to write")
    parser.add_argument("--fiji", help="the Fiji.app (default: $IJ_BGCORR_FIJI, else "
                        "../shared/fiji/Fiji.app)")
    parser.add_argument("--workers", type=int, default=2, help="truth runs at a time")
    parser.add_argument("--only", nargs="*", default=[], help="just these macro files")
    parser.add_argument("--render", action="store_true", help="only rewrite the table")
    args = parser.parse_args(argv)
    corpus = runs.find_corpus(args.corpus)
    out = Path(args.out).resolve()
    store = out.parent / out.stem
    if corpus is None and not args.render:
        parser.error(runs.CORPUS_MISSING)
    if not args.render:
        if not args.engine:
            parser.error("--engine is needed (or --render)")
        result = run_engine(args.engine, corpus, args.fiji, args.workers, args.only)
        store.mkdir(parents=True, exist_ok=True)
        path = store / f"{args.engine}.json"
        if args.only and path.is_file():  # a partial run updates the engine's verdicts
            old = json.loads(path.read_text())
            fresh = {r["file"]: r for r in result["macros"]}
            result["macros"] = [fresh.pop(r["file"], r) for r in old["macros"]] \
                + list(fresh.values())
        path.write_text(json.dumps(result, indent=1) + "\n")
        print(f"{args.engine}: {_counts(result['macros'])} ({result['seconds']} s)")
    render(corpus, store, out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    if "ij_bgcorr.engine.jvm" in sys.modules:  # a JVM started: leave without its teardown
        from ij_bgcorr.engine.jvm import exit_now

        exit_now(status)
    sys.exit(status)
