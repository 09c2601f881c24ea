"""The student dashboard: its views as functions (fast), and the whole app in headless Chromium.

The browser test installs Debian's ``chromium`` when ``/usr/bin/chromium`` is missing, starts
``solara run sim/dashboard/app.py`` on a free localhost port, and always stops it. With
``TRISIM_DASHBOARD_SCREENSHOT=docs/figures/dashboard.png`` it also writes a screenshot of the
dashboard after twelve months (the README's picture)::

    TRISIM_DASHBOARD_SCREENSHOT=docs/figures/dashboard.png .venv/bin/pytest tests/test_dashboard.py -m browser
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from mesa.visualization.solara_viz import _build_model_init_kwargs, _check_model_params

from sim.actors import ACTORS, CHN, PRK, RUS, USA
from sim.dashboard.app import DEFAULT_SEED, SLIDER_PARAMS, DashboardModel, model_params, slider
from sim.dashboard.components import (
    AMITY_COLOUR,
    ENMITY_COLOUR,
    PAIRS,
    SERIES,
    decorate_series,
    explanation_html,
    mutual_trust,
    parameters_html,
    triangle_figure,
    triangle_state,
)
from sim.params import PARAM_FIELDS
from sim.policies import US_POLICIES
from sim.scenarios import SCENARIOS
from sim.strategies import STRATEGIES
from sim.triangle import ROLES, TRIANGLE_TYPES, triangle, update_amity

ROOT = Path(__file__).resolve().parents[1]


def trust_matrix(pairs: dict[tuple[int, int], float]) -> np.ndarray:
    """A symmetric 4x4 trust matrix with the given mutual trust per pair (others 0)."""
    t = np.zeros((4, 4))
    for (a, b), v in pairs.items():
        t[a, b] = t[b, a] = v
    return t


def edges(fig: Figure) -> dict[str, object]:
    """The diagram's edge lines by gid (``edge-PRK-CHN`` ...)."""
    return {line.get_gid(): line for line in fig.axes[0].get_lines() if (line.get_gid() or "").startswith("edge-")}


def names(trust: np.ndarray, threshold: float) -> dict[str, str]:
    """Triangle types and roles by name, from the model's own rule (sim.triangle)."""
    relation = np.zeros((4, 4), dtype=np.uint8)
    update_amity(trust, relation, threshold, 0.0)  # a fresh matrix: no band, no history
    kind, role_prk, _, _ = triangle(relation, (PRK, CHN, RUS))
    kind_g, _, _, role_usa = triangle(relation, (CHN, RUS, USA))
    return {"triangle_prk": TRIANGLE_TYPES[kind], "role_prk": ROLES[role_prk],
            "triangle_great": TRIANGLE_TYPES[kind_g], "role_usa": ROLES[role_usa]}


# --- the triangle diagram ------------------------------------------------------------------------


def test_edge_colours_and_widths_follow_amity_of_a_known_trust_matrix():
    # PRK-CHN and PRK-RUS in amity, CHN-RUS at odds: a romantic triangle with PRK the pivot
    trust = trust_matrix({(PRK, CHN): 0.8, (PRK, RUS): 0.6, (CHN, RUS): 0.3, (PRK, USA): 0.1,
                          (CHN, USA): 0.5, (RUS, USA): 0.05})
    fig = triangle_figure(trust, 0.5, **names(trust, 0.5), month=7)
    lines = edges(fig)
    assert set(lines) == {f"edge-{ACTORS[a]}-{ACTORS[b]}" for a, b in PAIRS}
    amity = {"edge-PRK-CHN", "edge-PRK-RUS", "edge-CHN-USA"}  # CHN-USA sits exactly on the threshold
    for gid, line in lines.items():
        assert to_hex(line.get_color()) == to_hex(AMITY_COLOUR if gid in amity else ENMITY_COLOUR), gid
        assert (line.get_linestyle() == "-") == (gid in amity), gid
    widths = {gid: line.get_linewidth() for gid, line in lines.items()}
    assert widths["edge-PRK-CHN"] > widths["edge-PRK-RUS"] > widths["edge-CHN-RUS"] > widths["edge-RUS-USA"]
    # the number on each edge is the mean mutual trust
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert {"0.80", "0.60", "0.30", "0.10", "0.50", "0.05"} <= set(texts)


