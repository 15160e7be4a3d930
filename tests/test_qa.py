"""Lesson 8's QA helpers: features and labels, span decoding edge cases, SQuAD metrics."""

import math

import numpy as np
import pytest

from course_utils.qa import (
    Answer,
    answer_question,
    best_answer,
    naive_answer,
    postprocess_qa,
    qa_logits,
    span_candidates,
)
from course_utils.qa_features import answer_token_span, context_range, prepare_qa_features
from course_utils.squad_metrics import (
    exact_match,
    normalize_answer,
    squad_metrics,
    squad_scores,
    token_f1,
)

QUESTION = "Who wrote the novel?"
FILLER = " ".join(f"Sentence number {i} says nothing useful at all." for i in range(12))
ANSWER = "Jane Austen"
LONG_CONTEXT = FILLER + f" The novel was written by {ANSWER} in 1813."


def _row(context=LONG_CONTEXT, answer=ANSWER, question=QUESTION, qid="q1"):
    return {
        "id": [qid],
        "question": [question],
        "context": [context],
        "answers": [{"text": [answer], "answer_start": [context.index(answer)]}],
    }


def _logits(n, peaks):
    """Flat logits of length n with the given {position: value} peaks."""
    x = np.zeros(n)
    for position, value in peaks.items():
        x[position] = value
    return x


# -- labels -------------------------------------------------------------------------------------


def test_answer_token_span_by_hand():
    # [CLS] who ? [SEP] the cat sat [SEP]; context "the cat sat"
    offsets = [(0, 0), (0, 3), (3, 4), (0, 0), (0, 3), (4, 7), (8, 11), (0, 0)]
    sequence_ids = [None, 0, 0, None, 1, 1, 1, None]
    assert context_range(sequence_ids) == (4, 6)
    assert answer_token_span(offsets, sequence_ids, 4, 7) == (5, 5)
    assert answer_token_span(offsets, sequence_ids, 4, 11) == (5, 6)  # answer at the window's last token
    assert answer_token_span(offsets, sequence_ids, 0, 3) == (4, 4)  # at its first token
    assert answer_token_span(offsets, sequence_ids, 8, 14) == (0, 0)  # runs past the window -> [CLS]


def test_answer_token_span_errors():
    with pytest.raises(ValueError, match="end_char"):
        answer_token_span([(0, 0), (0, 1)], [None, 1], 3, 3)
    with pytest.raises(ValueError, match="no context token"):
        context_range([None, 0, 0, None])


def test_features_answer_only_in_a_later_window(tokenizer):
    features = prepare_qa_features(_row(), tokenizer, max_length=64, stride=16)
    n = len(features["input_ids"])
    assert n >= 3, "the long context should need several windows"
    assert features["example_id"] == ["q1"] * n
    assert features["start_positions"][0] == features["end_positions"][0] == 0  # not in the first window
    labelled = [i for i in range(n) if features["start_positions"][i] != 0]
    assert labelled and labelled[0] > 0
    for i in labelled:
        offsets = features["offset_mapping"][i]
        s, e = features["start_positions"][i], features["end_positions"][i]
        assert LONG_CONTEXT[offsets[s][0] : offsets[e][1]] == ANSWER
        assert len(features["input_ids"][i]) <= 64
    # question and special tokens have no offsets, so decoding can never pick them
    first = features["offset_mapping"][0]
    assert first[0] is None and first[1] is None and first[-1] is None


def test_features_windows_overlap_by_stride(tokenizer):
    features = prepare_qa_features(_row(), tokenizer, max_length=64, stride=16, with_labels=False)
    assert "start_positions" not in features
    first, second = features["offset_mapping"][0], features["offset_mapping"][1]
    first_ctx = [o for o in first if o is not None]
    second_ctx = [o for o in second if o is not None]
    assert first_ctx[-16:] == second_ctx[:16]  # the 16-token overlap


def test_features_errors(tokenizer):
    with pytest.raises(ValueError, match="'answers' column"):
        prepare_qa_features({"id": ["a"], "question": ["q"], "context": ["c"]}, tokenizer)
    with pytest.raises(ValueError, match="stride=100"):
        prepare_qa_features(_row(), tokenizer, max_length=128, stride=100)


# -- decoding --------------------------------------------------------------------------------------

