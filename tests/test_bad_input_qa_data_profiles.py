"""Bad input to the QA, data, profile, results, claims and lesson-file helpers gets a clear error (issue 17).

The cases below are refused by our own code, naming the argument; the plain tests after them show
that the silent wrong answers found on the way now give the right result (or a refusal).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from bad_input import Fixture, case, run_case

from course_utils import claims, colab, data, lesson_files, profiles, qa, qa_features, results, squad_metrics

HERE = Path(__file__).parent
MISSING = HERE / "no_such_file.json"

QUESTION = "Who wrote the novel?"
CONTEXT = "The novel was written by Jane Austen in 1813."
ROW = {  # one SQuAD-style row, as dataset[0] gives it
    "id": "q1",
    "question": QUESTION,
    "context": CONTEXT,
    "answers": {"text": ["Jane Austen"], "answer_start": [CONTEXT.index("Jane Austen")]},
}
BATCH = {key: [value] for key, value in ROW.items()}
LONG_QUESTION = " ".join(["who"] * 70)
LONG_CONTEXT = " ".join(f"Sentence {i} says nothing." for i in range(40))

# a window: [CLS] q q [SEP] c c c c c [SEP]; context "aaaa bbbb cccc dddd eeee"
OFFSETS = [None, None, None, None, (0, 4), (5, 9), (10, 14), (15, 19), (20, 24), None]
RAW_OFFSETS = [(0, 0), (0, 3), (4, 7), (0, 0), (0, 4), (5, 9), (10, 14), (15, 19), (20, 24), (0, 0)]
TEXT = "aaaa bbbb cccc dddd eeee"
LOGITS = np.arange(10.0)
TOKENS = list("0123456789")
SEQUENCE_IDS = [None, 0, 0, None, 1, 1, 1, 1, 1, None]
FEATURES = {
    "input_ids": [[101, 2040, 102, 1996, 102]],
    "token_type_ids": [[0, 0, 0, 1, 1]],
    "attention_mask": [[1, 1, 1, 1, 1]],
}
WINDOW_FEATURES = [{"example_id": "q1", "offset_mapping": OFFSETS}]
EXAMPLES = [{"id": "q1", "context": TEXT}]
REFERENCES = [{"id": "a", "answers": {"text": ["Denver Broncos"], "answer_start": [0]}}]

CASES = [
    # -- qa: features and labels ----------------------------------------------------------------
    case(qa_features.context_range, None, error=TypeError, match="sequence_ids must be the list of one window"),
    case(qa_features.context_range, "0011", error=TypeError, match="sequence_ids must be the list"),
    case(
        qa_features.context_range,
        SEQUENCE_IDS,
        context_id=2,
        error=ValueError,
        match=r"context_id=2 is unknown.*\[0, 1\]",
    ),
    case(qa_features.context_range, [None, 0, 0, None], error=ValueError, match="no context token"),
    case(
        qa_features.answer_token_span,
        RAW_OFFSETS,
        SEQUENCE_IDS,
        -1,
        10,
        error=ValueError,
        match="start_char=-1 is too small",
    ),
    case(
        qa_features.answer_token_span,
        RAW_OFFSETS,
        SEQUENCE_IDS,
        5.0,
        9,
        error=TypeError,
        match="start_char must be an int",
    ),
    case(
        qa_features.answer_token_span,
        None,
        SEQUENCE_IDS,
        5,
        9,
        error=TypeError,
        match="offsets must be the list of one window",
    ),
    case(qa_features.answer_token_span, RAW_OFFSETS, len, 5, 9, error=TypeError, match="sequence_ids must be the list"),
    case(
        qa_features.answer_token_span,
        RAW_OFFSETS[:5],
        SEQUENCE_IDS,
        5,
        9,
        error=ValueError,
        match="offsets has 5, sequence_ids has 10",
    ),
    case(
        qa_features.prepare_qa_features,
        ROW,
        Fixture("tokenizer"),
        error=TypeError,
        match="examples is one row, not a batch",
    ),
    case(
        qa_features.prepare_qa_features, None, Fixture("tokenizer"), error=TypeError, match="examples must be a batch"
    ),
    case(
        qa_features.prepare_qa_features, [ROW], Fixture("tokenizer"), error=TypeError, match="examples must be a batch"
    ),
    case(
        qa_features.prepare_qa_features,
        {"id": ["a"], "question": ["q"], "context": ["c"]},
        Fixture("tokenizer"),
        error=ValueError,
        match="'answers' column",
    ),
    case(
        qa_features.prepare_qa_features,
        BATCH,
        Fixture("tiny_bert"),
        error=TypeError,
        match="that is a model: pass the tokenizer",
    ),
    case(
        qa_features.prepare_qa_features,
        BATCH,
        Fixture("tokenizer"),
        max_length=64.0,
        error=TypeError,
        match="max_length must be an int",
    ),
    case(
        qa_features.prepare_qa_features,
        BATCH,
        Fixture("tokenizer"),
        max_length=1024,
        error=ValueError,
        match="max_length=1024 is too large",
    ),
    case(
        qa_features.prepare_qa_features,
        BATCH,
        Fixture("tokenizer"),
        stride=-1,
        error=ValueError,
        match="stride=-1 is too small",
    ),
    case(
        qa_features.prepare_qa_features,
        BATCH,
        Fixture("tokenizer"),
        max_length=128,
        stride=100,
        error=ValueError,
        match="stride=100",
    ),
    case(
        qa_features.prepare_qa_features,
        BATCH,
        Fixture("tokenizer"),
        with_labels="no",
        error=ValueError,
        match="with_labels='no' is unknown",
    ),
    case(
        qa_features.prepare_qa_features,
        {**BATCH, "question": [LONG_QUESTION], "context": [LONG_CONTEXT]},
        Fixture("tokenizer"),
        max_length=64,
        stride=16,
        error=ValueError,
        match=r"examples\['question'\]\[0\] is 70 tokens long, too long for max_length=64 with stride=16.*at most 44",
    ),
    case(
        qa_features.prepare_qa_features,
        {**BATCH, "question": ["  "]},
        Fixture("tokenizer"),
        error=ValueError,
        match=r"examples\['question'\]\[0\] is empty",
    ),
    case(
        qa_features.prepare_qa_features,
        {**BATCH, "context": [""]},
        Fixture("tokenizer"),
        error=ValueError,
        match=r"examples\['context'\]\[0\] is empty",
    ),
    case(
        qa_features.prepare_qa_features,
        {**BATCH, "id": ["q1", "q2"]},
        Fixture("tokenizer"),
        error=ValueError,
        match=r"must have the same length.*examples\['id'\] has 2",
    ),
    case(
        qa_features.prepare_qa_features,
        {**BATCH, "question": [None]},
        Fixture("tokenizer"),
        error=TypeError,
        match=r"examples\['question'\]\[0\] is a NoneType",
    ),
    case(
        qa_features.prepare_qa_features,
        {**BATCH, "answers": ["Jane Austen"]},
        Fixture("tokenizer"),
        error=TypeError,
        match=r"examples\['answers'\]\[0\] must be a dict of lists",
    ),
    # -- qa: decoding -------------------------------------------------------------------------------
    case(
        qa.span_candidates,
        np.zeros((2, 10)),
        np.zeros((2, 10)),
        OFFSETS,
        error=ValueError,
        match=r"start_logits must have 1 dimension\(s\), not 2",
    ),
    case(
        qa.span_candidates,
        [1.0, 2.0],
        [1.0],
        [None, (0, 1)],
        error=ValueError,
        match="start_logits has 2, end_logits has 1",
    ),
    case(
        qa.span_candidates, "logits", LOGITS, OFFSETS, error=TypeError, match="start_logits must be an array of numbers"
    ),
    case(qa.span_candidates, LOGITS, LOGITS, OFFSETS, n_best=0, error=ValueError, match="n_best=0 is too small"),
    case(
        qa.span_candidates,
        LOGITS,
        LOGITS,
        OFFSETS,
        max_answer_length=2.5,
        error=TypeError,
        match="max_answer_length must be an int",
    ),
    case(qa.span_candidates, LOGITS, LOGITS, RAW_OFFSETS, error=ValueError, match="offsets has no None entry"),
    case(qa.span_candidates, LOGITS, LOGITS, None, error=TypeError, match="offsets must be the list of one window"),
    case(
        qa.span_candidates,
        LOGITS[:5],
        LOGITS[:5],
        OFFSETS,
        error=ValueError,
        match="offsets has 10 entries but the logits only 5",
    ),
    case(
        qa.best_answer,
        TEXT,
        (LOGITS, LOGITS, OFFSETS),
        error=TypeError,
        match=r"windows\[0\] must be a \(start_logits, end_logits, offsets\) tuple.*for one window pass",
    ),
    case(qa.best_answer, TEXT, None, error=TypeError, match="windows must be a list of"),
    case(qa.best_answer, None, [(LOGITS, LOGITS, OFFSETS)], error=TypeError, match="context must be a str"),
    case(
        qa.best_answer,
        "aaaa bbbb",
        [(LOGITS, LOGITS, OFFSETS)],
        error=ValueError,
        match="context has only 9: pass the context the windows were made from",
    ),
    case(
        qa.naive_answer,
        LOGITS,
        LOGITS,
        "0123456789",
        error=TypeError,
        match="tokens must be a list of strings, not one string",
    ),
    case(qa.naive_answer, LOGITS, LOGITS, TOKENS[:5], error=ValueError, match="tokens has 5"),
    case(
        qa.naive_answer,
        np.zeros((1, 10)),
        np.zeros((1, 10)),
        TOKENS,
        error=ValueError,
        match=r"start_logits must have 1 dimension\(s\)",
    ),
    # -- qa: running a model --------------------------------------------------------------------------
    case(
        qa.qa_logits,
        Fixture("tokenizer"),
        Fixture("tiny_bert"),
        FEATURES,
        error=TypeError,
        match="model must be a model.*that is a tokenizer: pass the model",
    ),
    case(
        qa.qa_logits,
        Fixture("tiny_bert"),
        Fixture("tokenizer"),
        FEATURES,
        batch_size=0,
        error=ValueError,
        match="batch_size=0 is too small",
    ),
    case(
        qa.qa_logits,
        Fixture("tiny_bert"),
        Fixture("tokenizer"),
        FEATURES,
        device="gpu",
        error=ValueError,
        match="device='gpu' is not a torch device",
    ),
    case(
        qa.qa_logits,
        Fixture("tiny_bert"),
        Fixture("tokenizer"),
        BATCH,
        error=ValueError,
        match=r"features has no column\(s\) \['input_ids'\].*prepare_qa_features",
    ),
    case(
        qa.qa_logits,
        Fixture("tiny_bert"),
        Fixture("tokenizer"),
        "features",
        error=TypeError,
        match="features must be a datasets.Dataset or a list of rows",
    ),
    case(
        qa.qa_logits,
        Fixture("tiny_bert"),
        Fixture("tokenizer"),
        FEATURES,
        error=TypeError,
        match="BertModel.*gives no start_logits: pass a question-answering model",
    ),
    case(
        qa.postprocess_qa,
        [{"id": "other", "context": TEXT}],
        WINDOW_FEATURES,
        [LOGITS],
        [LOGITS],
        error=ValueError,
        match="example id 'other' has no window in features",
    ),
    case(
        qa.postprocess_qa,
        EXAMPLES,
        WINDOW_FEATURES,
        [LOGITS, LOGITS],
        [LOGITS, LOGITS],
        error=ValueError,
        match="features has 1, start_logits has 2",
    ),
    case(
        qa.postprocess_qa,
        ROW,
        WINDOW_FEATURES,
        [LOGITS],
        [LOGITS],
        error=TypeError,
        match="examples looks like one row",
    ),
    case(
        qa.postprocess_qa,
        EXAMPLES,
        FEATURES,
        [LOGITS],
        [LOGITS],
        error=ValueError,
        match=r"features has no column\(s\) \['example_id', 'offset_mapping'\]",
    ),
    case(
        qa.postprocess_qa,
        EXAMPLES,
        WINDOW_FEATURES,
        [LOGITS],
        [LOGITS],
        n_best=-1,
        error=ValueError,
        match="n_best=-1 is too small",
    ),
    case(
        qa.answer_question,
        Fixture("tokenizer"),
        Fixture("tiny_bert"),
        QUESTION,
        CONTEXT,
        error=TypeError,
        match="that is a tokenizer: pass the model",
    ),
    case(
        qa.answer_question,
        Fixture("tiny_bert"),
        Fixture("tokenizer"),
        None,
        CONTEXT,
        error=TypeError,
        match="question must be a str, not NoneType",
    ),
    case(
        qa.answer_question,
        Fixture("tiny_bert"),
        Fixture("tokenizer"),
        QUESTION,
        "",
        error=ValueError,
        match="context is empty",
    ),
    case(
        qa.answer_question,
        Fixture("tiny_bert"),
        Fixture("tokenizer"),
        [QUESTION],
        CONTEXT,
        error=TypeError,
        match="question must be a str, not list",
    ),
    case(
        qa.answer_question,
        Fixture("tiny_bert"),
        Fixture("tokenizer"),
        LONG_QUESTION,
        LONG_CONTEXT,
        max_length=64,
        stride=16,
        error=ValueError,
        match="question is 70 tokens long, too long for max_length=64 with stride=16",
    ),
    case(
        qa.answer_question,
        Fixture("tiny_bert"),
        Fixture("tokenizer"),
        QUESTION,
        CONTEXT,
        n_best=0,
        error=ValueError,
        match="n_best=0 is too small",
    ),
    case(
        qa.answer_question,
        Fixture("tiny_bert"),
        Fixture("tokenizer"),
        QUESTION,
        CONTEXT,
        error=TypeError,
        match="gives no start_logits",
    ),
    # -- qa: metrics and plot -----------------------------------------------------------------------------
    case(squad_metrics.normalize_answer, None, error=TypeError, match="text must be a str, not NoneType"),
    case(squad_metrics.exact_match, ["Denver"], "Denver", error=TypeError, match="prediction must be a str, not list"),
    case(squad_metrics.token_f1, "Denver", None, error=TypeError, match="truth must be a str, not NoneType"),
    case(
        squad_metrics.squad_scores,
        "x",
        "a string",
        error=ValueError,
        match="truths must be a non-empty list.*not one string",
    ),
    case(squad_metrics.squad_scores, "x", [], error=ValueError, match="truths is empty"),
    case(
        squad_metrics.squad_scores,
        qa.Answer("x", 1.0, 0, 1, 0),
        ["x"],
        error=TypeError,
        match="prediction must be a str, not Answer",
    ),
    case(
        squad_metrics.squad_metrics,
        ["Denver Broncos"],
        REFERENCES,
        error=TypeError,
        match=r"predictions must be a dict \{id: answer\}",
    ),
    case(
        squad_metrics.squad_metrics,
        {"a": None},
        REFERENCES,
        error=TypeError,
        match=r"predictions\['a'\] must be a str or an Answer",
    ),
    case(
        squad_metrics.squad_metrics, {"a": "x"}, REFERENCES[0], error=TypeError, match="references looks like one row"
    ),
    case(
        squad_metrics.squad_metrics,
        {"a": "x"},
        [{"id": "a"}],
        error=ValueError,
        match=r"references\[0\] has no column\(s\) \['answers'\]",
    ),
    case(squad_metrics.squad_metrics, {"a": "x"}, [], error=ValueError, match="references is empty"),
    case(qa.plot_start_end, "0123456789", LOGITS, LOGITS, error=TypeError, match="tokens must be a list of strings"),
    case(qa.plot_start_end, TOKENS, LOGITS[:5], LOGITS, error=ValueError, match="start_logits has 5"),
    case(
        qa.plot_start_end,
        TOKENS,
        LOGITS,
        LOGITS,
        positions=(5, 2),
        error=ValueError,
        match=r"positions\[1\]=2 is too small",
    ),
    case(
        qa.plot_start_end,
        TOKENS,
        LOGITS,
        LOGITS,
        positions=(0, 10),
        error=ValueError,
        match=r"positions\[1\]=10 is too large",
    ),
    case(
        qa.plot_start_end,
        TOKENS,
        LOGITS,
        LOGITS,
        positions=5,
        error=TypeError,
        match="positions must be a .first, last. pair",
    ),
    case(qa.plot_start_end, TOKENS, LOGITS, LOGITS, title=None, error=TypeError, match="title must be a str"),
    # -- data -------------------------------------------------------------------------------------------------
    case(data.offline_files, "poetry", error=ValueError, match=r"task='poetry' is unknown: choose one of \['ner'"),
    case(data.offline_files, None, error=ValueError, match="task=None is unknown"),
    case(data.load_task, ["qa"], error=ValueError, match=r"task=\['qa'\] is unknown"),
    case(
        data.load_task,
        "qa",
        quick=1000,
        error=ValueError,
        match=r"quick=1000 is unknown: choose one of \[True, False, None\]",
    ),
    case(data.load_task, "qa", online="yes", error=ValueError, match="online='yes' is unknown"),
    case(data.load_sentiment, 2000, error=ValueError, match="quick=2000 is unknown"),
    case(data.load_reviews, "full", error=ValueError, match="quick='full' is unknown"),
    case(data.load_similarity, 0.5, error=ValueError, match="quick=0.5 is unknown"),
    case(data.load_nli, "quick", error=ValueError, match="quick='quick' is unknown"),
    case(data.load_qa, 300, error=ValueError, match="quick=300 is unknown"),
    case(data.load_ner, [True], error=ValueError, match=r"quick=\[True\] is unknown"),
    # -- profiles ---------------------------------------------------------------------------------------------
    case(
        profiles.model_name, "decoder", error=ValueError, match=r"role='decoder' is unknown: choose one of \['chinese'"
    ),
    case(profiles.model_name, ["encoder"], error=ValueError, match=r"role=\['encoder'\] is unknown"),
    case(profiles.describe_model, None, error=ValueError, match="role=None is unknown"),
    case(profiles.set_seed, None, error=TypeError, match=r"seed must be an int, not NoneType \(None\)"),
    case(profiles.set_seed, 0.5, error=TypeError, match="seed must be an int, not float"),
    case(profiles.set_seed, "42", error=TypeError, match="seed must be an int, not str"),
    case(profiles.set_seed, -1, error=ValueError, match="seed=-1 is too small"),
    case(profiles.set_seed, 2**40, error=ValueError, match="is too large: pass an int <= 4294967295"),
    case(profiles.show_setup, "encoder", error=TypeError, match="roles must be a list of strings, not one string"),
    case(profiles.show_setup, ("encoder", "decoder"), error=ValueError, match=r"roles\[1\]='decoder' is unknown"),
    case(profiles.show_setup, None, error=TypeError, match="roles must be a list of strings, not NoneType"),
    case(profiles.progress_bar, -1, "x", error=ValueError, match="total=-1 is too small"),
    case(profiles.progress_bar, 10.5, "x", error=TypeError, match="total must be an int, not float"),
    case(profiles.progress_bar, 10, None, error=TypeError, match="desc must be a str"),
    case(profiles.progress_bar, 10, "x", disable="no", error=ValueError, match="disable='no' is unknown"),
    # -- results ----------------------------------------------------------------------------------------------
    case(results.read_results, MISSING, error=FileNotFoundError, match="no_such_file.json' does not exist"),
    case(results.read_results, HERE, error=ValueError, match="is a folder: pass a file"),
    case(results.read_results, HERE / "bad_input.py", error=ValueError, match="is not a results file .not JSON."),
    case(results.read_results, 7, error=TypeError, match="path must be a path"),
    case(results.record_results, None, error=TypeError, match="notebook must be a str, not NoneType"),
    case(results.record_results, "lesson seven", accuracy=0.5, error=ValueError, match="file stem, such as '07_nli'"),
    case(
        results.record_results,
        "07_nli",
        accuracy="0.78",
        error=TypeError,
        match="accuracy='0.78' must be a real number",
    ),
    case(
        results.record_results,
        "07_nli",
        accuracy=float("inf"),
        error=ValueError,
        match="accuracy=inf is not a finite number",
    ),
    case(
        results.results_table,
        "results/offline-quick.json",
        error=TypeError,
        match=r"results must be a dict \{notebook: record\}",
    ),
    case(
        results.results_table,
        {"seconds": 60.0, "metrics": {}},
        error=ValueError,
        match=r"results\['seconds'\] must be a record.*not one record",
    ),
    case(results.update_readme, MISSING, error=FileNotFoundError, match="results_file=.*does not exist"),
    case(results.update_readme, results.README, error=ValueError, match="is not a results file"),
    case(
        results.update_readme,
        results.RESULTS_DIR / "offline-quick.json",
        MISSING,
        error=FileNotFoundError,
        match="readme=.*does not exist",
    ),
    # -- claims -----------------------------------------------------------------------------------------------
    case(claims.claim, "", True, error=TypeError, match="statement must be a non-empty string"),
    case(claims.claim, True, "a beats b", error=TypeError, match="statement must be a non-empty string"),
    case(claims.claim, "a beats b", None, error=TypeError, match="holds must be a bool.*not builtins.NoneType"),
    case(
        claims.claim, "a beats b", np.array([True, False]), error=TypeError, match="holds must be a bool.*numpy.ndarray"
    ),
    case(claims.claim, "a beats b", True, a="0.9", error=TypeError, match="a='0.9' must be a real number"),
    case(claims.claim, "a beats b", True, a=float("nan"), error=TypeError, match="a=nan must be a real number"),
    # -- lesson files -------------------------------------------------------------------------------------------
    case(
        lesson_files.hide_solutions,
        "notebooks/08_question_answering.ipynb",
        error=TypeError,
        match=r"notebook must be a notebook dict \(json.loads of an .ipynb file\), not str",
    ),
    case(lesson_files.hide_solutions, {"metadata": {}}, error=ValueError, match="notebook has no list of 'cells'"),
    case(lesson_files.student_copy, None, error=TypeError, match="notebook must be a notebook dict"),
    case(lesson_files.student_copy, {"cells": "x"}, error=ValueError, match="notebook has no list of 'cells'"),
    case(
        lesson_files.write_all,
        HERE / "no_such_dir",
        Fixture("tmp_path"),
        error=FileNotFoundError,
        match="notebooks=.*does not exist",
    ),
    case(
        lesson_files.write_all,
        HERE / "bad_input.py",
        Fixture("tmp_path"),
        error=ValueError,
        match="is a file: pass a folder",
    ),
    case(lesson_files.write_all, HERE, Fixture("tmp_path"), error=ValueError, match=r"has no lessons \(NN_\*.ipynb\)"),
    case(lesson_files.write_all, HERE, None, error=TypeError, match="student must be a path"),
    case(
        lesson_files.write_all,
        HERE,
        HERE / "bad_input.py",
        error=ValueError,
        match="student=.*is a file: pass a folder",
    ),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "error", "match"), CASES)
def test_bad_input_gets_a_clear_error(request, func, args, kwargs, error, match):
    run_case(request, func, args, kwargs, error, match)


# -- silent wrong answers, now right ------------------------------------------------------------------------


def test_answer_not_found_by_find_is_refused_not_labelled(tokenizer):
    """``context.find(answer)`` is -1 when the answer is missing: that used to label the [SEP] before the context."""
    enc = tokenizer(QUESTION, CONTEXT, return_offsets_mapping=True)
    start = CONTEXT.find("Emily Bronte")
    with pytest.raises(ValueError, match="start_char=-1"):
        qa_features.answer_token_span(enc["offset_mapping"], enc.sequence_ids(), start, start + len("Emily Bronte"))


def test_raw_offsets_can_no_longer_pick_the_question():
    """The question's tokens are refused as answers: the logits point at token 1 (a question token)."""
    peaks = np.zeros(10)
    peaks[1] = 9.0
    with pytest.raises(ValueError, match="no None entry"):
        qa.span_candidates(peaks, peaks, RAW_OFFSETS)
    assert qa.best_answer(TEXT, [(peaks, peaks, OFFSETS)], n_best=1) == qa.Answer.empty()


