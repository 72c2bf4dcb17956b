#!/bin/bash
# A grid of aga-ref runs as one SLURM job array, one printed line per array task; docs/rl.md,
# "Grids on a cluster". From the folder the runs should go under, with aga-ref on PATH (sbatch
# passes the submitting shell's environment on):
#
#   aga-ref sweep --env-steps 20000000 --print-commands > grid.txt
#   sbatch --array=0-$(($(wc -l < grid.txt)-1)) scripts/slurm_array.sh grid.txt
#
# Task i runs line i+1 of grid.txt. Each line ends with --resume-or-start, so the same line
# survives a requeue (preemption, a failed node, `scontrol requeue JOB_i`): it continues the
# run from its last checkpoint, starts it if there is none, and exits 0 at once if it is
# complete. SLURM sends SIGTERM to the task on requeue or cancel, and (--signal) 120 s before
# its time limit; the trainer then checkpoints and exits 143. The B: prefix signals the batch
# shell, which is the trainer itself here (exec below): without B: SLURM signals only srun
# steps, and a line run straight from this script would be killed without a checkpoint.
# Output of every start goes to one file per task (--open-mode=append keeps a requeued task's
# earlier output); each start begins with a line naming the task and SLURM's restart count.
# Tested on a one-node cluster by tests/test_slurm.py (docs/testing.md, "The SLURM test").
#SBATCH --job-name=aga-ref
#SBATCH --requeue
#SBATCH --signal=B:TERM@120
#SBATCH --cpus-per-task=1
#SBATCH --open-mode=append
#SBATCH --output=slurm-%A_%a.out
set -euo pipefail

grid=${1:?usage: sbatch --array=0-\$((LINES-1)) scripts/slurm_array.sh GRID_FILE}
task=${SLURM_ARRAY_TASK_ID:?not an array task: submit with sbatch --array=0-N}
[ -r "$grid" ] || { echo "slurm_array.sh: cannot read the grid file $grid" >&2; exit 2; }
line=$(sed -n "$((task + 1))p" "$grid")
[ -n "$line" ] || { echo "slurm_array.sh: $grid has no line $((task + 1)) for task $task" >&2; exit 2; }

# one BLAS thread per run: the grid's parallelism is the array's tasks
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
echo "aga-ref array task $task, restart ${SLURM_RESTART_COUNT:-0}, $(hostname), $(date -u +%FT%TZ): $line"
# exec: the trainer replaces this shell, so SLURM's SIGTERM reaches it (see above)
eval "exec $line"
