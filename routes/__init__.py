"""Datasets of documented legs: model, loading, the leg graph, routing and the CLI."""
