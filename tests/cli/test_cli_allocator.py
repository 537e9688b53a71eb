"""The allocator set-up of a long cold report: glibc only, the documented mallopt settings."""

from __future__ import annotations

import ctypes
import os
import sys

import pytest

from costtui.cli import allocator


class _FakeLibc:
    """Records mallopt calls and answers each with `answer` (1 = success in glibc)."""

    def __init__(self, answer: int = 1) -> None:
        self.calls: list[tuple[int, int]] = []
        self.answer = answer

    def mallopt(self, option: int, value: int) -> int:
        self.calls.append((option, value))
        return self.answer


def _with_fake_libc(monkeypatch: pytest.MonkeyPatch, libc: _FakeLibc) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(os, "confstr", lambda name: "glibc 2.36")
    monkeypatch.setattr(ctypes, "CDLL", lambda name: libc)


def test_glibc_keeps_buffers_up_to_32_mib_on_its_heap_and_freed_memory_for_reuse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    libc = _FakeLibc()
    _with_fake_libc(monkeypatch, libc)
    assert allocator.keep_freed_memory() is True
    assert libc.calls == [(-3, 32 * 1024 * 1024), (-1, 512 * 1024 * 1024)]


def test_a_setting_glibc_refuses_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    libc = _FakeLibc(answer=0)
    _with_fake_libc(monkeypatch, libc)
    assert allocator.keep_freed_memory() is False


@pytest.mark.parametrize(("platform", "libc_name"), [("darwin", "glibc 2.36"),
                                                     ("linux", None), ("linux", "musl")])
def test_nothing_is_set_off_linux_or_without_glibc(
    monkeypatch: pytest.MonkeyPatch, platform: str, libc_name: str | None
) -> None:
    libc = _FakeLibc()
    _with_fake_libc(monkeypatch, libc)
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(os, "confstr", lambda name: libc_name)
    assert allocator.keep_freed_memory() is False
    assert libc.calls == []


@pytest.mark.skipif(not sys.platform.startswith("linux")
                    or not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"),
                    reason="glibc on Linux only")
def test_the_real_glibc_accepts_both_settings() -> None:
    assert allocator.keep_freed_memory() is True
