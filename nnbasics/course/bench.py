"""``python -m nnbasics bench``: measure the course's budgets on this machine.

Figures (a report, not pass/fail unit tests):

- every notebook's execution time and peak kernel memory (RSS, kernel + children),
  and the whole course's total — targets: < 30 s each, < 3 min in all, < 1 GB;
- every widget's update time in the kernel (compute + blitted redraw + PNG) over several
  values of each control — targets: median < 50 ms, worst < 150 ms (the course aims at a
  median < 30 ms);
- the browser round trip, slider key press -> new image decoded in the page, per notebook,
  as recorded by the browser tests (``tests/browser``) in ``_build/browser_latency.json`` —
  target: median < 100 ms;
- the from-scratch numpy MLP vs the same torch MLP (forward + backward, digits batch);
- the import time of ``nnbasics``.

Writes ``benchmarks/latest.json`` and ``benchmarks/latest.md`` (and, with
``--update-readme``, the README's figures section).
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

__all__ = ["TARGETS", "machine_info", "bench_notebook", "bench_widgets", "bench_browser", "bench_mlp",
           "bench_import", "run_all", "to_markdown", "add_arguments", "run", "BROWSER_JSON"]

TARGETS = {"notebook_s": 30.0, "course_s": 180.0, "kernel_rss_mb": 1024.0,
           "widget_median_ms": 50.0, "widget_worst_ms": 150.0, "widget_course_median_ms": 30.0,
           "browser_median_ms": 100.0}
#: Where the browser tests write their slider round trips (relative to the course root).
BROWSER_JSON = Path("_build") / "browser_latency.json"
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


def machine_info() -> dict:
    """CPU model, cores available, memory and key versions."""
    import numpy
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    info = {"cpu": cpu, "cores": cores, "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "numpy": numpy.__version__,
            "platform": platform.platform(terse=True), "date": time.strftime("%Y-%m-%d")}
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        pass
    return info


class _PeakRSS:
    """Poll the RSS of a process tree in a thread; ``peak_mb`` is the largest total seen."""

    def __init__(self, pid: int, interval: float = 0.05):
        import psutil

        self._proc = psutil.Process(pid)
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._interval = interval
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self):
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self._proc, *self._proc.children(recursive=True)]
                total = sum(p.memory_info().rss for p in procs)
                self.peak_mb = max(self.peak_mb, total / 2**20)
            except psutil.Error:
                pass
            self._stop.wait(self._interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def bench_notebook(path: Path | str, timeout: int = 300) -> dict:
    """Execute one notebook in a fresh kernel; return its wall time, peak kernel RSS and status."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    result = {"notebook": path.stem, "seconds": None, "peak_rss_mb": None, "ok": False, "error": ""}
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        with _PeakRSS(pid) as rss:
            t0 = time.perf_counter()
            try:
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
                result["ok"] = True
            except Exception as err:  # report, keep benchmarking the others
                result["error"] = f"{type(err).__name__}: {str(err).strip().splitlines()[-1][:200]}"
            result["seconds"] = round(time.perf_counter() - t0, 2)
        result["peak_rss_mb"] = round(rss.peak_mb, 1)
    return result