def test_naive_answer_refuses_a_batch_of_logits():
    """``np.argmax`` of a (1, T) batch used to give a flat index; one window's logits give the tokens."""
    start, end = np.zeros(10), np.zeros(10)
    start[5], end[7] = 1.0, 1.0
    assert qa.naive_answer(start, end, TOKENS) == "5 6 7"
    with pytest.raises(ValueError, match="1 dimension"):
        qa.naive_answer(start[None, :], end[None, :], TOKENS)


def test_features_of_a_whole_dataset_and_of_an_empty_batch(tokenizer):
    from datasets import Dataset

    rows = Dataset.from_dict(BATCH)
    assert qa_features.prepare_qa_features(rows, tokenizer, 64, 16) == qa_features.prepare_qa_features(
        BATCH, tokenizer, 64, 16
    )
    empty = qa_features.prepare_qa_features({key: [] for key in BATCH}, tokenizer, 64, 16)
    assert empty == {
        "input_ids": [],
        "token_type_ids": [],
        "attention_mask": [],
        "offset_mapping": [],
        "example_id": [],
        "start_positions": [],
        "end_positions": [],
    }


def test_a_long_question_with_a_short_context_still_works(tokenizer):
    """Only questions whose context must be split are refused: a 50-token question with a 9-token context fits in 64."""
    question = " ".join(["who"] * 50)
    features = qa_features.prepare_qa_features({**BATCH, "question": [question]}, tokenizer, 64, 16)
    assert len(features["input_ids"]) == 1 and features["start_positions"][0] > 50


