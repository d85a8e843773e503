"""Helpers of the firmware tests."""

import asyncio


def run_until(loop: asyncio.AbstractEventLoop, predicate, timeout: float = 20.0, what: str = "condition"):
    """Run ``loop`` until ``predicate()`` holds, checking every few milliseconds."""
    async def wait() -> None:
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() > deadline:
                raise AssertionError(f"{what} not reached within {timeout} s")
            await asyncio.sleep(0.002)
    loop.run_until_complete(wait())
