import pytest

from course_utils import profiles


def test_offline_when_env_says_so(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(profiles, "_hub_reachable", lambda timeout=2.0: pytest.fail("must not probe the Hub"))
    assert profiles.get_profile().online is False


def test_offline_when_hub_unreachable_sets_env_for_the_process(monkeypatch):
    import huggingface_hub.constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(profiles, "_hub_reachable", lambda timeout=2.0: False)
    assert profiles.get_profile().online is False
    assert profiles.os.environ["HF_HUB_OFFLINE"] == "1"
    assert huggingface_hub.constants.HF_HUB_OFFLINE is True


def test_hub_probe_gives_up_on_errors(monkeypatch):
    def refuse(address, timeout):
        assert timeout == 2.0
        raise OSError("unreachable")

    monkeypatch.setattr(profiles.socket, "create_connection", refuse)
    assert profiles._hub_reachable() is False


def test_online_roles_map_to_hub_ids(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(profiles, "_hub_reachable", lambda timeout=2.0: True)
    assert profiles.get_profile().online is True
    assert profiles.model_name("encoder") == "google-bert/bert-base-uncased"
    assert profiles.model_name("chinese") == "google-bert/bert-base-chinese"


def test_offline_roles_map_to_bundled_model(bundled_dir):
    assert profiles.model_name("encoder") == bundled_dir
    assert profiles.model_name("qa") == bundled_dir
    assert profiles.model_name("qa-squad") is None  # online only
    assert "online only" in profiles.describe_model("chinese")


def test_unknown_role_is_a_clear_error():
    with pytest.raises(ValueError, match="role='decoder' is unknown"):
        profiles.model_name("decoder")


@pytest.mark.parametrize(("value", "expected"), [("quick", "quick"), ("FULL", "full"), ("", "quick")])
def test_size_switch(monkeypatch, value, expected):
    monkeypatch.setenv(profiles.SIZE_ENV, value)
    assert profiles._size("cpu") == expected


def test_size_defaults_to_full_on_gpu(monkeypatch):
    monkeypatch.delenv(profiles.SIZE_ENV, raising=False)
    assert profiles._size("cuda") == "full"


def test_bad_size_names_the_variable(monkeypatch):
    monkeypatch.setenv(profiles.SIZE_ENV, "medium")
    with pytest.raises(ValueError, match="BERT_COURSE_SIZE='medium'"):
        profiles._size("cpu")


def test_bundled_model_checksum_mismatch_is_refused(monkeypatch):
    profiles.bundled_model_path.cache_clear()
    monkeypatch.setattr(profiles, "BUNDLED_MODEL_SHA256", "0" * 64)
    with pytest.raises(ValueError, match="expected 0000"):
        profiles.bundled_model_path()
    profiles.bundled_model_path.cache_clear()


def test_bundled_model_is_verified_and_complete(bundled_dir):
    from pathlib import Path

    assert (Path(bundled_dir) / "vocab.txt").is_file()
    assert (Path(bundled_dir) / "config.json").is_file()


def test_show_setup_prints_profile_models_and_versions(capsys):
    profile = profiles.show_setup(roles=("encoder", "qa-squad"))
    out = capsys.readouterr().out
    assert profile.online is False
    assert "Profile: OFFLINE" in out
    assert "all-MiniLM-L6-v2 (bundled" in out
    assert "online only" in out
    assert "transformers 5." in out


def test_set_seed_makes_torch_repeatable():
    import torch

    profiles.set_seed(7)
    first = torch.rand(3)
    profiles.set_seed(7)
    assert torch.equal(first, torch.rand(3))


def test_hub_endpoint_defaults_to_huggingface_co(monkeypatch):
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    assert profiles.hub_endpoint() == "https://huggingface.co"


def test_hub_endpoint_follows_hf_endpoint(monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "https://hf-mirror.example/ ")
    assert profiles.hub_endpoint() == "https://hf-mirror.example"


def test_bad_hf_endpoint_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "hf-mirror.com")
    with pytest.raises(ValueError, match=r"HF_ENDPOINT='hf-mirror.com' is not a Hub address"):
        profiles.hub_endpoint()


def test_reachability_probes_the_endpoint_that_is_set(monkeypatch):
    import socket

    with socket.create_server(("127.0.0.1", 0)) as server:  # a mirror that answers, on loopback
        port = server.getsockname()[1]
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        profile = profiles.get_profile()
    assert profile.online is True
    assert profile.endpoint == f"http://127.0.0.1:{port}"


def test_endpoint_that_does_not_answer_falls_back_offline_at_once(monkeypatch, capsys):
    import socket
    import time

    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]  # closed below: nothing listens there any more
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    started = time.perf_counter()
    profile = profiles.show_setup()
    assert time.perf_counter() - started < 30  # no 45-second retries (set-up itself loads libraries)
    assert profile.online is False
    assert profiles.os.environ["HF_HUB_OFFLINE"] == "1"
    out = capsys.readouterr().out
    assert f"the Hub at http://127.0.0.1:{port} did not answer" in out