def test_model_helpers_take_the_dict_prepare_qa_features_returns(tokenizer):
    import torch
    from transformers import BertConfig, BertForQuestionAnswering

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64
    )
    model = BertForQuestionAnswering(config).eval()
    features = qa_features.prepare_qa_features(
        {**BATCH, "context": [LONG_CONTEXT + " " + CONTEXT]}, tokenizer, 64, 16, with_labels=False
    )
    rows = [dict(zip(features, values, strict=True)) for values in zip(*features.values(), strict=True)]
    starts, ends = qa.qa_logits(model, tokenizer, features)
    row_starts, _ = qa.qa_logits(model, tokenizer, rows)
    assert len(starts) == len(rows) > 1 and all(np.array_equal(a, b) for a, b in zip(starts, row_starts, strict=True))
    assert qa.qa_logits(model, tokenizer, []) == ([], [])
    examples = {key: value for key, value in BATCH.items() if key != "answers"}
    examples["context"] = [LONG_CONTEXT + " " + CONTEXT]
    from_columns = qa.postprocess_qa(examples, features, starts, ends)
    from_rows = qa.postprocess_qa([{"id": "q1", "context": examples["context"][0]}], rows, starts, ends)
    assert from_columns == from_rows and set(from_columns) == {"q1"}
    references = {"id": ["q1"], "answers": [ROW["answers"]]}
    assert squad_metrics.squad_metrics(from_columns, references)["count"] == 1


