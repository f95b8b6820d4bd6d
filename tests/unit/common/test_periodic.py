"""PeriodicTask: runs at start, every interval, on trigger; survives errors."""

import threading
import time

from oslotest import base

from stx.common import periodic


class TestPeriodicTask(base.BaseTestCase):

    def _task(self, interval, function=None, **kwargs):
        runs = []

        def run():
            runs.append(time.monotonic())
            if function is not None:
                function()

        task = periodic.PeriodicTask('test', run, lambda: interval, **kwargs)
        self.addCleanup(task.stop, 5)
        return task, runs

    def _wait_for(self, runs, count, timeout=5):
        deadline = time.monotonic() + timeout
        while len(runs) < count:
            self.assertLess(time.monotonic(), deadline, runs)
            time.sleep(0.005)

    def test_runs_at_start_and_every_interval(self):
        task, runs = self._task(0.05)
        task.start()
        self._wait_for(runs, 3)
        self.assertGreaterEqual(runs[2] - runs[0], 0.09)

    def test_waits_one_interval_first_unless_asked(self):
        task, runs = self._task(60, run_at_start=False)
        task.start()
        time.sleep(0.05)
        self.assertEqual([], runs)
        task.trigger()
        self._wait_for(runs, 1)

    def test_a_failing_run_does_not_end_the_task(self):
        task, runs = self._task(0.02, function=lambda: 1 / 0)
        task.start()
        self._wait_for(runs, 3)

    def test_zero_interval_pauses_until_triggered(self):
        task, runs = self._task(0)
        task.start()
        self._wait_for(runs, 1)
        time.sleep(0.1)
        self.assertEqual(1, len(runs))
        task.trigger()
        self._wait_for(runs, 2)

    def test_stop_waits_for_the_run_in_progress(self):
        started, release = threading.Event(), threading.Event()
        finished = []

        def slow():
            started.set()
            release.wait(5)
            finished.append(True)

        task, _runs = self._task(60, function=slow)
        task.start()
        self.assertTrue(started.wait(5))
        threading.Timer(0.05, release.set).start()
        task.stop(5)
        self.assertEqual([True], finished)

    def test_stop_all_tells_every_task_before_waiting(self):
        # Each run waits (up to 1 s) until every task was told to stop:
        # stopping them one after another, the first would not see it.
        tasks = []
        all_told = []
        started = [threading.Event(), threading.Event()]

        def make(index):
            def run():
                started[index].set()
                deadline = time.monotonic() + 1
                while time.monotonic() < deadline:
                    if all(task._stop.is_set() for task in tasks):
                        break
                    time.sleep(0.005)
                all_told.append(all(task._stop.is_set() for task in tasks))
            return run

        for index in range(2):
            task, _runs = self._task(60, function=make(index))
            tasks.append(task)
            task.start()
        for event in started:
            self.assertTrue(event.wait(5))
        periodic.stop_all(tasks, 5)
        self.assertEqual([True, True], all_told)