def _control_values(control, n: int = 5) -> list:
    """``n`` values spread over a control's range (a log slider's min/max are exponents)."""
    if hasattr(control, "options") and control.options:
        labels = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return (labels * n)[:n] if len(labels) < n else labels[:n]
    if isinstance(control.value, bool):
        return [not control.value, control.value] * (n // 2)
    lo, hi = control.min, control.max
    vals = [lo + (hi - lo) * k / (n - 1) for k in range(n)]
    if hasattr(control, "base"):  # FloatLogSlider
        return [control.base ** v for v in vals]
    if isinstance(control.value, int):
        vals = sorted({int(round(v)) for v in vals})
    return vals


def bench_widgets(values_per_control: int = 5) -> list[dict]:
    """Time every registered widget's updates over several values of each control.

    Each row: ``updates`` timed (a value equal to the current one is no update), their
    ``median_ms``/``worst_ms`` (compute + redraw + PNG, as a learner waits for them in the
    kernel), ``cpu_median_ms``/``cpu_worst_ms`` (the process's CPU time for them: close to
    the wall time on an idle machine, and unaffected by other jobs on a busy one),
    ``compute_median_ms``, and ``full_redraws`` (re-layouts among them; the rest blit).
    """
    from nnbasics.viz import registry

    rows = []
    for entry in registry():
        t0 = time.perf_counter()
        explorer = entry.build()
        build_s = time.perf_counter() - t0
        times, computes, cpus, full_before = [], [], [], explorer.n_full_draws
        for control in explorer.controls.values():
            start = control.value
            for value in [*_control_values(control, values_per_control), start]:
                before = explorer.n_updates
                control.value = value
                if explorer.n_updates > before:
                    times.append(explorer.last_update_s)
                    computes.append(explorer.last_compute_s)
                    cpus.append(explorer.last_update_cpu_s)
        times = times or [explorer.last_update_s]
        computes = computes or [explorer.last_compute_s]
        cpus = cpus or [explorer.last_update_cpu_s]
        rows.append({"widget": entry.key, "build_ms": round(build_s * 1e3, 1), "updates": len(times),
                     "median_ms": round(statistics.median(times) * 1e3, 1),
                     "worst_ms": round(max(times) * 1e3, 1),
                     "cpu_median_ms": round(statistics.median(cpus) * 1e3, 1),
                     "cpu_worst_ms": round(max(cpus) * 1e3, 1),
                     "compute_median_ms": round(statistics.median(computes) * 1e3, 1),
                     "full_redraws": explorer.n_full_draws - full_before})
    return rows


def bench_browser(path: Path | str) -> dict | None:
    """The slider round trips the browser tests recorded in ``path`` (None when absent).

    Returns
    -------
    dict or None
        ``notebooks``: {name: {"samples_ms", "median_ms", "worst_ms", "measured"}},
        ``median_ms`` over all samples, ``source`` (the file).
    """
    path = Path(path)
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    notebooks = report.get("notebooks") or {}
    samples = [x for nb in notebooks.values() for x in nb.get("samples_ms", [])]
    if not samples:
        return None
    return {"notebooks": dict(sorted(notebooks.items())), "median_ms": round(statistics.median(samples), 1),
            "source": str(path), "what": report.get("what", "")}


def bench_mlp(batch: int = 128, hidden: int = 64, repeats: int = 30) -> dict:
    """Forward + backward of the same 64-hidden-64-10 MLP on a digits batch: numpy vs torch."""
    import numpy as np
    import torch

    from nnbasics import data
    from nnbasics.core import mlp
    from nnbasics.lab import models

    split = data.digits(rng=0)
    X, y = split.X_train[:batch], split.y_train[:batch]
    params = mlp.init_params([64, hidden, 10], rng=0)
    model = models.torch_model_from_params(params, dtype=torch.float64)
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y)

    def numpy_step():
        mlp.loss_and_grads(X, y, params)

    def torch_step():
        model.zero_grad()
        torch.nn.functional.cross_entropy(model(Xt), yt).backward()

    def median_time(fn):
        for _ in range(3):
            fn()
        ts = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        return float(np.median(ts))

    t_np, t_torch = median_time(numpy_step), median_time(torch_step)
    return {"batch": batch, "hidden": hidden, "dtype": "float64", "numpy_ms": round(t_np * 1e3, 3),
            "torch_ms": round(t_torch * 1e3, 3), "numpy_over_torch": round(t_np / t_torch, 2)}


