"""The Argos/CTranslate2 engine, checked for exact output on the one REAL trained model."""

import pytest

from workbench.engines.argos import ArgosEngine, resolve_compute_type
from workbench.models.packages import install_archive
from workbench.settings import Settings


@pytest.fixture
def aren_engine(aren_archive, tmp_path):
    package = install_archive(aren_archive, tmp_path / "models")
    return ArgosEngine(package, Settings(models_dir=tmp_path / "models", threads=1))


def test_real_model_exact_output(aren_engine):
    assert not aren_engine.loaded
    results = aren_engine.translate_batch(["آتزمون", "ا", "آتزمون"])
    assert [r.text for r in results] == ["atzmon", "a", "atzmon"]
    assert aren_engine.loaded
    assert all(-1.0 < r.score < 0 for r in results)


def test_score_is_mean_log_probability(aren_engine):
    # CTranslate2 with length_penalty 0 gives the summed log-probability of the 6 letters
    # plus </s>; our score must be that sum divided by 7 (float32 gives -1.0617 in total).
    float_engine = ArgosEngine(aren_engine.package, aren_engine.settings.with_(
        compute_type="float32"))
    score = float_engine.translate("آتزمون").score
    assert score == pytest.approx(-1.0617084503173828 / 7, abs=1e-4)


def test_signature_names_model_and_settings_without_loading(aren_engine):
    signature = aren_engine.signature()
    assert signature.startswith("argos:translate-ar_en@1.0#")
    assert signature.endswith("|beam:4|lp:0.2|maxlen:256|maxin:400|int8")
    assert not aren_engine.loaded
    other = ArgosEngine(aren_engine.package, aren_engine.settings.with_(beam_size=2))
    assert other.signature() != signature


def test_empty_batch_loads_nothing(aren_engine):
    assert aren_engine.translate_batch([]) == []
    assert not aren_engine.loaded


@pytest.mark.parametrize(("requested", "device", "expected"), [
    ("default", "cpu", "int8"), ("default", "cuda", "int8_float16"), ("float32", "cpu", "float32"),
])
def test_compute_type_defaults(requested, device, expected):
    assert resolve_compute_type(requested, device) == expected


def test_long_input_is_truncated_not_fatal(aren_engine):
    text = "آتزمون" * 200
    result = aren_engine.settings.with_(max_input_tokens=50)
    engine = ArgosEngine(aren_engine.package, result)
    assert engine.count_tokens(text) == 50
    # A character model: the first 50 pieces are the first 50 letters. The long input is
    # translated exactly as its truncation would be, not dropped and not failed.
    result = engine.translate(text)
    assert result.text and result.text == engine.translate(text[:50]).text
    assert result.text != engine.translate(text[:40]).text


def test_a_released_model_is_loaded_again_when_needed(aren_engine):
    """The pipeline releases a pair's model after each chunk (five models never sit in
    memory together); the next batch loads it again and translates the same."""
    before = aren_engine.translate("آتزمون").text
    aren_engine.release()
    assert not aren_engine._translator.model_is_loaded  # the weights are freed
    assert aren_engine.translate("آتزمون").text == before == "atzmon"
    assert aren_engine._translator.model_is_loaded
