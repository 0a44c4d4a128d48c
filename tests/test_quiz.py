"""Quiz banks are well formed; the quiz widget scores and explains."""

import pkgutil

import pytest

import nnbasics.course.quiz_bank
from nnbasics.course import quiz

BANKS = sorted(m.name[2:] for m in pkgutil.iter_modules(nnbasics.course.quiz_bank.__path__) if m.name.startswith("nb"))


@pytest.mark.parametrize("nn", BANKS)
def test_bank_has_3_to_6_questions(nn):
    qs = quiz.load(nn)
    assert 3 <= len(qs) <= 6
    assert len({q.prompt for q in qs}) == len(qs)


def test_quiz_scores_and_explains():
    q = quiz.show("01")
    for i, question in enumerate(q.questions):
        q.answer(i, question.answer if i else (question.answer + 1) % len(question.choices))
    assert q.check() == len(q.questions) - 1
    assert "Not quite" in q._feedback[0].value and "Correct" in q._feedback[1].value


def test_bad_questions_and_notebooks_are_refused():
    with pytest.raises(ValueError, match="answer index"):
        quiz.Question("p", ("a", "b"), 2, "e")
    with pytest.raises(ValueError, match="explanation"):
        quiz.Question("p", ("a", "b"), 0, " ")
    with pytest.raises(ValueError, match="no quiz"):
        quiz.load("99")