def bench_import(repeats: int = 5) -> dict:
    """Seconds for ``python -c 'import nnbasics'`` minus a bare interpreter start (median)."""
    def run(code):
        ts = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            ts.append(time.perf_counter() - t0)
        return statistics.median(ts)

    base = run("pass")
    light = run("import nnbasics")
    heavy = run("import nnbasics.lab.models, torch")
    return {"import_nnbasics_ms": round((light - base) * 1e3, 1),
            "import_torch_ms": round((heavy - base) * 1e3, 1)}


def run_all(*, notebooks_dir: Path, only: list[str] | None = None, skip_notebooks: bool = False,
            browser_json: Path | None = None) -> dict:
    """Every benchmark; the dict written as ``latest.json``."""
    report = {"machine": machine_info(), "targets": TARGETS}
    report["load_before"] = _load()
    if not skip_notebooks:
        paths = sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb"))
        if only:
            paths = [p for p in paths if p.name[:2] in only]
        report["notebooks"] = []
        for p in paths:
            print(f"  notebook {p.stem} ...", flush=True)
            report["notebooks"].append(bench_notebook(p))
        report["course_seconds"] = round(sum(r["seconds"] or 0 for r in report["notebooks"]), 1)
    print("  widgets ...", flush=True)
    report["widgets"] = bench_widgets()
    report["load_after"] = _load()
    if browser_json is not None:
        browser = bench_browser(browser_json)
        if browser is not None:
            report["browser"] = browser
    print("  numpy vs torch MLP ...", flush=True)
    report["mlp"] = bench_mlp()
    report["import"] = bench_import()
    return report


def _load() -> float | None:
    """The 1-minute load average (how busy the machine was while measuring)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def _mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def to_markdown(report: dict) -> str:
    """The report as Markdown tables, each figure marked against its target."""
    m, t = report["machine"], report["targets"]
    load = " and ".join(f"{report[k]} {when}" for k, when in (("load_before", "at the start"),
                                                                  ("load_after", "after the widgets"))
                        if report.get(k) is not None)
    lines = [f"Measured {m['date']} on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB "
             f"(Python {m['python']}, numpy {m['numpy']}, torch {m.get('torch', '-')})"
             + (f"; load average (1 min) {load}: on a busy machine wall times grow, CPU times much less." if load
                else "."), ""]
    if "notebooks" in report:
        lines += ["| notebook | run time (s) | peak kernel RSS (MB) | |", "|---|---:|---:|---|"]
        for r in report["notebooks"]:
            ok = r["ok"] and r["seconds"] < t["notebook_s"] and r["peak_rss_mb"] < t["kernel_rss_mb"]
            lines.append(f"| {r['notebook']} | {r['seconds']} | {r['peak_rss_mb']} | "
                         f"{_mark(ok)}{' ' + r['error'] if r['error'] else ''} |")
        total = report["course_seconds"]
        lines += [f"| **whole course** | **{total}** | | {_mark(total < t['course_s'])} |", ""]
        lines.append(f"Targets: < {t['notebook_s']:.0f} s per notebook, < {t['course_s']:.0f} s in all, "
                     f"< {t['kernel_rss_mb']:.0f} MB kernel RSS (sequential runs, one kernel each).")
        lines.append("")
    lines += ["| widget | updates | median (ms) | worst (ms) | CPU median (ms) | CPU worst (ms) "
              "| compute median (ms) | full redraws | |", "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for w in report["widgets"]:
        ok = w["median_ms"] < t["widget_median_ms"] and w["worst_ms"] < t["widget_worst_ms"]
        lines.append(f"| {w['widget']} | {w['updates']} | {w['median_ms']} | {w['worst_ms']} | "
                     f"{w.get('cpu_median_ms', '-')} | {w.get('cpu_worst_ms', '-')} | "
                     f"{w.get('compute_median_ms', '-')} | {w.get('full_redraws', '-')} | {_mark(ok)} |")
    medians = sorted(w["median_ms"] for w in report["widgets"])
    lines += ["", f"Kernel side, per update (compute + blitted redraw + PNG): targets median < "
              f"{t['widget_median_ms']:.0f} ms and worst < {t['widget_worst_ms']:.0f} ms per widget; the "
              f"course aims at a median < {t['widget_course_median_ms']:.0f} ms "
              f"({sum(m < t['widget_course_median_ms'] for m in medians)} of {len(medians)} widgets there)."
              " CPU: this process's CPU time for the same updates (about the wall time on an idle "
              "machine).", ""]
    browser = report.get("browser")
    if browser:
        lines += ["| notebook | key presses | median (ms) | worst (ms) | measured | |",
                  "|---|---:|---:|---:|---|---|"]
        for name, nb in browser["notebooks"].items():
            ok = nb["median_ms"] < t["browser_median_ms"]
            lines.append(f"| {name} | {len(nb['samples_ms'])} | {nb['median_ms']} | {nb['worst_ms']} | "
                         f"{nb.get('measured', '')} | {_mark(ok)} |")
        lines += ["", f"Browser round trip, slider key press -> new image decoded in the page "
                  f"(JupyterLab 4 + chromium, recorded by the browser tests): median over all presses "
                  f"{browser['median_ms']} ms, target median < {t['browser_median_ms']:.0f} ms per notebook.", ""]
    mm = report["mlp"]
    lines.append(f"From-scratch numpy MLP vs torch (64-{mm['hidden']}-10, batch {mm['batch']}, "
                 f"{mm['dtype']}, forward + backward): numpy {mm['numpy_ms']} ms, torch {mm['torch_ms']} ms "
                 f"→ numpy/torch = {mm['numpy_over_torch']}.")
    im = report["import"]
    lines.append(f"`import nnbasics`: {im['import_nnbasics_ms']} ms (lazy submodules); "
                 f"with torch: {im['import_torch_ms']} ms.")
    return "\n".join(lines) + "\n"


def update_readme(readme: Path, markdown: str) -> None:
    """Replace the README's figures between the bench markers."""
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        raise ValueError(f"{readme} lacks the {README_START} ... {README_END} markers")
    new = re.sub(re.escape(README_START) + ".*?" + re.escape(README_END),
                 lambda _: f"{README_START}\n{markdown}{README_END}", text, flags=re.S)
    readme.write_text(new, encoding="utf-8")