def test_labels_show_triangle_type_and_roles():
    trust = trust_matrix({(PRK, CHN): 0.8, (PRK, RUS): 0.6, (CHN, RUS): 0.3, (CHN, USA): 0.2, (RUS, USA): 0.2})
    labels = names(trust, 0.5)
    assert labels == {"triangle_prk": "romantic", "role_prk": "pivot", "triangle_great": "unit_veto",
                      "role_usa": "foe"}
    fig = triangle_figure(trust, 0.5, **labels, month=7)
    title = fig.get_suptitle()
    assert "Month 7" in title
    assert "PRK–CHN–RUS is a romantic triangle; PRK is the pivot" in title
    assert "CHN–RUS–USA is a unit veto; the USA is a foe" in title
    legend = " ".join(t.get_text() for t in fig.legends[0].get_texts())
    assert "≥ 0.50" in legend
    assert "< 0.50" in legend


@settings(max_examples=40, deadline=None)
@given(trust=st.lists(st.floats(0.0, 1.0), min_size=16, max_size=16), threshold=st.floats(0.05, 0.95))
def test_edge_colour_is_amity_exactly_when_the_model_says_so(trust, threshold):
    t = np.array(trust).reshape(4, 4)
    fig = triangle_figure(t, threshold, **names(t, threshold))
    lines = edges(fig)
    for a, b in PAIRS:
        in_amity = 0.5 * (t[a, b] + t[b, a]) >= threshold  # sim.triangle.amity
        colour = to_hex(lines[f"edge-{ACTORS[a]}-{ACTORS[b]}"].get_color())
        assert colour == to_hex(AMITY_COLOUR if in_amity else ENMITY_COLOUR)


def test_bad_inputs_give_one_line_errors():
    with pytest.raises(ValueError, match="4x4"):
        mutual_trust(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="triangle type must be one of menage"):
        triangle_figure(np.zeros((4, 4)), 0.5, "love", "pivot", "menage", "friend")
    with pytest.raises(ValueError, match="role must be one of friend"):
        triangle_figure(np.zeros((4, 4)), 0.5, "menage", "king", "menage", "friend")


def test_triangle_state_matches_the_models_collected_names():
    model = DashboardModel(strategy="counterweight", rng=3)
    for _ in range(4):
        model.step()
    s = triangle_state(model)
    row = model.datacollector.get_model_vars_dataframe().iloc[-1]
    assert s["month"] == 4
    assert (s["triangle_prk"], s["role_prk"]) == (row["triangle_prk_chn_rus"], row["role_prk"])
    assert (s["triangle_great"], s["role_usa"]) == (row["triangle_chn_rus_usa"], row["role_usa"])
    assert s["trust"][PRK, CHN] == pytest.approx(row["trust_prk_chn"])
    assert mutual_trust(s["trust"])[(PRK, RUS)] == pytest.approx(0.5 * (row["trust_prk_rus"] + row["trust_rus_prk"]))


# --- the series ----------------------------------------------------------------------------------


def test_series_columns_are_collected_and_get_readable_labels():
    model = DashboardModel(rng=1)
    model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 2  # month 0 and month 1: the plots are never empty
    for series in SERIES:
        assert set(series.columns) <= set(frame.columns), series.key
        fig = Figure()
        ax = fig.subplots()
        for column, colour in series.measure().items():  # what Mesa's PlotMatplotlib does
            ax.plot(frame.loc[:, column], label=column, color=colour)
        decorate_series(ax, series, amity_threshold=0.5)
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend[: len(series.columns)] == list(series.columns.values())
        assert ("amity threshold (0.50)" in legend) == series.threshold
        assert re.search(r"\(.+\)", ax.get_title()), "a title names its units"
    aid = next(s for s in SERIES if s.key == "aid")
    assert "USD bn/yr" in aid.title


