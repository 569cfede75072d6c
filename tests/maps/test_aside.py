"""The maps' figures are drawn beside the pages: the forked child's result, its errors and its end."""

from __future__ import annotations

import os
import time

import pytest

from mpdkg.maps.aside import Aside, AsideError, _can_fork

forks = pytest.mark.skipif(not _can_fork(), reason="needs fork and two cores")


def _fail():
    raise ValueError("no figure today")


@pytest.mark.parametrize("fork", [False, pytest.param(True, marks=forks)])
def test_the_result_is_the_same_in_a_child_or_here(fork):
    with Aside(lambda: {"pid": os.getpid() != PARENT, "x": [1, 2]}, fork=fork) as job:
        value = job.result()
    assert value == {"pid": fork, "x": [1, 2]}
    assert job.result() is value  # asked again: not run again


@forks
def test_an_error_in_the_child_is_raised_in_the_parent_with_its_traceback():
    with pytest.raises(AsideError, match="ValueError: no figure today"), Aside(_fail, fork=True) as job:
        job.result()


@forks
def test_a_child_that_dies_is_an_error_naming_its_exit_code():
    with pytest.raises(AsideError, match="exit code 3"), Aside(lambda: os._exit(3), fork=True) as job:
        job.result()


@forks
def test_an_error_in_the_parent_stops_the_child():
    with pytest.raises(KeyError), Aside(lambda: time.sleep(60), fork=True) as job:
        raise KeyError("the pages failed")
    assert job._process is not None and not job._process.is_alive()


def test_without_fork_the_work_runs_when_asked_for():
    ran = []
    with Aside(lambda: ran.append(1) or "done", fork=False) as job:
        assert ran == []
        assert job.result() == "done" and ran == [1]


PARENT = os.getpid()


def _report_can_fork(send):
    send.send(_can_fork())


@forks
def test_a_daemon_process_does_the_work_itself():
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_report_can_fork, args=(send,), daemon=True)
    p.start()
    assert receive.recv() is False
    p.join()
