#!/usr/bin/python3
"""Mid-run lockstep: the engine and the twin from the same trained state.

    /usr/bin/python3 scripts/parity/midrun.py [--method gird] [--epochs 3] [--stop-after 2]
        [--steps 4] [--seed 0] [--subset 5000] [--lr 0.05]

The first-steps lockstep (lockstep.py) starts from a fresh student at a low
rate. A difference that only shows once the student is trained, the bank is
full and the rate is the protocol's (0.05) is invisible there, and a whole
run cannot show it either: at 0.05 two float-rounding twins part within ten
steps. This check starts both sides from one state in the middle of a run:

1. the engine trains `--epochs` epochs of the protocol with a scalar at every
   step (run A, uninterrupted);
2. the same run again (B) is interrupted (SIGINT) once `--stop-after` epochs
   are done; it saves its checkpoint (weights, BN statistics, momenta, the
   bank and its ring, the position in the epoch) and stops;
3. the twin loads that checkpoint and trains on from the same position, on
   the same batches, at the same rates, for `--steps` steps;
4. the twin's per-step losses are compared with run A's at the same global
   steps: the runs are deterministic, so B's state is A's at that step.

From one state, the two must agree to float tolerance for the first step and
part only slowly after. Exits 1 when the first step's loss differs by more
than --tolerance (relative). With --steps 0 the twin trains to the end of
the run and each epoch's test top-1 and mean step loss are printed beside
the engine's: how far two runs that share a state after the first, most
chaotic epochs end apart.
"""
import argparse
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import torch

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import engine_rng  # noqa: E402
import tfevents  # noqa: E402
import twin  # noqa: E402
import gird_safetensors  # noqa: E402

BIN = os.environ.get("GIRD_REPL", "/tmp/parity-bin/gird-repl")


def engine_command(work, **params):
    command = ["nice", "-n", "10", BIN, "--threads", "1", os.path.join(HERE, "engine.recipe"), "--allow-write", work]
    for name, value in params.items():
        command += ["--set", f"{name}={json.dumps(value)}"]
    return command


def start_engine(args, work):
    """Starts one engine run in `work`; returns the process and its command."""
    out = os.path.join(work, "engine")
    command = engine_command(work, method=args.method, run_seed=args.seed, epochs=args.epochs, subset=args.subset,
                             bank=args.bank, lr=args.lr, log_every=1, test_size=args.test_size, out=out)
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), command


def finish_engine(process, command, work, interrupt_after=None):
    """Waits for a run; with `interrupt_after`, sends SIGINT once that many
    epochs are in its metrics file. Returns the run directory."""
    out = os.path.join(work, "engine")
    if interrupt_after is not None:
        metrics = os.path.join(out, "metrics.jsonl")
        while process.poll() is None:
            if os.path.exists(metrics) and open(metrics).read().count("\n") >= interrupt_after:
                process.send_signal(signal.SIGINT)
                break
            time.sleep(0.2)
    _, stderr = process.communicate()
    if interrupt_after is None and process.returncode != 0:
        sys.exit(f"engine failed: {' '.join(command)}\n{stderr}")
    return out


