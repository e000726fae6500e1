#!/usr/bin/env python3
"""Split a `perf record -g` profile of one hub instance into where its CPU goes per delivery.

    perf script -i benchmarks/target/runs/<run>/perf.data | python3 benchmarks/perf-budget.py --us 22.4

Reads `perf script` output (after run.sh stopped the instance, so its JIT symbol map exists),
classifies every sample by thread name and by whether its stack is in a socket write or a thread
park/wake-up, and prints each class's share of the samples; with --us (the instance's CPU per
delivered message, from the run's JSON) also the microseconds per delivery it stands for.
"""
import argparse
import collections
import sys


def samples(lines):
    """Yield (thread name, stack text) per sample of `perf script` output."""
    comm, frames = None, []
    for line in lines:
        if not line.strip():
            if comm is not None:
                yield comm, ";".join(frames)
            comm, frames = None, []
        elif not line[0].isspace():
            comm, frames = line.split()[0], []
        else:
            frames.append(line.strip())
    if comm is not None:
        yield comm, ";".join(frames)


def classify(comm, stack):
    if comm.startswith("hub-dispatch"):
        if "writev" in stack or "FileDispatcherImpl.write" in stack:
            return "dispatch: socket write syscalls (kernel, incl. loopback receive)"
        if "futex" in stack or "finish_task_switch" in stack or "Unsafe.park" in stack:
            return "dispatch: lane wake-ups/parking"
        return "dispatch: Java (fan-out loop, decorator, container write path, encoding)"
    if comm.startswith(("http-nio", "qtp")):
        return "container threads: inbound publishes, acks, polling"
    if comm.startswith("lettuce"):
        return "Lettuce event loop: PUBLISH commands, pub/sub receive"
    return "other (JIT, GC, timers)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--us", type=float, help="the instance's CPU microseconds per delivery")
    args = parser.parse_args()
    counts = collections.Counter(classify(comm, stack) for comm, stack in samples(sys.stdin))
    total = sum(counts.values())
    if total == 0:
        sys.exit("no samples on standard input")
    for name, count in counts.most_common():
        share = count / total
        micros = "  %5.1f us" % (share * args.us) if args.us else ""
        print("%5.1f%%%s  %s" % (100 * share, micros, name))


if __name__ == "__main__":
    main()
