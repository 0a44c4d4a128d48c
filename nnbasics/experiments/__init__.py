"""The measured demos the notebooks run, one module per notebook (``nbNN_topic.py``).

Each function returns data (arrays, frozen dataclasses, dicts), never a plot; the claims the
notebooks make about these results are re-checked over several seeds in tests/test_claims.py.
"""
