"""End-of-notebook self-check quizzes: multiple choice with an explanation for every answer.

Question banks live in ``nnbasics/course/quiz_bank/nbNN.py`` as a ``QUESTIONS`` list;
``quiz.show("01")`` builds the widget for notebook 01.
"""

from __future__ import annotations

import getpass
import hashlib
import importlib
import os
from dataclasses import dataclass

from nnbasics._validate import check_notebook

__all__ = ["Question", "Quiz", "load", "show", "learner_id", "choice_order"]


def learner_id() -> str:
    """Who is taking the quiz: ``$NNBASICS_LEARNER``, else the login name (stable across runs)."""
    env = os.environ.get("NNBASICS_LEARNER", "").strip()
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): one shared order
        return "learner"


def choice_order(n_choices: int, *, learner: str, notebook: str, index: int) -> list[int]:
    """The order in which one learner sees the choices of question ``index`` of a notebook.

    A permutation of ``range(n_choices)`` seeded by a hash of (learner, notebook, index): the
    same learner sees the same order on every run, different learners see different orders, so
    "the answer is always B" cannot be learned from the layout.
    """
    digest = hashlib.sha256(f"{learner}|{notebook}|{index}".encode()).digest()
    keys = [hashlib.sha256(digest + bytes([k])).digest() for k in range(n_choices)]
    return sorted(range(n_choices), key=lambda k: keys[k])


@dataclass(frozen=True)
class Question:
    """A multiple-choice question.

    Attributes
    ----------
    prompt : str
        The question (Markdown/HTML allowed).
    choices : tuple of str
        Two or more possible answers.
    answer : int
        Index of the correct choice.
    explanation : str
        Why the answer is right (and the others wrong); shown after checking.
    """

    prompt: str
    choices: tuple
    answer: int
    explanation: str

    def __post_init__(self):
        if len(self.choices) < 2:
            raise ValueError(f"a question needs at least 2 choices, got {len(self.choices)}")
        if not 0 <= self.answer < len(self.choices):
            raise ValueError(f"answer index {self.answer} is outside 0..{len(self.choices) - 1}")
        if not self.explanation.strip():
            raise ValueError("every question needs an explanation")


def load(notebook: str) -> list[Question]:
    """The questions for notebook ``"NN"`` from ``nnbasics.course.quiz_bank.nbNN``."""
    check_notebook(notebook)
    try:
        mod = importlib.import_module(f"nnbasics.course.quiz_bank.nb{notebook}")
    except ModuleNotFoundError:
        raise ValueError(f"there is no quiz for notebook {notebook}") from None
    return list(mod.QUESTIONS)


class Quiz:
    """A widget asking each question with radio buttons and a "Check answers" button.

    Parameters
    ----------
    questions : list of Question
    notebook : str
        The notebook number, part of the shuffling seed.
    learner : str, optional
        Whose order to show (default :func:`learner_id`); ``shuffle=False`` keeps the bank's order.

    Attributes
    ----------
    ui : ipywidgets.VBox
    score : int or None
        Correct answers at the last check.
    """

    def __init__(self, questions: list[Question], *, notebook: str = "", learner: str | None = None,
                 shuffle: bool = True):
        import ipywidgets as w

        if not questions:
            raise ValueError("a quiz needs at least one question")
        self.questions = list(questions)
        self.notebook = notebook
        self.score: int | None = None
        who = learner_id() if learner is None else str(learner)
        #: per question, the bank's choice indices in the order they are shown
        self.orders = [choice_order(len(q.choices), learner=who, notebook=notebook, index=i)
                       if shuffle else list(range(len(q.choices)))
                       for i, q in enumerate(self.questions)]
        self._radios = [w.RadioButtons(options=[(q.choices[k], k) for k in order], value=None,
                                       layout=w.Layout(width="auto"))
                        for q, order in zip(self.questions, self.orders)]
        self._feedback = [w.HTML() for _ in self.questions]
        self._button = w.Button(description="Check answers", button_style="primary")
        self._button.on_click(lambda _: self.check())
        self._total = w.HTML()
        rows = []
        for i, (q, r, f) in enumerate(zip(self.questions, self._radios, self._feedback), 1):
            rows += [w.HTML(f"<b>Q{i}.</b> {q.prompt}"), r, f]
        self.ui = w.VBox(rows + [self._button, self._total])
        self.ui.add_class("nnbasics-quiz")

    def answer(self, index: int, choice: int) -> None:
        """Select the bank's choice ``choice`` for question ``index`` (what a click on it does)."""
        if not 0 <= choice < len(self.questions[index].choices):
            raise ValueError(f"question {index} has choices 0..{len(self.questions[index].choices) - 1}, "
                             f"got {choice}")
        self._radios[index].value = choice

    def check(self) -> int:
        """Mark every question, show explanations, and return the number correct."""
        score = 0
        for q, r, f in zip(self.questions, self._radios, self._feedback):
            if r.value is None:
                f.value = "<i>Not answered yet.</i>"
                continue
            right = r.value == q.answer
            score += right
            mark = "✅ Correct." if right else f"❌ Not quite — the answer is <b>{q.choices[q.answer]}</b>."
            f.value = f"{mark} {q.explanation}"
        self.score = score
        self._total.value = f"<b>Score: {score} / {len(self.questions)}</b>"
        if self.notebook:
            from nnbasics.course import progress

            try:
                progress.record_quiz(self.notebook, score, len(self.questions))
            except OSError as err:  # a read-only course folder must not break the quiz
                self._total.value += f" <i>(progress not saved: {err})</i>"
        return score

    def _ipython_display_(self):
        from IPython.display import display

        display(self.ui)


def show(notebook: str) -> Quiz:
    """Build the quiz for notebook ``"NN"`` (display it by leaving it last in a cell)."""
    return Quiz(load(notebook), notebook=notebook)