# a window: [CLS] q q [SEP] c c c c c [SEP]  -> context tokens 4..8, characters 0-4, 5-9, ...
WINDOW_OFFSETS = [None, None, None, None, (0, 4), (5, 9), (10, 14), (15, 19), (20, 24), None]
WINDOW_TEXT = "aaaa bbbb cccc dddd eeee"


def test_span_candidates_basic_and_max_length():
    start = _logits(10, {5: 5.0})
    end = _logits(10, {7: 5.0})
    best = span_candidates(start, end, WINDOW_OFFSETS)[0]
    assert (best.start_token, best.end_token, best.start_char, best.end_char) == (5, 7, 5, 19)
    assert best.score == 10.0
    best = span_candidates(start, end, WINDOW_OFFSETS, max_answer_length=2)[0]
    assert best.end_token - best.start_token + 1 <= 2


def test_end_before_start_is_never_chosen():
    start = _logits(10, {7: 9.0, 5: 1.0})  # (5, 5) scores 10, (7, 8) scores 11
    end = _logits(10, {5: 9.0, 8: 2.0})
    spans = span_candidates(start, end, WINDOW_OFFSETS)
    assert all(s.end_token >= s.start_token for s in spans)
    assert (spans[0].start_token, spans[0].end_token) == (7, 8)
    assert naive_answer(start, end, list("0123456789")) == ""  # argmax end 5 < argmax start 7: empty slice


def test_no_valid_span_gives_empty_answer():
    # all the mass on question tokens and [CLS]: nothing valid within n_best=3
    start = _logits(10, {0: 9.0, 1: 8.0, 2: 7.0})
    end = _logits(10, {0: 9.0, 1: 8.0, 2: 7.0})
    answer = best_answer(WINDOW_TEXT, [(start, end, WINDOW_OFFSETS)], n_best=3)
    assert answer == Answer.empty()
    assert answer.text == "" and math.isinf(answer.score)
    assert best_answer(WINDOW_TEXT, []) == Answer.empty()
    # end before start everywhere in the top-k: no valid span either
    start = _logits(10, {8: 9.0})
    end = _logits(10, {4: 9.0})
    assert best_answer(WINDOW_TEXT, [(start, end, WINDOW_OFFSETS)], n_best=1).text == ""


def test_padding_beyond_offsets_is_ignored():
    start = _logits(14, {12: 50.0, 5: 1.0})  # a padded batch: logits longer than the window
    end = _logits(14, {13: 50.0, 6: 1.0})
    assert best_answer(WINDOW_TEXT, [(start, end, WINDOW_OFFSETS)]).text == "bbbb cccc"


def test_answer_at_window_edge():
    start = _logits(10, {7: 6.0})
    end = _logits(10, {8: 6.0})  # the last context token, just before [SEP]
    answer = best_answer(WINDOW_TEXT, [(start, end, WINDOW_OFFSETS)])
    assert answer.text == "dddd eeee" and answer.end_char == len(WINDOW_TEXT)


def test_answer_only_in_second_window_wins():
    text = "aaaa bbbb cccc dddd eeee ffff gggg"
    first = [None, None, (0, 4), (5, 9), (10, 14), (15, 19), None]
    second = [None, None, (10, 14), (15, 19), (20, 24), (25, 29), (30, 34), None]
    w1 = (_logits(7, {0: 9.0}), _logits(7, {0: 9.0}), first)  # window 1 says "not here" ([CLS])
    w2 = (_logits(8, {5: 4.0}), _logits(8, {6: 4.0}), second)
    answer = best_answer(text, [w1, w2])
    assert (answer.text, answer.window) == ("ffff gggg", 1)
    assert text[answer.start_char : answer.end_char] == answer.text


def test_span_candidates_errors():
    with pytest.raises(ValueError, match="same length"):
        span_candidates([1.0, 2.0], [1.0], [None, (0, 1)])
    with pytest.raises(ValueError, match="n_best=0"):
        span_candidates([1.0], [1.0], [(0, 1)], n_best=0)


