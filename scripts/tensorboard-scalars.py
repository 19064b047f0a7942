#!/usr/bin/env python3
"""Reads a run directory's TensorBoard event files with TensorBoard's own
reader (EventAccumulator, from PyPI's `tensorboard`) and prints every scalar
as JSON: {tag: [[step, value], ...]}. The tests compare it with what the
engine logged; a user can diff runs with it.

    python3 scripts/tensorboard-scalars.py runs/quickstart-...
"""
import json
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: tensorboard-scalars.py RUN_DIRECTORY")
    # size_guidance 0: keep every point (the default samples 10 000 scalars).
    accumulator = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0, "images": 0})
    accumulator.Reload()
    tags = accumulator.Tags()
    scalars = {tag: [[event.step, event.value] for event in accumulator.Scalars(tag)] for tag in tags["scalars"]}
    images = {tag: [[event.step, event.width, event.height] for event in accumulator.Images(tag)] for tag in tags["images"]}
    json.dump({"scalars": scalars, "images": images}, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
