# bhyt-xl: the two quick-start commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# optional extras installed with the package (CI adds "spark": pip install bhyt-xl[spark])
EXTRAS ?= test

.PHONY: venv demo test bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

## Review the bundled Khánh Hòa sample list and print where the result is.
demo: venv
	mkdir -p out
	$(PY) -m bhyt_xl review bhyt_xl/samples/danh_sach_the_khanh_hoa.xlsx -o out/ket_qua_mau.xlsx --from 01/01/2011 --to 31/12/2012

## Run the test suite (pytest).
test: venv
	BHYT_SPARK_TESTS=$(BHYT_SPARK_TESTS) $(PY) -m pytest -q

## Benchmarks (print figures; not part of the tests).
bench: venv
	$(PY) bench/review_bench.py --rows 100000

clean:
	rm -rf $(VENV) out .pytest_cache
