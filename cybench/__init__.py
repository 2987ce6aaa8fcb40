"""cybench: benchmark LLMs on security detection work."""

__version__ = "0.1.0"
