"""The file of paused_worker.py's second stop: no editor has it open."""


def second_stop(worker: int) -> None:
    breakpoint()  # the second stop
    print(f"worker-{worker} went on from its second stop")