def test_postprocess_refuses_features_of_other_examples():
    """Examples without windows used to get empty answers, so EM and F1 silently dropped to 0."""
    with pytest.raises(ValueError, match="has no window in features"):
        qa.postprocess_qa([{"id": "q2", "context": TEXT}], WINDOW_FEATURES, [LOGITS], [LOGITS])


def test_a_number_is_not_a_quick_switch():
    """``load_sentiment(1000)`` used to mean quick=True silently; the booleans still work."""
    with pytest.raises(ValueError, match="quick=1000"):
        data.load_sentiment(1000)
    assert set(data.load_task("sentiment", quick=False, online=False)) == {"train", "validation", "test"}


def test_a_mistyped_results_file_is_no_longer_read_as_empty(tmp_path, monkeypatch):
    """An explicit path must exist (a typo read as {} and update_readme wiped the table); the default may not."""
    monkeypatch.setenv(results.RESULTS_ENV, str(tmp_path))
    assert results.read_results() == {}
    with pytest.raises(FileNotFoundError, match="does not exist"):
        results.read_results(tmp_path / "offline-quik.json")
    readme = tmp_path / "README.md"
    readme.write_text(f"{results.README_START}\n| kept |\n{results.README_END}\n")
    with pytest.raises(FileNotFoundError):
        results.update_readme(tmp_path / "offline-quik.json", readme)
    (tmp_path / "empty.json").write_text("{}")
    with pytest.raises(ValueError, match="no lesson records"):
        results.update_readme(tmp_path / "empty.json", readme)
    assert "| kept |" in readme.read_text()
    assert results.results_table({}).splitlines()[-1] == "| all | 0.0 min | |"


