# Two commands do everything: `make lab` (the course in JupyterLab) and `make test` (the test suite).
# Both create .venv and install the pinned environment on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install lab test student clean results

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, pinned: the CPU build (an unpinned torch pulls a multi-GB CUDA build)
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# --allow-root only where it is needed (containers, some classroom machines run as root)
lab: install
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV)

# For teachers: copies of the notebooks without the solution cells (tagged "solution") and without
# outputs, in student/ (committed; a test keeps them in sync). The lessons keep their solutions collapsed.
student: install
	$(BIN)/python -m course_utils.lesson_files

# Execute every lesson headless, offline, quick sizes (what the committed notebooks hold), in place;
# each writes its metrics and run time to results/offline-quick.json; then regenerate README's table.
NOTEBOOKS ?= [0-9][0-9]_*.ipynb
results: install
	cd notebooks && HF_HUB_OFFLINE=1 BERT_COURSE_SIZE=quick ../$(BIN)/jupyter nbconvert --to notebook --execute \
		--inplace --ExecutePreprocessor.timeout=1800 $(NOTEBOOKS)
	$(BIN)/python -m course_utils.lesson_files
	$(BIN)/python -m course_utils.results
