"""Built-in plugins: core rules that belong to no vendor (CORE-* of RULES.md)."""
