"""The torch side: models (one MLP builder), train (one fit loop, one History), diagnostics
(per-layer gradient flow and activation health), debug (overfit-one-batch, the bug zoo,
diagnose), hardware (FLOPs, bytes, timing, memory, precision) and runtime (thread settings)."""