# --- the model and the inputs ---------------------------------------------------------------------


def test_inputs_come_from_the_registries_and_parameter_metadata():
    params = model_params()
    assert params["strategy"]["values"] == STRATEGIES.names()
    assert params["scenario_name"]["values"] == SCENARIOS.names()
    assert params["us_policy"]["values"] == US_POLICIES.names()
    for name in SLIDER_PARAMS:
        f = PARAM_FIELDS[name]
        s = params[name]
        assert (s["min"], s["max"]) == f.metadata["bounds"]
        assert s["min"] <= s["value"] == f.default <= s["max"]
        assert 50 <= (s["max"] - s["min"]) / s["step"] <= 1000
    assert slider("value_chn")["label"] == "value_chn (USD bn/yr)"
    assert slider("jealousy")["label"] == "jealousy"  # unit "1" is not shown
    _check_model_params(DashboardModel.__init__, params)  # raises on a name the model does not take


def test_reset_as_solaraviz_does_it_builds_the_chosen_world():
    model = DashboardModel()
    chosen = {k: v.get("value") for k, v in model_params().items()}
    chosen.update(strategy="counterweight", scenario_name="war_ends", rng="7", value_chn=6.5)
    kwargs = _build_model_init_kwargs(model, chosen, add_scenario_when_empty=True,
                                      require_model_accepts_scenario=True)
    fresh = type(model)(**kwargs)  # SolaraViz's Reset; it also passes a Mesa Scenario as `scenario`
    assert (fresh.spec.strategy, fresh.spec.scenario) == ("counterweight", "war_ends")
    assert float(fresh.params.value_chn[0]) == 6.5
    same = DashboardModel(strategy="counterweight", scenario_name="war_ends", rng=7, value_chn=6.5)
    for _ in range(3):
        fresh.step()
        same.step()
    assert np.array_equal(fresh.state.trust, same.state.trust)


def test_seed_text_is_parsed_and_a_bad_seed_falls_back_with_a_notice():
    a, b = DashboardModel(rng=" 11 "), DashboardModel(rng=11)
    a.step()
    b.step()
    assert np.array_equal(a.state.trust, b.state.trust)
    assert a.notice == ""
    bad = DashboardModel(rng="eleven")
    assert bad.seed_text == str(DEFAULT_SEED)
    assert "seed must be a whole number ≥ 0, got 'eleven'" in bad.notice
    assert "seed must be a whole number" in explanation_html(bad)
    assert "must be" in DashboardModel(rng="-3").notice


def test_explanation_and_parameter_table_describe_the_run():
    model = DashboardModel(strategy="additional_pillar", scenario_name="war_ends", us_policy="engagement",
                           jealousy=2.5, rng=5)
    model.step()
    text = explanation_html(model)
    for expected in ("additional_pillar", "war_ends", "<code>end_month = 12</code>", "engagement",
                     "Month 1 of 120", "seed 5", "RESET"):
        assert expected in text
    table = parameters_html(model, SLIDER_PARAMS)
    assert "<code>jealousy</code>" in table
    assert "<b>2.5</b>" in table
    assert "0.5–10" in table
    assert "Dittmer (1981)" in table


# --- the whole app in headless Chromium ---------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]
LOG_ERRORS = re.compile(r"Traceback|Error|Exception|Could not load URL")
PAGE_ERRORS = re.compile(r"Traceback|Error|Exception|error in step|error in visualization")


