"""Outcome charts, drawn on the server as inline SVG with matplotlib, so that they show without
JavaScript and every bar can link to the measurement it draws.

A chart is a stack of panels, one per kind of measurement (e.g. "iORR, proportion (%)"); each panel
has one row per category (a study, or an endpoint of one study) and one bar per arm role in that row.
Point values are drawn; a median "not reached" is drawn as a hatched bar running past the panel's
longest value, labelled NR, so that an arm whose patients did best is not the one missing from the
chart. Printed ranges stay in the tables beside the chart, which list every measurement.
"""
import io
import re
import textwrap
import threading
from dataclasses import dataclass, field

from markupsafe import Markup, escape

ROLE_COLOURS = {"intervention": "#1a5fb4", "control": "#c64600", "not by arm": "#5e5c64"}
ROLE_ORDER = ["intervention", "control", "not by arm"]
UNIT_SUFFIX = {"percent": "%", "month": " mo"}
ROW_HEIGHT = 0.32      # inches per bar
PANEL_MARGIN = 0.9     # inches per panel for its title and axis
LABEL_WIDTH = 32       # characters of a category label per line
RENDER_LOCK = threading.Lock()
NOT_REACHED = "not reached"


@dataclass
class Bar:
    category: str
    role: str
    value: float | None              # None: not reached
    href: str | None = None


@dataclass
class Panel:
    title: str
    unit: str
    bars: list[Bar] = field(default_factory=list)

    def categories(self) -> list[str]:
        return list(dict.fromkeys(bar.category for bar in self.bars))

    def roles(self) -> list[str]:
        present = {bar.role for bar in self.bars}
        return [role for role in ROLE_ORDER if role in present] + sorted(present - set(ROLE_ORDER))


def outcome_panels(rows: list[dict], panel_of, category_of, href_of=lambda row: None) -> list[Panel]:
    """Panels from outcome rows (dicts of plain values with at least `value`, `unit_label` and
    `arm_role_label`); rows without a point value are left out. A value reported for the study as a
    whole ("not by arm") is drawn only where no arm of that category has a value of its own."""
    panels: dict[str, Panel] = {}
    for row in rows:
        value = to_number(row.get("value"))
        if value is None and row.get("qualifier_label") != NOT_REACHED:
            continue
        title = panel_of(row)
        panel = panels.setdefault(title, Panel(title, row.get("unit_label", "")))
        panel.bars.append(Bar(category_of(row), row.get("arm_role_label") or "not by arm", value, href_of(row)))
    for panel in panels.values():
        by_arm = {bar.category for bar in panel.bars if bar.role != "not by arm"}
        seen = set()
        kept = []
        for bar in panel.bars:
            key = (bar.category, bar.role)
            if key in seen or (bar.role == "not by arm" and bar.category in by_arm):
                continue
            seen.add(key)
            kept.append(bar)
        panel.bars = kept
    return [panel for panel in panels.values() if any(bar.value is not None for bar in panel.bars)]


def to_number(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def render_svg(panels: list[Panel], title: str) -> Markup:
    """The panels as one inline SVG element (no XML prolog), scaled by CSS to its container."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    heights = [ROW_HEIGHT * len(p.categories()) * (0.4 + 0.6 * len(p.roles())) for p in panels]
    # matplotlib's settings are global: one chart at a time, so that a request's settings hold for it
    with RENDER_LOCK:
        figure = Figure(figsize=(9, sum(heights) + PANEL_MARGIN * len(panels) + 0.2), layout="constrained")
        axes = figure.subplots(len(panels), 1, squeeze=False, height_ratios=heights)[:, 0]
        for ax, panel in zip(axes, panels):
            draw_panel(ax, panel)
        buffer = io.StringIO()
        # text stays text (searchable, scalable); a fixed salt keeps the element ids the same every time
        with rc_context({"svg.fonttype": "none", "svg.hashsalt": re.sub(r"\W", "", title) or "chart"}):
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return Markup(inline(buffer.getvalue(), title))


def draw_panel(ax, panel: Panel) -> None:
    categories, roles = panel.categories(), panel.roles()
    present = {c: [r for r in roles if any(b.category == c and b.role == r for b in panel.bars)] for c in categories}
    slot = 0.8 / max(len(r) for r in present.values())
    suffix = UNIT_SUFFIX.get(panel.unit, f" {panel.unit}")
    longest = max(bar.value for bar in panel.bars if bar.value is not None)
    for role in roles:
        bars = [bar for bar in panel.bars if bar.role == role]
        # the bars of one category sit side by side, centred on its label, whichever roles it has
        positions = [categories.index(bar.category)
                     + (present[bar.category].index(role) - (len(present[bar.category]) - 1) / 2) * slot for bar in bars]
        colour = ROLE_COLOURS.get(role, "#26a269")
        drawn = ax.barh(positions, [longest * 1.05 if bar.value is None else bar.value for bar in bars],
                        height=slot * 0.9, label=role, color=colour)
        for rectangle, bar in zip(drawn, bars):
            rectangle.set_url(bar.href)
            if bar.value is None:   # open-ended: hatched, in the arm's colour, and said in words
                rectangle.set(facecolor="white", edgecolor=colour, hatch="///")
            text = "NR (not reached)" if bar.value is None else f"{bar.value:g}{suffix}"
            ax.annotate(text, (rectangle.get_width(), rectangle.get_y() + rectangle.get_height() / 2),
                        xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(range(len(categories)), labels=[textwrap.fill(c, LABEL_WIDTH) for c in categories], fontsize=9)
    ax.invert_yaxis()
    ax.set_title(panel.title, loc="left", fontsize=11, fontweight="bold")
    ax.set_xlabel({"percent": "percent", "month": "months"}.get(panel.unit, panel.unit), fontsize=9)
    ax.set_xlim(0, longest * 1.3)
    if panel.unit == "percent":
        ax.set_xlim(0, 105)
    ax.spines[["top", "right"]].set_visible(False)
    # the legend from the roles' colours: a panel's first bar may be a hatched NR bar, not the role's look
    from matplotlib.patches import Patch
    handles = [Patch(color=ROLE_COLOURS.get(role, "#26a269"), label=role) for role in roles]
    if any(bar.value is None for bar in panel.bars):
        handles.append(Patch(facecolor="white", edgecolor="#5e5c64", hatch="///", label="not reached (NR)"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)


def inline(svg: str, title: str) -> str:
    """matplotlib's SVG document as an element for an HTML page: no prolog or doctype, links that open
    in the same tab, a <title> for assistive technology, and no fixed size (the viewBox keeps the
    proportions)."""
    svg = svg[svg.index("<svg"):].replace(' target="_blank"', "")   # a bar's link opens in place
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1', svg, count=1)
    head_end = svg.index(">") + 1
    return f'{svg[:head_end]}<title>{escape(title)}</title>{svg[head_end:]}'