def test_tiny_model_end_to_end(tokenizer):
    import torch
    from datasets import Dataset
    from transformers import BertConfig, BertForQuestionAnswering

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64
    )
    model = BertForQuestionAnswering(config).eval()
    answer = answer_question(model, tokenizer, QUESTION, LONG_CONTEXT, max_length=64, stride=16)
    assert answer.text == LONG_CONTEXT[answer.start_char : answer.end_char]
    assert answer.text and answer.text in LONG_CONTEXT
    rows = Dataset.from_dict(_row())
    features = rows.map(
        lambda b: prepare_qa_features(b, tokenizer, 64, 16, with_labels=False),
        batched=True,
        remove_columns=rows.column_names,
    )
    starts, ends = qa_logits(model, tokenizer, features, batch_size=2)
    assert len(starts) == len(features) and len(starts[0]) == len(features[0]["input_ids"])
    predictions = postprocess_qa(rows, features, starts, ends)
    assert predictions["q1"].text == answer.text
    assert set(squad_metrics(predictions, rows)) == {"exact_match", "f1", "count"}


# -- metrics -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The  Quick, brown fox!", "quick brown fox"),
        ("An apple a day", "apple day"),
        ("theatre and Anthem", "theatre and anthem"),  # articles only as whole words
        ("  Denver   Broncos. ", "denver broncos"),
        ("U.S.-based", "usbased"),
        ("", ""),
    ],
)
def test_normalize_answer_known_values(text, expected):
    assert normalize_answer(text) == expected


def test_exact_match_and_f1_known_values():
    assert exact_match("the Denver Broncos", "Denver Broncos!") == 1.0
    assert exact_match("Broncos", "Denver Broncos") == 0.0
    assert token_f1("the cat sat", "a cat sat on the mat") == pytest.approx(2 / 3)  # P=1, R=1/2
    assert token_f1("Denver Broncos won", "Denver Broncos") == pytest.approx(0.8)  # P=2/3, R=1
    assert token_f1("red red", "red") == pytest.approx(2 / 3)  # counts are clipped: P=1/2, R=1
    assert token_f1("blue", "red") == 0.0
    assert token_f1("", "") == 1.0 and token_f1("the", "an") == 1.0  # both normalise to empty
    assert token_f1("", "red") == 0.0


def test_max_over_gold_answers_and_aggregate():
    assert squad_scores("Broncos", ["Denver Broncos", "Broncos"]) == (1.0, 1.0)
    em, f1 = squad_scores("the Broncos team", ["Denver Broncos", "Carolina Panthers"])
    assert em == 0.0 and f1 == pytest.approx(0.5)  # P=1/2, R=1/2
    references = [
        {"id": "a", "answers": {"text": ["Denver Broncos"], "answer_start": [0]}},
        {"id": "b", "answers": {"text": ["1813", "in 1813"], "answer_start": [0, 0]}},
    ]
    scores = squad_metrics({"a": "Broncos", "b": Answer("in 1813", 1.0, 0, 7, 0)}, references)
    assert scores["exact_match"] == pytest.approx(50.0)
    assert scores["f1"] == pytest.approx(100 * (2 / 3 + 1) / 2)
    assert scores["count"] == 2
    with pytest.raises(ValueError, match="no answer for id 'b'"):
        squad_metrics({"a": "x"}, references)
    with pytest.raises(ValueError, match="truths"):
        squad_scores("x", "a string")


def test_exercise_checkers(tokenizer, capsys):
    from course_utils.exercises_tasks import check_answer_positions, check_num_windows, check_squad_f1

    question, context = "Who wrote it?", "It was written by Jane Austen in 1813."
    enc = tokenizer(question, context)
    start = enc.tokens().index("1813")
    assert check_answer_positions(question, context, "1813", (start, start), tokenizer)
    assert not check_answer_positions(question, context, "1813", (start - 1, start), tokenizer)
    assert not check_answer_positions(question, context, "1813", None, tokenizer)
    assert "not answered yet" in capsys.readouterr().out
    assert check_squad_f1("the Eiffel Tower in Paris", "Eiffel Tower", 0.67)
    assert not check_squad_f1("the Eiffel Tower in Paris", "Eiffel Tower", 0.5)
    assert check_num_windows(
        QUESTION, LONG_CONTEXT, 64, 16, len(prepare_qa_features(_row(), tokenizer, 64, 16)["input_ids"]), tokenizer
    )
    assert not check_num_windows(QUESTION, LONG_CONTEXT, 64, 16, 1, tokenizer)
