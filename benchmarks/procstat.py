"""CPU time, scheduling and peak memory of another live process, read from /proc (Linux): the
benchmarks that run crawls as child processes measure them side by side with these."""

from __future__ import annotations

import os
from pathlib import Path


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a live process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def main_thread_schedule(pid: int) -> tuple[float, float]:
    """Seconds a live process's main thread has run on a CPU and waited for one (runnable, on the
    run queue: the machine's load), from /proc/<pid>/schedstat. The rest of its life it slept:
    waiting on timers, the network or other threads."""
    on_cpu, run_queue = Path(f"/proc/{pid}/schedstat").read_text().split()[:2]
    return int(on_cpu) / 1e9, int(run_queue) / 1e9


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident set so far (VmHWM), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
