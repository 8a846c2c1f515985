"""configure(), get_config(), reset_config() and the FLUXLOOP_* environment variables."""

import logging

import pytest

import fluxloop_runtime as fluxloop


def test_defaults(store):
    fluxloop.configure(offline_store_dir="./experiments/artifacts")
    config = fluxloop.get_config()
    assert config.enabled and not config.debug and config.sample_rate == 1.0
    assert config.offline_store_enabled and config.offline_store_dir == "./experiments/artifacts"
    assert not config.use_collector and config.collector_url is None
    assert (config.batch_size, config.flush_interval, config.max_queue_size, config.timeout) == (10, 5.0, 1000, 10.0)
    assert config.environment == "development"


def test_unknown_key_names_it_and_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown configuration parameter: colector_url \(valid: enabled, debug,.*collector_url"):
        fluxloop.configure(colector_url="http://localhost")


@pytest.mark.parametrize(
    ("key", "value"),
    [("sample_rate", 1.5), ("batch_size", 0), ("batch_size", 101), ("collector_url", "not a url"), ("enabled", "maybe"), ("offline_store_dir", "")],
)
def test_invalid_value_names_the_key_and_keeps_the_old_configuration(key, value):
    before = fluxloop.get_config()
    with pytest.raises(ValueError, match=f"Invalid value for configuration parameter {key}"):
        fluxloop.configure(debug=True, **{key: value})
    assert fluxloop.get_config() is before


def test_configuration_is_frozen():
    with pytest.raises(Exception, match="frozen"):
        fluxloop.get_config().debug = True


def test_environment_variables(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("FLUXLOOP_DEBUG", "true")
    monkeypatch.setenv("FLUXLOOP_SAMPLE_RATE", "0.25")
    monkeypatch.setenv("FLUXLOOP_OFFLINE_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("FLUXLOOP_BATCH_SIZE", "500")  # invalid: ignored with a warning
    with caplog.at_level(logging.WARNING, logger="fluxloop_runtime"):
        config = fluxloop.reset_config()
    assert config.debug and config.sample_rate == 0.25
    assert config.offline_store_dir == str(tmp_path / "from-env")
    assert config.batch_size == 10
    assert "ignoring FLUXLOOP_BATCH_SIZE='500'" in caplog.text


def test_a_new_offline_dir_takes_effect_at_once(store, tmp_path):
    @fluxloop.tool
    def step(n):
        return n

    with fluxloop.instrument("run"):
        step(1)
        fluxloop.configure(offline_store_dir=str(tmp_path / "second"))  # mid-trace
        step(2)
    first = store.observations()
    assert [o["input"]["n"] for o in first] == [1]
    second = (tmp_path / "second" / "observations.jsonl").read_text().splitlines()
    assert len(second) == 1 and '"n": 2' in second[0]
    assert (tmp_path / "second" / "traces.jsonl").exists()


def test_offline_store_can_be_turned_off(store):
    fluxloop.configure(offline_store_enabled=False)
    with fluxloop.instrument("run"):
        fluxloop.tool(lambda: 1)()
    assert not store.directory.exists()