def load_state(checkpoint_path, student, optimizer, objective):
    tensors, meta = gird_safetensors.load(checkpoint_path)
    state = json.loads(meta["gird.training_state"])
    model_state = {n[len("model."):]: t for n, t in tensors.items() if n.startswith("model.")}
    student.load_state_dict({n: model_state[n] for n in student.state_dict()}, strict=True)
    for name, parameter in student.named_parameters():
        optimizer.state[parameter]["momentum_buffer"] = tensors[f"optimizer.{name}.momentum_buffer"].clone()
    if objective.gird is not None:
        gird = objective.gird
        layers = sum(1 for n in tensors if n.startswith("state.term2.gird.student"))
        gird.student_bank = [tensors[f"state.term2.gird.student{l}"].clone() for l in range(layers)]
        gird.teacher_bank = [tensors[f"state.term2.gird.teacher{l}"].clone() for l in range(layers)]
        gird.position, gird.filled = [int(v) for v in tensors["state.term2.gird.ring"].tolist()]
    return state["position"]["epoch"], state["position"]["batch"], state["stepsPerEpoch"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--method", choices=["ce", "kd", "gird"], default="gird")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--subset", type=int, default=5000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--stop-after", type=int, default=2, help="epochs run B finishes before its SIGINT")
    parser.add_argument("--steps", type=int, default=4,
                        help="steps the twin takes from the checkpoint; 0: to the end of the run, comparing each "
                             "epoch's test top-1 and mean training loss with the engine's")
    parser.add_argument("--test-size", type=int, default=1000, help="test images per evaluation (0: all 10 000)")
    parser.add_argument("--bank", type=int, default=4096)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--tolerance", type=float, default=1e-4)
    parser.add_argument("--work", default="/tmp/gird-parity/midrun")
    args = parser.parse_args()

    work = os.path.join(args.work, f"{args.method}-s{args.seed}-n{args.subset}-e{args.epochs}-lr{args.lr}-t{args.test_size}")
    run_a, run_b = os.path.join(work, "a"), os.path.join(work, "b")
    metrics_a = os.path.join(run_a, "engine", "metrics.jsonl")
    started_a = None
    if not os.path.exists(metrics_a) or open(metrics_a).read().count("\n") < args.epochs:
        shutil.rmtree(run_a, ignore_errors=True)
        os.makedirs(run_a)
        started_a = start_engine(args, run_a)  # runs beside B
    shutil.rmtree(run_b, ignore_errors=True)
    os.makedirs(run_b)
    out_b = finish_engine(*start_engine(args, run_b), run_b, interrupt_after=args.stop_after)
    if started_a is not None:
        finish_engine(*started_a, run_a)
    scalars = tfevents.scalars(glob.glob(os.path.join(run_a, "engine", "events.out.tfevents.*"))[0])

    torch.set_num_threads(1)
    all_images, all_labels = twin.read_idx("train")
    subset = engine_rng.subset_indices(all_labels, args.subset, 0)
    student = twin.make_student(os.path.join(run_b, "engine-init.safetensors"), args.seed)
    teacher = twin.make_teacher()
    objective = twin.Objective(args.method, teacher, bank=args.bank)
    optimizer = torch.optim.SGD(student.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    epoch, batch, steps_per_epoch = load_state(os.path.join(out_b, "checkpoint.safetensors"), student, optimizer,
                                               objective)
    batches = twin.Batches(all_images[subset], all_labels[subset], 64, args.seed, order="engine")
    assert batches.steps == steps_per_epoch
    total = args.epochs * steps_per_epoch
    print(f"{args.method} seed {args.seed}: from the engine's checkpoint at epoch {epoch}, batch {batch}"
          f" (global step {epoch * steps_per_epoch + batch + 1} next)")
    test_images, test_labels = twin.read_idx("test")
    if args.test_size:
        chosen = engine_rng.subset_indices(test_labels, args.test_size, 0)
        test_images, test_labels = test_images[chosen], test_labels[chosen]
    engine_epochs = [json.loads(line) for line in open(os.path.join(run_a, "engine", "metrics.jsonl"))]
    student.train()
    rows, epoch_rows = [], []

    def step_stream():
        for e in range(epoch, args.epochs):
            for step, images, labels, _ in batches.epoch(e):
                if e == epoch and step < batch:
                    continue
                yield e, step, images, labels

    epoch_losses = []
    for e, step, images, labels in step_stream():
        global_step = e * steps_per_epoch + step
        rate = float(np.float32(twin.cosine_rate(args.lr, global_step, total)))
        for group in optimizer.param_groups:
            group["lr"] = rate
        loss, _ = objective.loss(student, images, labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        objective.after_step()
        engine_loss = scalars["loss/total"][global_step + 1]
        row = {"step": global_step + 1, "engine": engine_loss, "twin": loss.item(),
               "rel": abs(loss.item() - engine_loss) / abs(engine_loss)}
        for name, value in objective.terms.items():
            key = f"loss/{name}"
            if key in scalars:
                row[name] = (value, scalars[key][global_step + 1])
        rows.append(row)
        epoch_losses.append((loss.item(), engine_loss))
        if args.steps and len(rows) >= args.steps:
            break
        if step == steps_per_epoch - 1:  # the epoch's end: test both
            top1, _ = twin.evaluate(student, test_images, test_labels)
            twin_loss = sum(t for t, _ in epoch_losses) / len(epoch_losses)
            engine_loss_mean = sum(g for _, g in epoch_losses) / len(epoch_losses)
            epoch_rows.append((e, engine_epochs[e]["test_top1"], top1, engine_loss_mean, twin_loss))
            print(f"epoch {e + 1:2d}: test top-1 engine {100 * engine_epochs[e]['test_top1']:.2f}%  twin {100 * top1:.2f}%  "
                  f"mean loss of its steps from the checkpoint: engine {engine_loss_mean:.4f}  twin {twin_loss:.4f}",
                  flush=True)
            epoch_losses = []
    print("step   engine loss    twin loss   rel. diff   terms (twin / engine)")
    for row in rows[:12]:
        terms = "  ".join(f"{n} {v[0]:.6f}/{v[1]:.6f}" for n, v in row.items() if isinstance(v, tuple))
        print(f"{row['step']:5d}  {row['engine']:11.6f}  {row['twin']:11.6f}  {row['rel']:9.2e}   {terms}")
    ok = rows[0]["rel"] <= args.tolerance
    print(f"{'ok' if ok else 'FAILED'}: first step from the checkpoint differs by {rows[0]['rel']:.2e} "
          f"(tolerance {args.tolerance:g})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
