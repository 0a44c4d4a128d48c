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


def test_choices_are_shuffled_per_learner_and_stable_for_one_learner():
    questions = quiz.load("01")
    ada1 = quiz.Quiz(questions, notebook="01", learner="ada").orders
    ada2 = quiz.Quiz(questions, notebook="01", learner="ada").orders
    assert ada1 == ada2, "one learner must see the same order on every run"
    for order, q in zip(ada1, questions):
        assert sorted(order) == list(range(len(q.choices)))
    others = [quiz.Quiz(questions, notebook="01", learner=f"learner{i}").orders for i in range(8)]
    assert any(o != ada1 for o in others), "different learners should see different orders"
    # over many learners the correct answer lands in every displayed position
    q0 = questions[0]
    positions = {quiz.choice_order(len(q0.choices), learner=f"l{i}", notebook="01", index=0).index(q0.answer)
                 for i in range(60)}
    assert positions == set(range(len(q0.choices)))


def test_shuffled_quiz_still_scores_by_content():
    q = quiz.Quiz(quiz.load("02"), notebook="02", learner="ben")
    for i, question in enumerate(q.questions):
        q.answer(i, question.answer)  # the bank's index, wherever it is displayed
    assert q.check() == len(q.questions)
    shown = [label for label, _ in q._radios[0].options]
    assert shown == [q.questions[0].choices[k] for k in q.orders[0]]
    with pytest.raises(ValueError, match="choices 0.."):
        q.answer(0, 99)


@pytest.mark.parametrize("nn", BANKS)
def test_explanations_do_not_point_at_letters(nn):
    """Choices are shuffled per learner, so an explanation saying "B is right" would mislead."""
    import re

    for q in quiz.load(nn):
        assert not re.search(r"\b(option|choice|answer)\s+[A-F]\b|\([A-F]\)|^[A-F]\)", q.explanation), q.explanation


@pytest.mark.parametrize("nn", BANKS)
def test_no_answer_position_holds_more_than_40_percent_of_a_bank(nn):
    # shuffling hides the stored position from learners, but a bank written as "always B" is a
    # sign nobody checked the distractors: keep the stored answers spread too
    qs = quiz.load(nn)
    counts = {pos: sum(q.answer == pos for q in qs) for pos in range(max(len(q.choices) for q in qs))}
    worst = max(counts, key=counts.get)
    assert counts[worst] <= 0.4 * len(qs), f"bank {nn}: answer position {worst} holds {counts[worst]} of {len(qs)}"
