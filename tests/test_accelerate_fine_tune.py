"""Lesson 6's fine-tuning under ``accelerate launch``: one process, then two CPU processes (gloo on loopback)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from course_utils import accelerate_fine_tune as aft

ACCELERATE = Path(sys.executable).with_name("accelerate")


def launch(processes: int, out: Path) -> tuple[dict, str]:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # a free port for the processes' rendezvous
    flags = ["--multi_gpu"] if processes > 1 else []
    command = [
        str(ACCELERATE), "launch", *flags, "--num_processes", str(processes), "--num_machines", "1",
        "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(port),
        "-m", "course_utils.accelerate_fine_tune", "--train-examples", "64", "--eval-examples", "48", "--out", str(out),
    ]
    env = {**os.environ, "GLOO_SOCKET_IFNAME": "lo", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return json.loads(out.read_text()), done.stdout


@pytest.mark.parametrize("processes", [1, 2])
def test_same_run_on_one_and_two_processes(processes, tmp_path):
    record, stdout = launch(processes, tmp_path / "metrics.json")
    assert record["processes"] == processes
    assert record["train_examples"] == 64 and record["test_examples"] == 48  # every test sentence scored once
    assert record["steps"] == 4  # the run's batch of 16 is global: 64 / 16 steps on any number of processes
    assert f"{16 // processes} examples each per step" in stdout
    assert set(record["metrics"]) == {"accuracy", "macro_f1"}
    assert 0.0 <= record["metrics"]["accuracy"] <= 1.0
    assert "sentiment [quick]" in record["run"]  # the run-size table's recipe


def test_bad_arguments_are_refused_with_their_name(capsys):
    with pytest.raises(SystemExit):
        aft.parse_args(["--train-examples", "0"])
    assert "--train-examples=0 is too small" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        aft.parse_args(["--size", "huge"])
    assert "invalid choice: 'huge'" in capsys.readouterr().err
