"""Sites and their names: the gazetteer model, loading, resolution and errors."""
