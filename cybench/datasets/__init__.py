"""Datasets: the spec interface, the registry, and the generic fetch and prep steps."""
