# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint bench conformance clean protos

$(BIN)/python:
	$(PY) -m venv $(VENV)

install: $(BIN)/python
	@# compat mode: a plain path entry instead of an import hook, which keeps `import tensorforge` fast.
	$(BIN)/python -m pip install -q -e ".[test]" --config-settings editable_mode=compat
	@# Byte-compile once so that imports stay fast even where PYTHONDONTWRITEBYTECODE is set.
	$(BIN)/python -m compileall -q tensorforge > /dev/null

demo: install
	$(BIN)/python examples/digits_classifier.py
	$(BIN)/python examples/keras_workflow.py

test: install
	$(BIN)/python -m pytest tests

lint: install
	$(BIN)/ruff check tensorforge tests bench examples

conformance: install
	$(BIN)/python ../shared/conformance/harness.py check --module tensorforge

bench: install
	for f in bench/*.py; do $(BIN)/python $$f; done

# Regenerate tensorforge/protos/*_pb2.py(i) from the .proto files (the generated files are committed).
protos: install
	$(BIN)/python -m grpc_tools.protoc -I. --python_out=. --pyi_out=. tensorforge/protos/*.proto

clean:
	rm -rf $(VENV) build *.egg-info
