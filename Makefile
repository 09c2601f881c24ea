# trisim: `make run` runs the default job, `make test` runs the test suite.
# Both create the virtual environment in .venv on first use (Python >= 3.12), installing the
# versions pinned in constraints.txt (`make lock` re-resolves them from pyproject.toml).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint lock bench dashboard clean

$(STAMP): pyproject.toml constraints.txt
	@set -e; \
	py=""; \
	for cand in python3.12 python3 "$$(command -v pyenv >/dev/null && pyenv prefix 3.12 2>/dev/null)/bin/python3"; do \
	  if [ -n "$$cand" ] && command -v "$$cand" >/dev/null 2>&1 && "$$cand" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then py="$$cand"; break; fi; \
	done; \
	if [ -z "$$py" ]; then echo "error: Python >= 3.12 is needed (pyenv install 3.12)"; exit 1; fi; \
	echo "creating $(VENV) with $$($$py --version)"; \
	"$$py" -m venv $(VENV); \
	$(PY) -m pip install --quiet --upgrade pip; \
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'; \
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/trisim $(ARGS)

test: $(STAMP)
	$(PY) -m pytest -n 2 $(ARGS)

# constraints.txt pins every package of `.[dev]`; pyproject.toml keeps the loose specifiers that
# people installing the library need. tests/test_lock.py checks that the two agree.
lock: $(STAMP)
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --strip-extras --extra dev --no-emit-index-url --no-emit-find-links \
	  --output-file constraints.txt pyproject.toml
	@# .[dev] names trisim's own extras, so pip-compile pins the project itself by its path: drop it
	sed -i '/^trisim @ /d' constraints.txt

lint: $(STAMP)
	$(VENV)/bin/ruff check sim tests experiments

# the benchmark writes experiments/bench/results/*.csv; report.py makes README's tables from them
bench: $(STAMP)
	$(PY) experiments/bench/engines.py $(ARGS)
	$(PY) experiments/bench/report.py

dashboard: $(STAMP)
	@echo "open http://127.0.0.1:8765 in a browser (Ctrl-C stops the dashboard)"
	SOLARA_TELEMETRY_MIXPANEL_ENABLE=false $(VENV)/bin/solara run sim/dashboard/app.py --host 127.0.0.1 --port 8765 --no-open

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache
