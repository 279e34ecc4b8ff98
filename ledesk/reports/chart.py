"""Charts as PNG bytes, drawn with matplotlib's non-interactive backend (no display on servers)."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after use("Agg"): the backend must be chosen before pyplot loads
from matplotlib.ticker import MaxNLocator


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def requests_per_month(months: dict[str, dict[str, Any]], title: str) -> bytes:
    """Stacked bars: requests received per month by instrument; a line: the share with data produced."""
    labels = list(months)
    instruments = sorted({i for m in months.values() for i in m["by_instrument"]})
    fig, ax = plt.subplots(figsize=(9, 4.5))
    bottom = [0] * len(labels)
    for instrument in instruments:
        values = [months[m]["by_instrument"].get(instrument, 0) for m in labels]
        ax.bar(labels, values, bottom=bottom, label=instrument.replace("_", " "))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("requests received")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([1, *bottom]) * 1.25)  # headroom for the legend
    ax.set_title(title)
    ax.tick_params(axis="x", labelrotation=45)
    share = ax.twinx()
    share.plot(labels, [100 * months[m]["produced_share"] for m in labels], color="black", marker="o",
               label="% with data produced")
    share.set_ylim(0, 100)
    share.set_ylabel("% of requests with some data produced")
    handles, names = ax.get_legend_handles_labels()
    more, more_names = share.get_legend_handles_labels()
    ax.legend(handles + more, names + more_names, loc="upper left", fontsize="small", framealpha=0.9)
    if not labels:
        ax.text(0.5, 0.5, "no requests in this period", ha="center", va="center", transform=ax.transAxes)
    return _png(fig)


def operators_picture(picture: dict[str, Any]) -> bytes:
    """Open cases by state; deadlines ahead and overdue; how fast cases are decided and emergencies
    acknowledged."""
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(14, 4), gridspec_kw={"width_ratios": [4, 4, 3]})
    states = picture["open_by_state"]
    left.barh(list(states) or ["(none open)"], list(states.values()) or [0], height=0.6, color="#4472c4")
    left.set_title(f"Open cases by state ({picture['open_total']})")
    left.set_xlabel("cases")
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.set_xlim(0, max([1, *states.values()]) * 1.1)
    names = ["overdue", "due\nin 24 h", "due\nin 7 days", "failed\ntimers"]
    values = [picture["overdue_count"], picture["due_next_24h"], picture["due_next_7d"], picture["failed_timers"]]
    middle.bar(names, values, color=["#c00000", "#ed7d31", "#ffc000", "#7f7f7f"])
    middle.set_title("Deadlines")
    middle.yaxis.set_major_locator(MaxNLocator(integer=True))
    middle.set_ylim(0, max([1, *values]) * 1.15)
    for position, value in enumerate(values):
        middle.annotate(str(value), (position, value), ha="center", va="bottom")
    decided = {kind.replace("_", " "): hours for kind, hours in picture["median_hours_to_decision"].items()
               if hours is not None}
    right.bar(list(decided) or ["(none decided)"], list(decided.values()) or [0], color="#70ad47")
    right.set_title("Median hours, receipt to decision")
    right.set_ylim(0, max([1.0, *decided.values()]) * 1.2)
    for position, hours in enumerate(decided.values()):
        right.annotate(f"{hours:g}", (position, hours), ha="center", va="bottom")
    ack = picture["emergency_acknowledgement"]
    right.set_xlabel(f"emergencies acknowledged: {ack['acknowledged']}, median {ack['median_minutes'] or '-'} min, "
                     f"slowest {ack['max_minutes'] or '-'} min;\nopen and unacknowledged: {ack['open_unacknowledged']}",
                     fontsize="small")
    fig.suptitle(f"LE Desk operators' picture at {picture['at']}", fontsize="medium")
    fig.tight_layout()
    return _png(fig)
