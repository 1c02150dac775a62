"""The measurements: one module per question the benchmark answers."""
