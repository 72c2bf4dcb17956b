"""The compute table of Sec. 5: Duration, Steps, Step Time, and Step Time relative to
Simul-Ind, per method, all measured in one process on the public goods runs.

    python -m figures.compute_table [--out DIR] [--seed S] [--quick]
"""

from figures.output import save_table
from figures.public_goods_runs import METHODS
from figures.script import run_script


def make(out_dir, protocol, results):
    """Write ``compute_table.md/.csv``; return the Markdown."""
    step_time = {k: results[k]["seconds"] / max(results[k]["steps"], 1) for k in METHODS}
    rows = [
        [k, f"{results[k]['seconds']:.2f}", str(results[k]["steps"]),
         f"{1e3 * step_time[k]:.3f}", f"{step_time[k] / step_time['Simul-Ind']:.2f}"]
        for k in METHODS
    ]  # fmt: skip
    title = (f"Compute on the public goods runs ({protocol.public_goods.num_runs} runs, "
             "this machine, one process; Steps summed over runs)")  # fmt: skip
    header = ["method", "Duration (s)", "Steps", "Step Time (ms)", "Step Time / Simul-Ind"]
    return save_table(out_dir, "compute_table", header, rows, title)


def main():
    run_script(__doc__, make, needs_results=True)


if __name__ == "__main__":
    main()
