"""The argument checks every public helper uses (course_utils.checks)."""

from pathlib import Path

import numpy as np
import pytest

from course_utils import checks


@pytest.mark.parametrize(
    ("check", "args", "error", "message"),
    [
        (checks.text_list, ("texts", "one text"), TypeError, r"not one string: wrap a single text as \[text\]"),
        (checks.text_list, ("texts", None), TypeError, "texts must be a list of strings, not NoneType"),
        (checks.text_list, ("texts", []), ValueError, "texts is empty"),
        (checks.text_list, ("texts", ["a", 3]), TypeError, r"texts\[1\] is a int"),
        (checks.text, ("question", "  "), ValueError, "question is empty"),
        (checks.text, ("question", 3), TypeError, "question must be a str"),
        (checks.integer, ("steps", 2.0), TypeError, "steps must be an int, not float"),
        (checks.integer, ("steps", True), TypeError, "steps must be an int, not bool"),
        (
            lambda n, v: checks.integer(n, v, minimum=0),
            ("steps", -1),
            ValueError,
            "steps=-1 is too small: pass an int >= 0",
        ),
        (checks.number, ("lr", "0.1"), TypeError, "lr must be a number, not str"),
        (checks.number, ("lr", float("nan")), ValueError, "not a finite number"),
        (
            lambda n, v: checks.number(n, v, maximum=1),
            ("ratio", 1.5),
            ValueError,
            "ratio=1.5 is too large: pass a number <= 1",
        ),
        (checks.one_of, ("pooling", "avg", ["cls", "mean"]), ValueError, r"choose one of \['cls', 'mean'\]"),
        (checks.array, ("logits", "1 2"), TypeError, "logits must be an array of numbers, not str"),
        (checks.array, ("logits", [[1, 2], [3]]), TypeError, "rows of equal length"),
        (lambda n, v: checks.array(n, v, ndim=2), ("logits", [1, 2]), ValueError, "must have 2 dimension"),
        (checks.tokenizer, ("tokenizer", object()), TypeError, "tokenizer must be a tokenizer"),
        (checks.model, ("model", "bert"), TypeError, "model must be a model"),
        (
            lambda n, v: checks.fast_tokenizer(n, v, "it gives offsets"),
            (
                "tokenizer",
                type(
                    "Slow",
                    (),
                    {"__call__": lambda self, text: {}, "convert_tokens_to_ids": lambda self, t: [], "is_fast": False},
                )(),
            ),
            TypeError,
            r"tokenizer must be a fast tokenizer \(it gives offsets\)",
        ),
        (checks.columns, ("dataset", {"text": []}, ["input_ids"]), ValueError, r"no column\(s\) \['input_ids'\]"),
        (checks.columns, ("dataset", [1, 2], ["text"]), TypeError, "must be a datasets.Dataset"),
        (checks.existing_path, ("path", "/no/such/folder"), FileNotFoundError, "does not exist"),
    ],
)
def test_bad_values_are_refused_by_name(check, args, error, message):
    with pytest.raises(error, match=message):
        check(*args)


def test_good_values_come_back_converted():
    assert checks.text_list("texts", ("a", "b")) == ["a", "b"]
    assert checks.text_list("texts", [], empty=True) == []
    assert checks.integer("steps", np.int64(3), minimum=0) == 3
    assert checks.number("lr", 1) == 1.0
    assert checks.array("logits", [[1, 2]], ndim=2).shape == (1, 2)
    assert checks.existing_path("path", Path(__file__), kind="file") == Path(__file__)


def test_model_and_tokenizer_are_told_apart(tiny_bert, tokenizer):
    with pytest.raises(TypeError, match="that is a model: pass the tokenizer"):
        checks.tokenizer("tokenizer", tiny_bert)
    with pytest.raises(TypeError, match="that is a tokenizer: pass the model"):
        checks.model("model", tokenizer)
    assert checks.model("model", tiny_bert) is tiny_bert
    assert checks.tokenizer("tokenizer", tokenizer) is tokenizer


def test_same_length_names_both_arguments():
    with pytest.raises(
        ValueError, match="labels and predictions must have the same length: labels has 2, predictions has 1"
    ):
        checks.same_length(("labels", "predictions"), [0, 1], [0])
