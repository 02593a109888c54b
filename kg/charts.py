"""The charts of ``kg report``: matplotlib figures as SVG ``data:`` URIs.

matplotlib draws them (the object API, no pyplot: no global figure state, no
GUI backend) and writes SVG with its text as paths (the DejaVu fonts it ships),
without a date and with a fixed id salt, so the same numbers give the same
bytes on any machine.  Each SVG goes into the page as an ``<img>`` with a
``data:`` URI: the page needs nothing from the network, and the ids of one
SVG (clip paths, glyphs) cannot clash with another's.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np

GOOD, BAD, NEUTRAL, MARK = "#2a7ab0", "#c8553d", "#7f8c8d", "#222222"
_RC: dict = {"svg.hashsalt": "kg-resolve", "svg.fonttype": "path", "font.family": "DejaVu Sans",
       "font.size": 9.0, "axes.spines.top": False, "axes.spines.right": False}


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=96, layout="constrained")


def svg_uri(fig) -> str:
    """The figure as a ``data:image/svg+xml;base64,`` URI (deterministic bytes)."""
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _styled(draw):
    """Run ``draw`` (which builds and returns a figure) under the chart style."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        return svg_uri(draw())


def hbars(labels: Sequence[str], values: Sequence[float], xlabel: str,
          colors: Sequence[str] | None = None, log: bool = False,
          title: str | None = None) -> str:
    """Horizontal bars, first label on top, each bar's value written at its end."""
    def draw():
        n = max(len(labels), 1)
        fig = _figure(7.5, 0.6 + 0.24 * n)
        ax = fig.add_subplot()
        y = np.arange(len(labels))
        ax.barh(y, values, color=list(colors) if colors else GOOD, height=0.7)
        ax.set_yticks(y, labels=list(labels))
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        if log:
            ax.set_xscale("symlog", linthresh=1)
        for yy, v in zip(y, values, strict=True):
            ax.annotate(f"{round(v, 2):g}", (v, yy), xytext=(3 if v >= 0 else -3, 0),
                        textcoords="offset points", va="center",
                        ha="left" if v >= 0 else "right", fontsize=8)
        ax.margins(x=0.12)
        if title:
            ax.set_title(title, loc="left")
        return fig
    return _styled(draw)


def match_weights(rows: Sequence[tuple[str, str, float]], prior: float) -> str:
    """Splink's match-weight chart: per comparison and level, the weight
    (log2 Bayes factor) as a bar, positive (evidence of a match) in blue,
    negative in red, the prior as the first bar."""
    labels = ["prior (start)"] + [f"{comp}: {level}" for comp, level, _ in rows]
    values = [prior] + [w for *_, w in rows]
    colors = [NEUTRAL] + [GOOD if w > 0 else BAD if w < 0 else NEUTRAL for w in values[1:]]
    return hbars(labels, values, "match weight (log2 Bayes factor)", colors)


def score_histogram(weights: np.ndarray, threshold_weight: float,
                    label: str = "candidate pairs") -> str:
    """Histogram of match weights (log2 odds) with the threshold as a line."""
    def draw():
        fig = _figure(7.5, 3.0)
        ax = fig.add_subplot()
        w = np.clip(np.asarray(weights, dtype=np.float64), -40, 40)
        lo = float(np.floor(min(w.min(initial=threshold_weight), threshold_weight))) - 1
        hi = float(np.ceil(max(w.max(initial=threshold_weight), threshold_weight))) + 1
        bins = np.arange(lo, hi + 1, 1.0)
        below, above = w[w < threshold_weight], w[w >= threshold_weight]
        ax.hist([below, above], bins=bins, stacked=True, color=[BAD, GOOD],
                label=["below the threshold", "at or above"])
        ax.axvline(threshold_weight, color=MARK, linestyle="--", linewidth=1)
        ax.annotate(f"threshold {threshold_weight:+.1f}", (threshold_weight, 1),
                    xycoords=("data", "axes fraction"), xytext=(4, -10),
                    textcoords="offset points", fontsize=8)
        ax.set_yscale("symlog", linthresh=1)
        ax.set_xlabel("match weight (log2 odds); the clip at ±40 holds the rest")
        ax.set_ylabel(label)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False)
        return fig
    return _styled(draw)


def cluster_sizes(sizes: Sequence[str], counts: Sequence[int]) -> str:
    """Works per number of records."""
    def draw():
        fig = _figure(7.5, 2.8)
        ax = fig.add_subplot()
        x = np.arange(len(sizes))
        ax.bar(x, counts, color=GOOD)
        ax.set_xticks(x, labels=list(sizes))
        ax.set_xlabel("records in the work")
        ax.set_ylabel("works")
        ax.set_yscale("symlog", linthresh=1)
        for xx, c in zip(x, counts, strict=True):
            ax.annotate(str(c), (xx, c), xytext=(0, 2), textcoords="offset points",
                        ha="center", fontsize=8)
        return fig
    return _styled(draw)


def precision_recall(weights: np.ndarray, precision: np.ndarray, recall: np.ndarray,
                     threshold_weight: float) -> str:
    """Pairwise precision and recall of the candidate pairs against the gold,
    as the threshold moves (before clustering), the build's threshold marked."""
    def draw():
        fig = _figure(7.5, 3.0)
        ax = fig.add_subplot()
        ax.plot(weights, precision, color=GOOD, label="precision")
        ax.plot(weights, recall, color=BAD, label="recall")
        ax.axvline(threshold_weight, color=MARK, linestyle="--", linewidth=1)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("threshold (match weight, log2 odds)")
        ax.set_ylabel("pairwise")
        ax.legend(loc="lower left", frameon=False)
        return fig
    return _styled(draw)
