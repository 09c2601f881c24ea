"""The student dashboard: its views as functions (fast), and the whole app in headless Chromium.

The browser test installs Debian's ``chromium`` when ``/usr/bin/chromium`` is missing, starts
``solara run sim/dashboard/app.py`` on a free localhost port, and always stops it. It times Step
near month 1 and near month 100 (printed; the goal is 150 ms) and runs the ensemble view. With
``TRISIM_DASHBOARD_SCREENSHOT=docs/figures/dashboard.png`` it also writes a screenshot of the
dashboard at the end of a run with its ensemble (the README's picture)::

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
    explanation_html,
    mutual_trust,
    parameters_html,
    series_svg,
    triangle_figure,
    triangle_state,
    triangle_svg,
)
from sim.dashboard.ensemble import ENSEMBLE_OUTCOMES, ensemble_figure, run_ensemble
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
    # the edges show the model's own amity (with its hysteresis band), the relation the type is read from
    svg = triangle_svg(**s)
    for a, b in mutual_trust(s["trust"]):
        assert f'data-edge="{ACTORS[a]}-{ACTORS[b]}" data-amity="{str(bool(s["amity"][a, b])).lower()}"' in svg


# --- the series ----------------------------------------------------------------------------------


def test_series_are_drawn_from_month_0_and_every_series_can_be_told_apart():
    model = DashboardModel(rng=1)
    at_start = {series.key: series_svg(series, model.datacollector.model_vars, model.months, 0.5, model.month)
                for series in SERIES}
    for series in SERIES:
        svg = at_start[series.key]
        assert 'data-month="0"' in svg
        assert svg.count("<circle") == len(series.columns), "month 0: a dot per series, never an empty chart"
        assert ">120<" in svg, "the x axis spans the whole run from the start"
    model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 2  # month 0 and month 1
    for series in SERIES:
        assert set(series.columns) <= set(frame.columns), series.key
        svg = series_svg(series, model.datacollector.model_vars, model.months, 0.5, model.month)
        for column, label in series.columns.items():
            assert f'data-column="{column}"' in svg
            assert f"{label}: {frame[column].iloc[-1]:.2f}" in svg  # legend names each series and its value
        styles = list(series.styles.values())
        assert len(set(styles)) == len(styles), f"two series of {series.key} look alike"
        assert ("amity threshold" in svg) == series.threshold
        assert re.search(r"\(.+\)", series.title), "a title names its units"
    aid = next(s for s in SERIES if s.key == "aid")
    assert "USD bn/yr" in aid.title


def test_triangle_svg_colours_edges_by_amity_as_the_figure_does():
    trust = trust_matrix({(PRK, CHN): 0.8, (PRK, RUS): 0.6, (CHN, RUS): 0.3, (PRK, USA): 0.1,
                          (CHN, USA): 0.5, (RUS, USA): 0.05})
    svg = triangle_svg(trust, 0.5, **names(trust, 0.5), month=7)
    amity = {"PRK-CHN", "PRK-RUS", "CHN-USA"}
    for a, b in PAIRS:
        edge = f"{ACTORS[a]}-{ACTORS[b]}"
        colour = AMITY_COLOUR if edge in amity else ENMITY_COLOUR
        assert re.search(rf'stroke="{colour}"[^>]*data-edge="{edge}" data-amity="{str(edge in amity).lower()}"', svg)
    assert "Month 7: PRK–CHN–RUS is a romantic triangle; PRK is the pivot" in svg
    with pytest.raises(ValueError, match="role must be one of"):
        triangle_svg(trust, 0.5, "menage", "king", "menage", "friend")


def test_the_end_of_a_run_is_announced():
    model = DashboardModel(months=12, rng=2)
    while model.running:
        model.step()
    assert model.month == 12
    text = explanation_html(model)
    assert "Run complete" in text
    assert text.index("Run complete") < text.index("How to use")
    assert "Run complete" not in explanation_html(DashboardModel(months=12))


def test_the_ensemble_runs_the_current_settings_with_the_batch_engine():
    model = DashboardModel(strategy="counterweight", scenario_name="war_ends", months=24, rng=9, jealousy=2.5)
    frame = run_ensemble(model, 30)
    assert frame["replication"].nunique() == 30
    assert sorted(frame["month"].unique()) == list(range(1, 25))
    assert set(frame["strategy"]) == {"counterweight"}
    assert set(frame["scenario"]) == {"war_ends"}
    # the same world as the single run: replication 0 of the ensemble is the dashboard's own run
    while model.running:
        model.step()
    last = frame[(frame["replication"] == 0) & (frame["month"] == 24)]
    assert float(last["trust_chn_prk"].iloc[0]) == pytest.approx(float(model.outcomes["trust_chn_prk"][0]))
    fig = ensemble_figure(frame)
    assert len(fig.axes) == 2 * len(ENSEMBLE_OUTCOMES)


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


_AT_MONTH = """m => {
    const views = [...document.querySelectorAll('svg[data-month]')];
    return views.length >= 4 && views.every(v => v.dataset.month === String(m))
        && document.body.innerText.includes(`Month ${m} of`);
}"""


def cells_at_month(page, month: int, timeout: float = 30_000) -> None:
    """Wait until every month-by-month view (the explanation and each SVG) shows ``month``."""
    page.wait_for_function(_AT_MONTH, arg=month, polling=5, timeout=timeout)


def timed_step(page, month: int) -> float:
    """Press Step; seconds from the click until every view shows ``month``, measured in the
    page (the browser's clock, without the test driver's own work around a click)."""
    page.evaluate("""() => {
        const step = [...document.querySelectorAll('button')].find(b => b.innerText.trim().toUpperCase() === 'STEP');
        window.trisimStepStart = performance.now();
        step.click();
    }""")
    done = page.wait_for_function(f"m => ({_AT_MONTH})(m) && performance.now() - window.trisimStepStart",
                                  arg=month, polling=5, timeout=30_000)
    return float(done.json_value()) / 1000


def set_slider(page, label: str, key: str) -> None:
    """Move the sidebar slider named ``label`` to an end with the keyboard (Home or End)."""
    slider = page.locator(".v-input").filter(has_text=label).get_by_role("slider")
    slider.focus()
    slider.press(key)


#: The goal is 150 ms a Step; the test asserts only a bound that a slow CI machine meets too,
#: and prints the measured times.
STEP_BOUND = 1.0


@pytest.mark.browser
@pytest.mark.slow
def test_dashboard_in_chromium(chromium, dashboard_server, capsys):
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
            cells_at_month(page, 0, timeout=60_000)
            text0 = cells.nth(0).inner_text()
            assert "PRK strategy balancing" in text0
            trust = cells.nth(2).locator("svg")
            assert trust.locator("circle").count() == 5, "month 0: every trust series is drawn"
            triangle0, trust0 = cells.nth(1).locator("svg").inner_html(), trust.inner_html()

            page.locator(".v-select").filter(has_text="PRK strategy").click()
            page.get_by_role("option", name="counterweight").click()
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("PRK strategy counterweight").wait_for(timeout=30_000)
            cells_at_month(page, 0)
            early = [timed_step(page, month) for month in (1, 2, 3)]
            assert cells.nth(1).locator("svg").inner_html() != triangle0, "the triangle diagram did not change"
            assert trust.inner_html() != trust0, "the trust series did not change"
            assert "PRK strategy counterweight" in cells.nth(0).inner_text()

            page.get_by_role("button", name="Reset").click()  # the same settings, from month 0
            cells_at_month(page, 0)
            set_slider(page, "Render Interval", "End")  # one Step press runs 100 months
            page.get_by_role("button", name="Step").click()
            page.wait_for_function("() => /Month (9[6-9]|1[0-9][0-9]) of/.test(document.body.innerText)",
                                   polling=20, timeout=60_000)
            set_slider(page, "Render Interval", "Home")
            reached = int(re.search(r"Month (\d+) of", cells.nth(0).inner_text())[1])
            cells_at_month(page, reached)
            late = [timed_step(page, reached + k) for k in (1, 2, 3)]
            with capsys.disabled():
                print(f"\ndashboard Step: {1000 * np.median(early):.0f} ms at month 1 "
                      f"({', '.join(f'{1000 * t:.0f}' for t in early)} ms for months 1-3); "
                      f"{1000 * np.median(late):.0f} ms at month {reached + 1} "
                      f"({', '.join(f'{1000 * t:.0f}' for t in late)} ms)")
            assert max(np.median(early), np.median(late)) < STEP_BOUND

            ensemble = cells.nth(6)
            ensemble.scroll_into_view_if_needed()
            ensemble.get_by_role("button", name="Run ensemble").click()
            caption = ensemble.locator(".trisim-ensemble-caption")
            caption.wait_for(timeout=60_000)
            assert caption.inner_text().startswith("200 replications of counterweight in status_quo_2024")
            assert ensemble.locator("img").count() == 1

            set_slider(page, "Render Interval", "End")
            page.get_by_role("button", name="Step").click()  # to the end of the run
            page.get_by_text("Run complete").wait_for(timeout=30_000)
            assert page.get_by_role("button", name="Step").is_disabled()
            assert "Month 120 of 120" in cells.nth(0).inner_text()

            body = page.inner_text("body")
            assert not PAGE_ERRORS.search(body), PAGE_ERRORS.search(body)
            shot = os.environ.get("TRISIM_DASHBOARD_SCREENSHOT")
            if shot:  # the end of a run, with its ensemble, for the README
                from sim.results import atomic_write_bytes

                page.wait_for_timeout(500)
                atomic_write_bytes(ROOT / shot, page.screenshot(full_page=True))
        finally:
            browser.close()
    assert not problems, problems
    server_log = log.read_text()
    assert not LOG_ERRORS.search(server_log), server_log[-3000:]
