"""Your exercise files: one per notebook."""
