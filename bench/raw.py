"""The floor: the least a client can do for the same work. A raw asyncssh client and a raw
pyserial read loop, each reading until the prompt and nothing more (no transcript, no log
lines, no dialogs, no reboot detection)."""

from __future__ import annotations

import asyncio
import re
import select

import asyncssh
import serial

from bench.common import PROMPT, SETTLE, WARM_UP, Figures
from drivers.deadline import Deadline

_PROMPT_RE = re.compile(PROMPT)
_TAIL = 256


async def _until_prompt(read, deadline: Deadline) -> bytes:
    buffer = b""
    while not _PROMPT_RE.search(buffer[-_TAIL:]):
        if deadline.expired:
            raise TimeoutError(f"no prompt within {deadline.seconds:g} s; got {buffer[-200:]!r}")
        buffer += await asyncio.wait_for(read(65536), deadline.remaining())
    return buffer


async def _ssh_login(host: str, port: int, username: str, password: str):
    conn = await asyncssh.connect(host, port, username=username, password=password, known_hosts=None)
    process = await conn.create_process(term_type="vt100", encoding=None)
    await _until_prompt(process.stdout.read, Deadline(30))
    process.stdin.write(b"disable clipaging\r")
    await _until_prompt(process.stdout.read, Deadline(30))
    return conn, process


async def ssh_floor(
    host: str, port: int, username: str, password: str, samples: int, repeats: int
) -> dict[str, Figures]:
    """asyncssh: connect+login (``repeats`` times), ``samples`` x show switch, ``repeats`` fetches."""
    logins = []
    for _ in range(repeats):
        started = asyncio.get_running_loop().time()
        conn, process = await _ssh_login(host, port, username, password)
        logins.append(asyncio.get_running_loop().time() - started)
        conn.close()
    await asyncio.sleep(SETTLE)
    conn, process = await _ssh_login(host, port, username, password)

    async def run(command: str) -> float:
        started = asyncio.get_running_loop().time()
        process.stdin.write(command.encode() + b"\r")
        await _until_prompt(process.stdout.read, Deadline(120))
        return asyncio.get_running_loop().time() - started

    try:
        for _ in range(WARM_UP):
            await run("show switch")
        switch = [await run("show switch") for _ in range(samples)]
        config = [await run("show configuration") for _ in range(repeats)]
    finally:
        conn.close()
    return {"login": Figures.of(logins), "show switch": Figures.of(switch), "show configuration": Figures.of(config)}


class RawSerial:
    """pyserial on a console URL, read with select and large reads until the prompt."""

    def __init__(self, url: str):
        self.port = serial.serial_for_url(url, timeout=0)
        self.fd = self.port.fileno()

    def until(self, pattern: re.Pattern[bytes], deadline: Deadline) -> bytes:
        buffer = b""
        while not pattern.search(buffer[-_TAIL:]):
            if deadline.expired:
                raise TimeoutError(f"{pattern.pattern!r} not seen; got {buffer[-200:]!r}")
            if select.select([self.fd], [], [], deadline.remaining())[0]:
                buffer += self.port.read(65536)
        return buffer

    def login(self, username: str, password: str) -> None:
        self.port.write(b"\r")
        self.until(re.compile(rb"login: \Z"), Deadline(30))
        self.port.write(username.encode() + b"\r")
        self.until(re.compile(rb"password: \Z"), Deadline(30))
        self.port.write(password.encode() + b"\r")
        self.until(_PROMPT_RE, Deadline(30))
        self.run("disable clipaging")

    def run(self, command: str) -> bytes:
        self.port.write(command.encode() + b"\r")
        return self.until(_PROMPT_RE, Deadline(120))

    def logout(self) -> None:
        self.port.write(b"exit\r")
        self.until(re.compile(rb"login: \Z"), Deadline(30))

    def close(self) -> None:
        self.port.close()