def ensure_chromium() -> Path:
    """Debian's chromium, installed with apt-get when missing (CI runs as root on Debian)."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0:
        pytest.fail(f"{CHROMIUM} is missing; install it as root: apt-get install -y chromium")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "-o", "DPkg::Lock::Timeout=600", "update", "-qq"],
                ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800, check=False)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    if not CHROMIUM.exists():
        pytest.fail(f"apt-get installed chromium but {CHROMIUM} is still missing")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chromium() -> Path:
    return ensure_chromium()


@pytest.fixture
def dashboard_server(tmp_path):
    """``solara run sim/dashboard/app.py`` on a free port; yields (url, log path); always stopped."""
    port = free_port()
    log = tmp_path / "solara.log"
    solara = Path(sys.executable).with_name("solara")
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false"}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(solara), "run", "sim/dashboard/app.py", "--host", "127.0.0.1", "--port", str(port), "--no-open",
             "--production"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the dashboard server exited ({proc.returncode}):\n{log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the dashboard server did not answer within 60 s:\n{log.read_text()[-2000:]}")
            time.sleep(0.5)
        missing = missing_assets(urllib.request.urlopen(url, timeout=10).read().decode())
        if missing:
            pytest.fail("solara's browser assets are not installed (no CDN is reachable): "
                        f"{', '.join(missing)}; install the dashboard extra: pip install -e '.[dashboard]'")
        yield url, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def missing_assets(index_html: str) -> list[str]:
    """The files the page loads through solara's CDN proxy that are not in its local cache."""
    from solara.server import settings as solara_settings

    cache = Path(solara_settings.assets.proxy_cache_dir)
    paths = set(re.findall(r"/_solara/cdn/([^\"'?]+)", index_html))
    return sorted(p for p in paths if not (cache / p).exists())


def month_shown(page, month: int) -> None:
    page.get_by_text(f"Month {month} of").first.wait_for(timeout=30_000)


@pytest.mark.browser
@pytest.mark.slow
def test_dashboard_in_chromium(chromium, dashboard_server):
    from playwright.sync_api import sync_playwright

    url, log = dashboard_server
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1450})
            page.on("pageerror", lambda err: problems.append(f"page error: {err}"))
            page.on("console", lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None)
            page.goto(url)
            page.get_by_text("How to use").wait_for(timeout=60_000)
            cells = page.locator(".vue-grid-item")
            triangle_img, trust_img = cells.nth(1).locator("img"), cells.nth(2).locator("img")
            triangle_img.wait_for(timeout=30_000)
            trust_img.wait_for(timeout=30_000)
            month_shown(page, 0)
            text0 = cells.nth(0).inner_text()
            assert "PRK strategy balancing" in text0
            triangle0, trust0 = triangle_img.screenshot(), trust_img.screenshot()

            page.locator(".v-select").filter(has_text="PRK strategy").click()
            page.get_by_role("option", name="counterweight").click()
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("PRK strategy counterweight").wait_for(timeout=30_000)
            for month in (1, 2, 3):
                page.get_by_role("button", name="Step").click()
                month_shown(page, month)
            page.wait_for_timeout(1500)  # let the figures of the last month arrive
            triangle1, trust1 = triangle_img.screenshot(), trust_img.screenshot()
            assert triangle1 != triangle0, "the triangle diagram did not change"
            assert trust1 != trust0, "the trust series did not change"
            assert "PRK strategy counterweight" in cells.nth(0).inner_text()

            body = page.inner_text("body")
            assert not PAGE_ERRORS.search(body), PAGE_ERRORS.search(body)
            shot = os.environ.get("TRISIM_DASHBOARD_SCREENSHOT")
            if shot:  # a year in, for the README
                from sim.results import atomic_write_bytes

                for month in range(4, 13):
                    page.get_by_role("button", name="Step").click()
                    month_shown(page, month)
                page.wait_for_timeout(1500)
                atomic_write_bytes(ROOT / shot, page.screenshot())
        finally:
            browser.close()
    assert not problems, problems
    server_log = log.read_text()
    assert not LOG_ERRORS.search(server_log), server_log[-3000:]
