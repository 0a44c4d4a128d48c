"""The course's own tooling: the command line, grading (trusted side and sandbox), the
classroom gradebook, the student edition, exercises, quizzes, doctor and bench. Used by the
CLI, the notebooks' exercise and quiz cells, and the tests; never by core, lab or experiments."""