def add_arguments(parser) -> None:
    parser.add_argument("--out", default=None, help="folder for latest.json/latest.md (default benchmarks/)")
    parser.add_argument("--only", nargs="*", default=None, help="notebook numbers to run, e.g. 01 03")
    parser.add_argument("--skip-notebooks", action="store_true", help="widgets, MLP and import only")
    parser.add_argument("--update-readme", action="store_true",
                        help="write the figures into README.md and docs/instructor.md")
    parser.add_argument("--browser-json", default=None,
                        help=f"slider round trips recorded by the browser tests (default {BROWSER_JSON})")


def run(args) -> int:
    from nnbasics.course.exercises import course_root

    root = course_root()
    out = Path(args.out) if args.out else root / "benchmarks"
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MPLBACKEND", "Agg")
    browser_json = Path(args.browser_json) if args.browser_json else root / BROWSER_JSON
    report = run_all(notebooks_dir=root / "notebooks", only=args.only, skip_notebooks=args.skip_notebooks,
                     browser_json=browser_json)
    md = to_markdown(report)
    (out / "latest.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (out / "latest.md").write_text("# Benchmark report\n\n" + md, encoding="utf-8")
    print(md)
    if args.update_readme:
        update_readme(root / "README.md", md)
        if (root / "docs" / "instructor.md").exists():
            update_readme(root / "docs" / "instructor.md", md)
    failed = [r["notebook"] for r in report.get("notebooks", []) if not r["ok"]]
    if failed:
        print(f"notebooks that failed to execute: {failed}")
        return 1
    return 0