def test_record_results_still_starts_a_new_file(tmp_path, monkeypatch):
    monkeypatch.setenv(results.RESULTS_ENV, str(tmp_path / "new"))
    profiles.show_setup(roles=())
    results.record_results("01_tokenization_by_hand")
    assert list(json.loads((tmp_path / "new" / "offline-quick.json").read_text())) == ["01_tokenization_by_hand"]


def _lesson(outputs: list) -> dict:
    colab = {
        "cell_type": "code",
        "metadata": {},
        "source": "# google.colab set-up",
        "outputs": [],
        "execution_count": 1,
    }
    cell = {
        "cell_type": "code",
        "metadata": {"tags": ["solution"]},
        "source": "x = 1",
        "outputs": outputs,
        "execution_count": 1,
    }
    return {"cells": [colab, cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_write_all_refuses_swapped_folders_and_writes_nothing(tmp_path):
    lessons, student = tmp_path / "notebooks", tmp_path / "student"
    lessons.mkdir()
    (lessons / "01_a.ipynb").write_text(json.dumps(_lesson([{"output_type": "stream", "text": "1"}])))
    written = lesson_files.write_all(lessons, student)
    assert [p.name for p in written] == ["01_a.ipynb"]
    copied = json.loads((student / "01_a.ipynb").read_text())["cells"]
    assert len(copied) == 1 and "".join(copied[0]["source"]) == colab.first_cell()  # the solution is gone
    before = (lessons / "01_a.ipynb").read_text()
    with pytest.raises(ValueError, match="not a student copy"):
        lesson_files.write_all(student, lessons)
    with pytest.raises(ValueError, match="same folder"):
        lesson_files.write_all(lessons, lessons)
    assert (lessons / "01_a.ipynb").read_text() == before
