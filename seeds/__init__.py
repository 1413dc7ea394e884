"""The bundled dataset; data only."""
