"""The course machinery: grading (trusted side), the sandboxed worker and its plain-data wire."""
