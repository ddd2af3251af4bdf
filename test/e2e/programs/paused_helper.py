"""The file of paused_worker.py's second and third stops: no editor has it
open at the second; at the third it is open behind the task tree."""


def second_stop(worker: int) -> None:
    breakpoint()  # the second stop
    print(f"worker-{worker} went on from its second stop")


def third_stop(worker: int) -> None:
    breakpoint()  # the third stop
    print(f"worker-{worker} went on from its third stop")
