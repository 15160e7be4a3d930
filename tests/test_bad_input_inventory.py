"""Every public function and method of course_utils has bad-input cases (issue 17).

A new public helper without a case in one of the ``test_bad_input_*.py`` modules fails this test;
helpers that take no user data are listed in ``NO_USER_INPUT`` with the reason.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
from pathlib import Path

from bad_input import covered

import course_utils

HERE = Path(__file__).parent

#: Every module of course_utils: every public helper of these has cases.
HARDENED_MODULES = {
    "training",
    "embeddings",
    "tokenization",
    "nli",
    "ner",
    "entities",
    "ner_probe",
    "qa",
    "qa_features",
    "squad_metrics",
    "data",
    "profiles",
    "results",
    "claims",
    "lesson_files",
    "exercises",
    "exercises_inputs",
    "exercises_features",
    "exercises_fine_tuning",
    "exercises_tasks",
    "exercises_deployment",
    "cpu_inference",
    "colab",
    "run_sizes",
    "classifier",
    "predictions",
    "learning_curves",
    "trainer_setup",
}  # accelerate_fine_tune is a command-line script: tests/test_accelerate_fine_tune.py tests its arguments

#: Public callables that take nothing a learner passes (or only a flag with one safe meaning).
NO_USER_INPUT = {
    "profiles.go_offline",
    "profiles.get_profile",
    "profiles.bundled_model_path",
    "profiles.quiet",
    "profiles.library_versions",
    "profiles.seconds_since_setup",
    "profiles.Profile.quick",
    "data.load_intents",
    "data.load_topics",
    "results.results_path",
    "qa.Answer.empty",
    "run_sizes.RunSize.describe",
    "run_sizes.run_size_table",
    "colab.first_cell",
    "profiles.hub_endpoint",  # reads HF_ENDPOINT; a bad value is refused (tests/test_profiles.py)
    "classifier.BertClassifier.config",
    # result types our functions return (a learner reads them, does not build them)
    "exercises.Verdict",
    "qa.Span",
    "qa.Answer",
    "tokenization.WordPieceStep",
    "data.TaskData",
    "profiles.Profile",
    # called by the Trainer, not by a learner
    "trainer_setup.KeepBest.on_epoch_end",
    "trainer_setup.KeepBest.on_evaluate",
    "trainer_setup.KeepBest.on_train_end",
    "checks.*",  # the checks themselves have their own tests (test_checks.py)
}


def public_callables() -> set[str]:
    names = set()
    for info in pkgutil.iter_modules(course_utils.__path__):
        module = importlib.import_module(f"course_utils.{info.name}")
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                names.add(f"{info.name}.{name}")
            elif inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    member = getattr(member, "__func__", member)
                    if not attr.startswith("_") and inspect.isfunction(member):
                        names.add(f"{info.name}.{name}.{attr}")
                if not issubclass(obj, Exception) and "__init__" in vars(obj) or hasattr(obj, "__dataclass_fields__"):
                    names.add(f"{info.name}.{name}")
    return names


def all_cases() -> list:
    cases = []
    for path in sorted(HERE.glob("test_bad_input_*.py")):
        if path.name == Path(__file__).name:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cases += module.CASES
    return cases


def test_every_public_helper_has_bad_input_cases():
    exempt = {n for n in NO_USER_INPUT if not n.endswith(".*")}
    exempt_modules = {n.removesuffix(".*") for n in NO_USER_INPUT if n.endswith(".*")}
    wanted = {
        n
        for n in public_callables() - exempt
        if n.split(".")[0] in HARDENED_MODULES and n.split(".")[0] not in exempt_modules
    }
    missing = sorted(wanted - covered(all_cases()))
    assert not missing, f"public helpers without a bad-input case in tests/test_bad_input_*.py: {missing}"
