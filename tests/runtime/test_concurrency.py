"""Parents stay right and lines stay whole with many tasks and threads recording at once."""

import asyncio
import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import fluxloop_runtime as fluxloop


@fluxloop.tool
async def leaf(task: int, step: int) -> str:
    await asyncio.sleep(0)
    return f"{task}.{step}"


@fluxloop.tool
async def branch(task: int) -> list[str]:
    first = await leaf(task, 0)
    await asyncio.sleep(0)
    rest = await asyncio.gather(leaf(task, 1), leaf(task, 2))
    return [first, *rest]


@fluxloop.agent
async def worker(task: int) -> list[str]:
    return await branch(task)


def assert_whole_lines(store) -> list[dict]:
    text = (store.directory / "observations.jsonl").read_text(encoding="utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def check_tree(observations: list[dict], tasks: int, trace_id: str) -> None:
    by_id = {o["id"]: o for o in observations}
    assert len(by_id) == len(observations) == tasks * 5
    for o in observations:
        assert o["trace_id"] == trace_id
        task = o["input"]["task"]
        parent = by_id.get(o.get("parent_observation_id"))
        if o["name"] == "worker":
            assert parent is None
        elif o["name"] == "branch":
            assert parent["name"] == "worker" and parent["input"]["task"] == task
        else:
            assert parent["name"] == "branch" and parent["input"]["task"] == task
            assert o["output"] == f"{task}.{o['input']['step']}"


def test_a_thousand_concurrent_tasks_under_gather(store):
    async def main():
        with fluxloop.instrument("gather") as context:
            results = await asyncio.gather(*(worker(task) for task in range(1000)))
        return results, context

    results, context = asyncio.run(main())
    assert results[7] == ["7.0", "7.1", "7.2"]
    fluxloop.flush()
    check_tree(assert_whole_lines(store), 1000, str(context.trace.id))


def test_create_task(store):
    async def main():
        with fluxloop.instrument("tasks") as context:
            tasks = [asyncio.create_task(worker(task)) for task in range(100)]
            await asyncio.gather(*tasks)
        return context

    context = asyncio.run(main())
    fluxloop.flush()
    check_tree(assert_whole_lines(store), 100, str(context.trace.id))


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.TaskGroup is new in Python 3.11")
def test_create_task_and_task_group(store):
    async def main():
        with fluxloop.instrument("tasks") as context:
            tasks = [asyncio.create_task(worker(task)) for task in range(50)]
            async with asyncio.TaskGroup() as group:
                for task in range(50, 100):
                    group.create_task(worker(task))
            await asyncio.gather(*tasks)
        return context

    context = asyncio.run(main())
    fluxloop.flush()
    check_tree(assert_whole_lines(store), 100, str(context.trace.id))


def test_threads_writing_at_once_lose_and_mix_no_line(store):
    fluxloop.configure(max_queue_size=7)  # many small flushes racing the writers

    @fluxloop.tool
    def record(thread: int, n: int) -> str:
        return "x" * (n % 50) + "é\n\"{}"

    def run(thread: int) -> None:
        with fluxloop.instrument(f"thread-{thread}"):
            for n in range(300):
                record(thread, n)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fluxloop.flush()
    observations = assert_whole_lines(store)
    assert sorted((o["input"]["thread"], o["input"]["n"]) for o in observations) == [
        (t, n) for t in range(8) for n in range(300)
    ]
    assert len(store.traces()) == 8


def test_thread_pool_helpers_carry_the_context(store):
    @fluxloop.tool
    def blocking(n: int) -> int:
        return n * 2

    @fluxloop.agent
    async def orchestrate() -> list[int]:
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(max_workers=4) as pool:
            from_loop = await loop.run_in_executor(pool, fluxloop.in_context(blocking), 1)
            submitted = fluxloop.submit_with_context(pool, blocking, 2).result()
            mapped = list(pool.map(fluxloop.in_context(blocking), range(3, 9)))
            lost = await loop.run_in_executor(pool, blocking, 100)  # without the helper
        return [from_loop, submitted, *mapped, lost]

    async def main():
        with fluxloop.instrument("pool"):
            return await orchestrate()

    assert asyncio.run(main()) == [2, 4, 6, 8, 10, 12, 14, 16, 200]
    observations = store.observations()
    [agent] = [o for o in observations if o["name"] == "orchestrate"]
    recorded = sorted(o["input"]["n"] for o in observations if o["name"] == "blocking")
    assert recorded == [1, 2, 3, 4, 5, 6, 7, 8]  # 100 ran without the context: not recorded
    assert all(o["parent_observation_id"] == agent["id"] for o in observations if o["name"] == "blocking")
