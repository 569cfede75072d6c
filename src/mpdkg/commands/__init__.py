"""Command groups of the CLI, one module per feature, each with register(app)."""
