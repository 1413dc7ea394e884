"""Render a routed dataset as an interactive HTML map."""
