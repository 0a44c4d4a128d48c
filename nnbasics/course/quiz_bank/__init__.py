"""Question banks: ``nbNN.py`` holds ``QUESTIONS`` for notebook NN."""
