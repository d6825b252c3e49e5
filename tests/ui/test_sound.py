"""The horn's own sound: a two-tone WAV shipped with the application (or made in the cache
folder), readable as a WAV by any player, loud, and played without a desktop sound theme."""

from __future__ import annotations

import itertools
import struct
import wave

import pytest

from hmi.ui.alarms.sound import (
    PULSE_S,
    PULSES,
    RATE,
    SOUND_FILE,
    TONES,
    AlarmHorn,
    Player,
    player_command,
    sound_file,
    tone_samples,
)


def read_wav(path) -> tuple[wave._wave_params, list[int]]:
    with wave.open(str(path), "rb") as wav:
        params = wav.getparams()
        frames = wav.readframes(params.nframes)
    return params, list(struct.unpack(f"<{params.nframes}h", frames))


def test_the_shipped_horn_is_a_loud_two_tone_wav_of_under_a_second():
    assert SOUND_FILE.is_file() and SOUND_FILE.read_bytes()[:4] == b"RIFF"
    params, samples = read_wav(SOUND_FILE)
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, RATE)
    seconds = params.nframes / RATE
    assert 0.5 <= seconds <= 1.0
    assert max(abs(s) for s in samples) > 0.5 * 32767  # loud, not clipped below
    assert abs(samples[0]) < 2000 and abs(samples[-1]) < 2000  # fades: no click
    made = tone_samples()  # the shipped file is what the code makes
    assert (
        len(made) == len(samples)
        and max(abs(a - b) for a, b in zip(made, samples, strict=True)) <= 1
    )
    pulse = round(PULSE_S * RATE)
    for index in range(2):  # each pulse at its tone: count the upward zero crossings
        start = index * (pulse + round(0.04 * RATE))
        part = samples[start + pulse // 4 : start + 3 * pulse // 4]
        ups = sum(1 for a, b in itertools.pairwise(part) if a < 0 <= b)
        heard = ups * RATE / len(part)
        assert heard == pytest.approx(TONES[index % 2], rel=0.08)
    assert PULSES >= 2


def test_without_the_shipped_file_the_horn_makes_one_in_the_cache_folder(monkeypatch, tmp_path):
    monkeypatch.setattr("hmi.ui.alarms.sound.SOUND_FILE", tmp_path / "missing.wav")
    monkeypatch.setenv("LINEA_HMI_HOME", str(tmp_path / "home"))
    path = sound_file()
    assert path == tmp_path / "home" / "cache" / "alarm.wav"
    assert read_wav(path)[1] == tone_samples()
    assert not (tmp_path / "missing.wav").exists()  # never written into the installation


def test_the_platforms_own_player_plays_it_without_a_sound_theme(tmp_path):
    wav = tmp_path / "alarm.wav"
    found = {"paplay": "/usr/bin/paplay", "aplay": "/usr/bin/aplay", "afplay": "/usr/bin/afplay"}
    assert player_command(wav, "linux", found.get) == ["/usr/bin/paplay", str(wav)]
    assert player_command(wav, "linux", {"aplay": "/bin/aplay"}.get) == ["/bin/aplay", str(wav)]
    assert player_command(wav, "darwin", found.get) == ["/usr/bin/afplay", str(wav)]
    assert player_command(wav, "win32", found.get) is None  # winsound plays it
    assert player_command(wav, "linux", {}.get) is None


def test_the_horn_counts_its_sounds_and_stays_silent_offscreen(qtbot):
    horn = AlarmHorn(repeat_ms=50)
    assert isinstance(horn.player, Player) and horn.player.path == SOUND_FILE
    horn.announce()
    qtbot.waitUntil(lambda: horn.sounds >= 3, timeout=2000)  # it repeats until silenced
    horn.silence()
    count = horn.sounds
    qtbot.wait(150)
    assert horn.sounds == count and horn.player._process is None  # nothing started offscreen
