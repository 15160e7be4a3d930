"""Bad input to course_utils.exercises and the exercise checkers of each lesson (issue 17).

The exercise's own arguments (texts, sizes, the tokenizer, ...) are refused with a clear error. The
learner's answer never raises: ``None`` means "not answered yet", a wrong answer gets a hint, and a
malformed answer (wrong type or shape, an impossible value) is told what shape the answer must have.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from bad_input import Fixture, case, run_case

from course_utils import exercises as ex
from course_utils import exercises_deployment as deployment
from course_utils import exercises_features as features
from course_utils import exercises_fine_tuning as fine_tuning
from course_utils import exercises_inputs as inputs
from course_utils import exercises_tasks as tasks

TOK, BERT = Fixture("tokenizer"), Fixture("tiny_bert")
QUESTION, CONTEXT = "Who wrote it?", "It was written by Jane Austen in 1813."
STATES = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)  # layers x sentences x hidden
HIDDEN = np.ones((2, 3, 4))
MASK = [[1, 1, 0], [1, 1, 1]]

CASES = [
    # Lesson 10
    case(deployment.check_int8_weights, [0.0, 0.0], None, error=ValueError, match="weights are all zero"),
    case(deployment.check_int8_weights, "0.1 0.2", None, error=TypeError, match="weights"),
    case(deployment.check_model_megabytes, 0, 1, None, error=ValueError, match="parameters=0 is too small"),
    case(deployment.check_model_megabytes, 1000, 3, None, error=ValueError, match="bytes_per_parameter"),
    case(deployment.check_percentile, [5.0], 95, None, error=ValueError, match="times_ms has 1 value"),
    case(deployment.check_percentile, [5.0, 6.0], 120, None, error=ValueError, match="q=120"),
    # check_answer
    case(ex.check_answer, None, 3, 3, error=TypeError, match="exercise must be a str"),
    case(ex.check_answer, "Steps", 3, None, error=ValueError, match="expected is None"),
    case(ex.check_answer, "Steps", 3, 3, 42, error=TypeError, match="hint must be a str"),
    # check_close and check_vector (the machinery of the numeric checkers)
    case(ex.check_close, "", 0.5, 0.5, 0.01, "", error=ValueError, match="exercise is empty"),
    case(ex.check_close, "Share", 0.5, "0.5", 0.01, "", error=TypeError, match="expected must be a number"),
    case(ex.check_close, "Share", 0.5, 0.5, -0.01, "", error=ValueError, match="tolerance=-0.01 is too small"),
    case(ex.check_close, "Share", 0.5, 0.5, 0.01, 7, error=TypeError, match="hint must be a str"),
    case(ex.check_vector, "Mean", [1.0], "abc", 0.01, "", error=TypeError, match="expected must be an array"),
    case(ex.check_vector, "Mean", [1.0], [1.0], float("nan"), "", error=ValueError, match="tolerance=nan"),
    case(ex.check_vector, None, [1.0], [1.0], 0.01, "", error=TypeError, match="exercise must be a str"),
    # Lesson 1
    case(inputs.check_wordpieces, ["hello"], None, TOK, error=TypeError, match="text must be a str"),
    case(inputs.check_wordpieces, "", None, TOK, error=ValueError, match="text is empty"),
    case(inputs.check_wordpieces, "hello", None, BERT, error=TypeError, match="tokenizer must be a tokenizer.*model"),
    case(inputs.check_pair_ids, "How old?", "Six.", 2, None, TOK, error=ValueError, match="max_length=2 is too small"),
    case(
        inputs.check_pair_ids, "How old?", "Six.", 12.0, None, TOK, error=TypeError, match="max_length must be an int"
    ),
    case(inputs.check_pair_ids, None, "Six.", 12, None, TOK, error=TypeError, match="first must be a str"),
    case(
        inputs.check_pair_ids,
        "How old?",
        "Six.",
        12,
        None,
        BERT,
        error=TypeError,
        match="tokenizer must be a tokenizer",
    ),
    # Lesson 2
    case(
        inputs.check_padded_length,
        "Loved it!",
        None,
        TOK,
        error=TypeError,
        match="texts must be a list of str.*not one",
    ),
    case(inputs.check_padded_length, [], None, TOK, error=ValueError, match="texts is empty"),
    case(inputs.check_padded_length, ["Loved it!"], None, BERT, error=TypeError, match="tokenizer must be a tokenizer"),
    case(inputs.check_attention_mask, "Loved it!", None, TOK, error=TypeError, match="texts must be a list of strings"),
    case(inputs.check_attention_mask, ["Loved it!", 3], None, TOK, error=TypeError, match=r"texts\[1\] is a int"),
    case(
        inputs.check_attention_mask, ["Loved it!"], None, None, error=TypeError, match="tokenizer must be a tokenizer"
    ),
    case(inputs.check_token_type_ids, "Is it?", 3, None, TOK, error=TypeError, match="second must be a str"),
    case(
        inputs.check_token_type_ids,
        "Is it?",
        "Yes.",
        None,
        BERT,
        error=TypeError,
        match="tokenizer must be a tokenizer",
    ),
    # Lesson 6
    case(fine_tuning.check_num_steps, 1148, 16, 0.5, None, error=TypeError, match="epochs must be an int"),
    case(fine_tuning.check_num_steps, 1148, 0, 3, None, error=ValueError, match="batch_size=0 is too small"),
    case(fine_tuning.check_num_steps, -5, 16, 3, None, error=ValueError, match="n_examples=-5 is too small"),
    case(
        fine_tuning.check_warmup_lr,
        55,
        100,
        0.1,
        1e-4,
        None,
        error=TypeError,
        match=r"warmup_steps=0.1 is a fraction.*= 10",
    ),
    case(
        fine_tuning.check_warmup_lr, 55, 100, 150, 1e-4, None, error=ValueError, match="warmup_steps=150 is too large"
    ),
    case(fine_tuning.check_warmup_lr, -1, 100, 10, 1e-4, None, error=ValueError, match="step=-1 is too small"),
    case(fine_tuning.check_warmup_lr, 200, 100, 10, 1e-4, None, error=ValueError, match="step=200 is too large"),
    case(fine_tuning.check_warmup_lr, 55, 100, 10, 0.0, None, error=ValueError, match="peak_lr=0"),
    case(fine_tuning.check_warmup_lr, 55, 100, 10, "1e-4", None, error=TypeError, match="peak_lr must be a number"),
    case(
        fine_tuning.check_macro_f1,
        "0101",
        [0, 1, 0, 1],
        None,
        error=TypeError,
        match="labels must be an array of numbers",
    ),
    case(
        fine_tuning.check_macro_f1,
        [0, 1, 0],
        [0, 1],
        None,
        error=ValueError,
        match="labels and preds must have the same",
    ),
    case(
        fine_tuning.check_macro_f1,
        [0, 1],
        [[0.1, 0.9], [0.8, 0.2]],
        None,
        error=ValueError,
        match=r"preds has shape \(2, 2\): these look like logits",
    ),
    case(fine_tuning.check_macro_f1, [0.5, 1], [0, 1], None, error=ValueError, match="labels must hold class ids"),
    case(fine_tuning.check_macro_f1, [], [], None, error=ValueError, match="labels is empty"),
    case(
        fine_tuning.check_tokens_lost,
        "A long review.",
        -1,
        None,
        TOK,
        error=ValueError,
        match="max_length=-1 is too small",
    ),
    case(fine_tuning.check_tokens_lost, None, 128, None, TOK, error=TypeError, match="text must be a str"),
    case(
        fine_tuning.check_tokens_lost,
        "A review.",
        128,
        None,
        BERT,
        error=TypeError,
        match="tokenizer must be a tokenizer",
    ),
    case(fine_tuning.check_head_parameters, 0, 3, None, error=ValueError, match="hidden_size=0 is too small"),
    case(fine_tuning.check_head_parameters, 384, 2.5, None, error=TypeError, match="num_labels must be an int"),
    # Lesson 7
    case(tasks.check_hypothesis_segment, None, "it rains", None, TOK, error=TypeError, match="premise must be a str"),
    case(tasks.check_hypothesis_segment, "Grey.", "Rain.", None, BERT, error=TypeError, match="tokenizer must be a"),
    case(tasks.check_softmax_prob, "2.0 0.5", 0, None, error=TypeError, match="logits must be an array of numbers"),
    case(tasks.check_softmax_prob, [2.0, 0.5, -1.0], 3, None, error=ValueError, match="index=3 is too large"),
    case(tasks.check_softmax_prob, [2.0, 0.5, -1.0], 0.0, None, error=TypeError, match="index must be an int"),
    case(tasks.check_softmax_prob, [], 0, None, error=ValueError, match="logits is empty"),
    case(tasks.check_softmax_prob, [2.0, math.nan], 0, None, error=ValueError, match="logits contains NaN"),
    case(
        tasks.check_zero_shot_pairs, "Oven.", "food", "About {}.", None, error=TypeError, match="labels must be a list"
    ),
    case(tasks.check_zero_shot_pairs, "Oven.", ["cooking"], "About it.", None, error=ValueError, match="has no {}"),
    case(tasks.check_zero_shot_pairs, "Oven.", ["a"], "{} {label}", None, error=ValueError, match="no other braces"),
    case(
        tasks.check_zero_shot_pairs, None, ["cooking"], "About {}.", None, error=TypeError, match="text must be a str"
    ),
    case(tasks.check_phenomenon, None, "Nobody came.", None, error=TypeError, match="premise must be a str"),
    case(tasks.check_phenomenon, "A man sleeps.", ["Nobody"], None, error=TypeError, match="hypothesis must be a str"),
    # Lesson 8
    case(tasks.check_answer_positions, QUESTION, CONTEXT, "1814", None, TOK, error=ValueError, match="does not occur"),
    case(tasks.check_answer_positions, QUESTION, CONTEXT, "1813", None, BERT, error=TypeError, match="tokenizer must"),
    case(
        tasks.check_answer_positions, QUESTION, None, "1813", None, TOK, error=TypeError, match="context must be a str"
    ),
    case(tasks.check_squad_f1, "Eiffel Tower", None, None, error=TypeError, match="truth must be a str"),
    case(tasks.check_squad_f1, 3, "Eiffel Tower", None, error=TypeError, match="prediction must be a str"),
    case(tasks.check_num_windows, QUESTION, CONTEXT, 16, 12, None, TOK, error=ValueError, match="stride=12 must be"),
    case(tasks.check_num_windows, QUESTION, CONTEXT, 6, 0, None, TOK, error=ValueError, match="leaves no room"),
    case(
        tasks.check_num_windows, QUESTION, CONTEXT, 16, -1, None, TOK, error=ValueError, match="stride=-1 is too small"
    ),
    case(tasks.check_num_windows, QUESTION, CONTEXT, 16, 4, None, BERT, error=TypeError, match="tokenizer must be"),
    # Lesson 9
    case(
        tasks.check_aligned_labels, "Graz", ["B-LOC"], None, TOK, error=TypeError, match="words must be a list of str"
    ),
    case(tasks.check_aligned_labels, ["Graz", "."], ["B-LOC"], None, TOK, error=ValueError, match="same length"),
    case(tasks.check_aligned_labels, ["Graz"], ["B-CITY"], None, TOK, error=ValueError, match="'B-CITY' is unknown"),
    case(tasks.check_aligned_labels, ["Graz"], ["B-LOC"], None, TOK, "yes", error=TypeError, match="label_all must be"),
    case(tasks.check_aligned_labels, ["Graz"], ["B-LOC"], None, BERT, error=TypeError, match="tokenizer must be"),
    case(
        tasks.check_entity_spans, "B-PER I-PER", None, error=TypeError, match="tags must be a list of strings, not one"
    ),
    case(tasks.check_entity_spans, None, None, error=TypeError, match="tags must be a list of strings"),
    case(
        tasks.check_entity_f1,
        ["B-PER", "O"],
        [["B-PER", "O"]],
        None,
        error=TypeError,
        match="y_true is a flat list of tags",
    ),
    case(
        tasks.check_entity_f1,
        [["O"], ["O"]],
        [["O"]],
        None,
        error=ValueError,
        match="y_true has 2 sentences but y_pred has 1",
    ),
    case(
        tasks.check_entity_f1,
        [["B-PER", "O"]],
        [["O"]],
        None,
        error=ValueError,
        match="sentence 0: 2 gold tags but 1 predicted tags",
    ),
    case(tasks.check_entity_f1, [], [], None, error=ValueError, match="y_true is empty"),
    case(
        tasks.check_entity_f1, "B-PER", [["B-PER"]], None, error=TypeError, match="y_true must be a list of tag lists"
    ),
    # Lesson 3
    case(
        features.check_cls_vector, "A film.", None, TOK, BERT, error=TypeError, match="model must be a model.*tokenizer"
    ),
    case(features.check_cls_vector, None, None, BERT, TOK, error=TypeError, match="text must be a str"),
    case(features.check_padding_share, "A film.", None, TOK, error=TypeError, match="texts must be a list of strings"),
    case(features.check_padding_share, [], None, TOK, error=ValueError, match="texts is empty"),
    case(features.check_padding_share, ["A film."], None, BERT, error=TypeError, match="tokenizer must be a tokenizer"),
    case(features.check_accuracy_from_confusion, [5, 3], None, error=ValueError, match="matrix must have 2 dimension"),
    case(features.check_accuracy_from_confusion, [[5, 0, 1], [3, 0, 1]], None, error=ValueError, match="square"),
    case(features.check_accuracy_from_confusion, [[5, -1], [3, 0]], None, error=ValueError, match="counts"),
    case(features.check_accuracy_from_confusion, [[0, 0], [0, 0]], None, error=ValueError, match="not all 0"),
    case(features.check_accuracy_from_confusion, "cm", None, error=TypeError, match="matrix must be an array"),
    # Lesson 4
    case(features.check_hidden_state_shape, "A text.", None, TOK, BERT, error=TypeError, match="model must be a model"),
    case(features.check_hidden_state_shape, None, None, BERT, TOK, error=TypeError, match="text must be a str"),
    case(
        features.check_layer_combination, STATES, "last4", None, error=ValueError, match="'last4' is unknown.*sum_last4"
    ),
    case(features.check_layer_combination, [1.0, 2.0], "sum_last4", None, error=ValueError, match="layers first"),
    case(features.check_layer_combination, STATES[:3], "sum_last4", None, error=ValueError, match="needs at least 4"),
    case(
        features.check_layer_combination, None, "sum_last4", None, error=TypeError, match="all_layers must be an array"
    ),
    case(
        features.check_word_cosine, "A bat.", "Bat.", "bat", 99, None, BERT, TOK, error=ValueError, match="out of range"
    ),
    case(
        features.check_word_cosine,
        "A bat.",
        "Bat.",
        "bat",
        "last",
        None,
        BERT,
        TOK,
        error=TypeError,
        match="layer must",
    ),
    case(
        features.check_word_cosine,
        None,
        "The bat.",
        "bat",
        -1,
        None,
        BERT,
        TOK,
        error=TypeError,
        match="text_a must be",
    ),
    case(
        features.check_word_cosine,
        "A bat.",
        "The bat.",
        "bat",
        -1,
        None,
        TOK,
        BERT,
        error=TypeError,
        match="model must",
    ),
    # Lesson 5
    case(features.check_masked_mean, HIDDEN, [[1, 1], [1, 1]], None, error=ValueError, match="do not match"),
    case(
        features.check_masked_mean,
        HIDDEN,
        [[1, 1, 0], [0, 0, 0]],
        None,
        error=ValueError,
        match="at least one 1 per row",
    ),
    case(features.check_masked_mean, HIDDEN, [[1, 2, 0], [1, 1, 1]], None, error=ValueError, match="0s and 1s"),
    case(features.check_masked_mean, HIDDEN[0], MASK, None, error=ValueError, match="hidden must have 3 dimension"),
    case(features.check_spearman, [1.0, 2.0, 3.0], [0.1, 0.2], None, error=ValueError, match="gold and predicted must"),
    case(
        features.check_spearman,
        [2.0, 2.0, 2.0],
        [0.1, 0.2, 0.3],
        None,
        error=ValueError,
        match="gold has the same value",
    ),
    case(features.check_spearman, [1.0], [0.1], None, error=ValueError, match="at least 2"),
    case(features.check_spearman, "1 2 3", [0.1, 0.2, 0.3], None, error=TypeError, match="gold must be an array"),
    case(
        features.check_nearest_intent, "Wake me", None, "alarm", ["alarm"], BERT, error=TypeError, match="texts must be"
    ),
    case(
        features.check_nearest_intent,
        "Wake me",
        None,
        ["a", "b"],
        ["alarm"],
        BERT,
        error=ValueError,
        match="same length",
    ),
    case(
        features.check_nearest_intent, "Wake me", None, ["a"], ["alarm"], TOK, error=TypeError, match="SentenceTransfor"
    ),
    case(
        features.check_nearest_intent, None, None, ["a"], ["alarm"], BERT, error=TypeError, match="query must be a str"
    ),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "error", "match"), CASES)
def test_bad_input_gets_a_clear_error(request, func, args, kwargs, error, match):
    run_case(request, func, args, kwargs, error, match)


# The learner's answer: None, right, wrong, malformed -------------------------------------------


def test_none_still_means_not_answered(capsys, tokenizer):
    assert not fine_tuning.check_num_steps(1148, 16, 3, None)
    assert not inputs.check_wordpieces("hello", None, tokenizer)
    assert not features.check_masked_mean(HIDDEN, MASK, None)
    assert capsys.readouterr().out.count("not answered yet - replace None with your answer.") == 3


@pytest.mark.parametrize(
    ("call", "shape"),
    [
        (lambda tok: inputs.check_wordpieces("hello world", "hello world", tok), "a list of token strings"),
        (lambda tok: inputs.check_pair_ids("How?", "Six.", 8, ["[CLS]", "how"], tok), "a list of token ids"),
        (lambda tok: inputs.check_padded_length(["Loved it!"], 5.5, tok), "an int"),
        (lambda tok: inputs.check_padded_length(["Loved it!"], "5", tok), "an int"),
        (lambda tok: fine_tuning.check_tokens_lost("short", 64, False, tok), "an int"),
        (lambda tok: inputs.check_attention_mask(["Loved it!"], [1, 1, 1, 1, 1], tok), "a list of rows of 0s and 1s"),
        (lambda tok: fine_tuning.check_num_steps(1148, 16, 3, 215.5), "an int"),
        (lambda tok: tasks.check_squad_f1("the Eiffel Tower in Paris", "Eiffel Tower", 67), "not a percentage"),
        (lambda tok: fine_tuning.check_macro_f1([0, 1], [0, 1], "1.0"), "one number"),
        (lambda tok: tasks.check_softmax_prob([1.0, 2.0], 0, np.array([0.27, 0.73])), "one number"),
        (lambda tok: fine_tuning.check_warmup_lr(55, 100, 10, 1e-4, -5e-5), "a number >= 0"),
        (
            lambda tok: tasks.check_zero_shot_pairs("t", ["a"], "is {}", ("t", "is a")),
            "a list of (premise, hypothesis)",
        ),
        (lambda tok: tasks.check_phenomenon("A man sleeps.", "Nobody is sleeping.", "negations"), "one of ["),
        (lambda tok: tasks.check_entity_spans(["B-ORG", "I-ORG"], ("ORG", 0, 2)), "a list of (type, start, end)"),
        (lambda tok: tasks.check_entity_spans(["B-ORG", "I-ORG"], [("ORG", 0)]), "a list of (type, start, end)"),
        (lambda tok: tasks.check_answer_positions(QUESTION, CONTEXT, "1813", "14", tok), "two token positions"),
        (
            lambda tok: features.check_layer_combination(STATES, "sum_last4", "sum"),
            "an array of numbers of shape (2, 3)",
        ),
        (
            lambda tok: features.check_masked_mean(HIDDEN, MASK, [[1.0, 1.0], [1.0]]),
            "an array of numbers of shape (2, 4)",
        ),
    ],
)
def test_a_malformed_answer_is_told_its_shape_not_raised(capsys, tokenizer, call, shape):
    assert not call(tokenizer)
    out = capsys.readouterr().out
    assert "not quite - your answer must be" in out and shape in out, out


def test_wrong_answers_of_the_right_shape_still_get_a_hint(capsys, tokenizer):
    assert not fine_tuning.check_num_steps(1148, 16, 3, 215)
    assert not inputs.check_wordpieces("hello world", ["hello", "word"], tokenizer)
    out = capsys.readouterr().out
    assert out.count("not quite. You gave") == 2 and out.count("Hint:") == 2


def test_the_notebooks_solutions_are_still_correct(capsys, tokenizer, tiny_bert):
    # the answers the lessons' solution cells give (same types: tuples, numpy and torch values)
    assert inputs.check_wordpieces("Unaffable hobbits!", tokenizer.tokenize("Unaffable hobbits!"), tokenizer)
    ids = tokenizer("How old are you?", "I am six.", padding="max_length", truncation=True, max_length=6)["input_ids"]
    assert inputs.check_pair_ids("How old are you?", "I am six.", 6, ids, tokenizer)
    batch = ["Loved it!", "A slow, beautiful, patient film about grief."]
    lengths = [len(tokenizer.tokenize(text)) + 2 for text in batch]
    assert inputs.check_padded_length(batch, max(lengths), tokenizer)
    assert inputs.check_attention_mask(batch, [[1] * n + [0] * (max(lengths) - n) for n in lengths], tokenizer)
    as_tensor = tokenizer(batch, padding=True, return_tensors="pt")["attention_mask"]
    assert inputs.check_attention_mask(batch, as_tensor, tokenizer)
    assert fine_tuning.check_num_steps(67_349, 32, 3, math.ceil(67_349 / 32) * 3)
    assert fine_tuning.check_num_steps(67_349, 32, 3, np.ceil(67_349 / 32) * 3)  # a whole-number float is fine
    assert fine_tuning.check_warmup_lr(55, 100, 10, 1e-4, 1e-4 * (100 - 55) / (100 - 10))
    assert fine_tuning.check_head_parameters(32, 3, np.int64(32 * 3 + 3))
    assert deployment.check_int8_weights([0.12, -0.5, 0.031, 0.25, -0.07], [30, -127, 8, 64, -18])
    assert not deployment.check_int8_weights([0.12, -0.5, 0.031, 0.25, -0.07], [0.12, -0.5, 0.031, 0.25, -0.07])
    assert deployment.check_model_megabytes(110_000_000, 1, 110.0)
    times = [7.1, 6.8, 7.4, 6.9, 15.2, 7.0, 7.2, 6.7, 7.3, 9.8]
    assert deployment.check_percentile(times, 95, 12.77) and not deployment.check_percentile(times, 95, 15.2)
    exps = np.exp([2.0, 0.5, -1.0])
    assert tasks.check_softmax_prob([2.0, 0.5, -1.0], 0, exps[0] / exps.sum())
    pairs = [("The oven was hot.", f"This text is about {label}.") for label in ["cooking", "weather"]]
    assert tasks.check_zero_shot_pairs("The oven was hot.", ["cooking", "weather"], "This text is about {}.", pairs)
    assert tasks.check_phenomenon("Three children play.", "All the children are asleep.", "quantifier")
    assert tasks.check_squad_f1("the Eiffel Tower in Paris", "Eiffel Tower", 2 * 0.5 * 1 / 1.5)
    assert tasks.check_entity_spans(["I-ORG", "I-ORG", "O", "B-PER"], [("ORG", 0, 2), ("PER", 3, 4)])
    assert tasks.check_entity_spans(["O", "O"], [])
    assert tasks.check_entity_f1([["B-PER", "I-PER", "O"]], [["B-PER", "O", "O"]], 0.0)
    cm = np.array([[3, 1], [2, 4]])
    assert features.check_accuracy_from_confusion(cm, np.trace(cm) / cm.sum())
    sentences = ["A quiet film.", "Loud."]
    lens = np.array([len(ids) for ids in tokenizer(sentences)["input_ids"]])
    assert features.check_padding_share(sentences, 1 - lens.sum() / (len(lens) * lens.max()), tokenizer)
    with torch.no_grad():
        states = tiny_bert(**tokenizer("Nobody expected it.", return_tensors="pt"), output_hidden_states=True)
    hidden = states.hidden_states
    assert features.check_hidden_state_shape(
        "Nobody expected it.", (len(hidden), *hidden[0].shape[1:]), tiny_bert, tokenizer
    )
    assert features.check_cls_vector("Nobody expected it.", states.last_hidden_state[0, 0], tiny_bert, tokenizer)
    assert features.check_layer_combination(STATES, "sum_last4", STATES[-4:].sum(axis=0))
    assert features.check_layer_combination(torch.tensor(STATES), "second_to_last", torch.tensor(STATES[-2]))
    h, m = torch.randn(2, 3, 4), torch.tensor(MASK)
    assert features.check_masked_mean(h, m, (h * m.unsqueeze(-1)).sum(dim=1) / m.unsqueeze(-1).sum(dim=1))
    assert features.check_spearman([1.0, 2.0, 3.0, 4.0], [0.1, 0.3, 0.2, 0.4], 0.8)
    assert capsys.readouterr().out.count("correct!") == 27


# Silent wrong answers, fixed ------------------------------------------------------------------


def test_floats_inside_lists_are_compared_with_a_tolerance(capsys):
    assert ex.check_answer("Sum", 0.1 + 0.2, 0.3)
    assert ex.check_answer("Sums", [0.1 + 0.2, 1.0], [0.3, 1])  # was compared exactly: marked wrong
    assert ex.check_answer("Tiny", 1e-12, 0.0)
    assert not ex.check_answer("Tiny", 1e-7, 1e-8)  # not "equal within 1e-6" any more
    assert not ex.check_answer("Sum", 0.31, 0.3)


def test_a_value_rounded_as_asked_is_accepted_at_the_tolerance_edge():
    # accuracy 5/8 = 0.625, rounded to 2 decimals: 0.62 and 0.63 are both right (both were rejected)
    assert features.check_accuracy_from_confusion([[5, 0], [3, 0]], 0.62)
    assert features.check_accuracy_from_confusion([[5, 0], [3, 0]], 0.63)
    assert not features.check_accuracy_from_confusion([[5, 0], [3, 0]], 0.61)


def test_a_bool_is_not_taken_for_a_number(capsys, tokenizer):
    assert not fine_tuning.check_tokens_lost("short", 64, False, tokenizer)  # False == 0 was "correct!"
    assert not ex.check_answer("Flag", 1, True)
    assert ex.check_answer("Flag", np.bool_(True), True)


def test_one_span_or_one_pair_is_not_taken_apart(capsys):
    # one (type, start, end) tuple crashed inside the checker; one pair was read character by character
    assert not tasks.check_entity_spans(["B-ORG", "I-ORG"], ("ORG", 0, 2))
    assert tasks.check_entity_spans(["B-ORG", "I-ORG"], [("ORG", 0, 2)])
    assert not tasks.check_zero_shot_pairs("t", ["a"], "is {}", ("t", "is a"))
    assert tasks.check_zero_shot_pairs("t", ["a"], "is {}", [("t", "is a")])
    assert "['i', 's'" not in capsys.readouterr().out


def test_an_array_of_the_wrong_shape_is_not_reshaped_into_a_match(capsys):
    want = STATES[-4:].sum(axis=0)  # (2, 3)
    assert not features.check_layer_combination(STATES, "sum_last4", want.reshape(3, 2))  # was reshaped and compared
    assert "you gave shape (3, 2), expected (2, 3)" in capsys.readouterr().out
    assert features.check_layer_combination(STATES, "sum_last4", want[None])  # (1, 2, 3) for (2, 3) is still fine


def test_a_tiny_pair_max_length_is_refused_not_left_untruncated(tokenizer):
    # max_length=2 made the tokenizer skip truncation: the "expected" ids were 12 long, not 2
    with pytest.raises(ValueError, match="max_length=2 is too small: pass an int >= 3"):
        inputs.check_pair_ids("How old are you?", "I am six.", 2, [101, 102], tokenizer)
    assert inputs.check_pair_ids("How old are you?", "I am six.", 3, [101, 102, 102], tokenizer)
