# Mirrors the README commands; nothing here is needed to use cybench.

# Set up and run the end-to-end demo on real data with a real local model.
demo:
    bash recipes/demo.sh

# Set up and run the test suite.
test *ARGS:
    bash scripts/test.sh {{ARGS}}

# Format check and lint.
lint:
    .venv/bin/ruff format --check cybench tests benchmarks
    .venv/bin/ruff check cybench tests benchmarks

# Run every benchmark script; numbers go to docs/benchmarks.md by hand.
bench:
    for f in benchmarks/*.py; do .venv/bin/python "$f"; done
