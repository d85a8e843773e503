"""What each command does: one function per handler name of :mod:`grammar`.

A handler gets the CLI session (``s``, as the :class:`~.ports.Session` Protocol) and the parsed :class:`Command`; it prints with
``s.say()``, refuses with ``s.error()``, asks with ``s.ask()`` and ends the session with
``s.exit()``. Dialog texts are data (``QUESTIONS``).
"""

from __future__ import annotations

from collections.abc import Callable

from ..model.chassis import MASTER_ONLY, NO_BACKUP
from ..model.config import Refusal, config_file
from . import outputs
from .grammar import Command
from .ports import Session

QUESTIONS = {
    "overwrite": "Do you want to save configuration to {file} and overwrite it? (y/N) ",
    "sync_save": "Do you want to save configuration changes to {file}? (y or n) ",
    "reboot_unsaved": (
        "Do you want to save configuration changes to currently selected configuration "
        "file ({file}) and reboot?\r\n"
        "(y - save and reboot, n - reboot without save, <cr> - cancel command) "
    ),
    "reboot_switch": "Are you sure you want to reboot the switch? (y/N) ",
    "reboot_msm": "Are you sure you want to reboot {msm}? (y/N) ",
    "exit_unsaved": (
        "Do you want to save configuration changes to currently selected configuration file ({file})? (y or n) "
    ),
}
SAVING = "Saving configuration on master MSM ....... done!"
SYNCING = "Synchronizing configuration to backup MSM ... done!"
PERMISSION = "Permission denied: this command requires an administrator account."


def yes(answer: str) -> bool:
    return answer.strip().lower() in ("y", "yes")


def no(answer: str) -> bool:
    return answer.strip().lower() in ("n", "no")


def on_yes(action: Callable[[], object]) -> Callable[[str], None]:
    """A dialog answer that runs ``action`` on y/yes and does nothing on anything else."""

    def answer(text: str) -> None:
        if yes(text):
            action()

    return answer


def _attempt(s: Session, action: Callable[[], object]) -> None:
    try:
        action()
    except Refusal as refusal:
        s.error(str(refusal))


# --- show ---------------------------------------------------------------------------------


def show_switch(s: Session, c: Command) -> None:
    s.say(outputs.show_switch(s.chassis, s.msm, detail="detail" in c.keywords))


def show_node(s: Session, c: Command) -> None:
    s.say(outputs.show_node(s.chassis))


def show_node_detail(s: Session, c: Command) -> None:
    s.say(outputs.show_node_detail(s.chassis))


def show_version(s: Session, c: Command) -> None:
    s.say(outputs.show_version(s.chassis, s.msm))


def show_checkpoint_data(s: Session, c: Command) -> None:
    try:
        s.say(outputs.show_checkpoint_data(s.chassis, c.args.get("process")))
    except LookupError as missing:
        s.error(str(missing.args[0]))


def show_vlan(s: Session, c: Command) -> None:
    s.say(outputs.show_vlan(s.msm))


def show_configuration(s: Session, c: Command) -> None:
    s.say(outputs.show_configuration(s.msm))


# --- session --------------------------------------------------------------------------------


def disable_clipaging(s: Session, c: Command) -> None:
    s.paging = False


def enable_clipaging(s: Session, c: Command) -> None:
    s.paging = True


def disable_cli_prompting(s: Session, c: Command) -> None:
    s.prompting = False


def enable_cli_prompting(s: Session, c: Command) -> None:
    s.prompting = True


def clear_sys_recovery_level(s: Session, c: Command) -> None:
    _attempt(s, s.chassis.clear_sys_recovery)


def exit(s: Session, c: Command) -> None:  # noqa: A001 - the device's word
    if s.privilege == "admin" and s.is_master and s.msm.running.unsaved:

        def answer(text: str) -> None:
            if yes(text):
                _save(s, None)
                s.exit()
            elif no(text):
                s.exit()

        s.ask(QUESTIONS["exit_unsaved"].format(file=s.msm.config_selected), answer)
    else:
        s.exit()


# --- reboot ---------------------------------------------------------------------------------


def reboot(s: Session, c: Command) -> None:
    slot = c.args.get("slot")
    target = s.chassis.msm(slot) if slot else None
    if not s.is_master:
        if target is not None and target is not s.msm:
            s.error(MASTER_ONLY)
            return
        target = s.msm
    if target is not None:
        s.ask(
            QUESTIONS["reboot_msm"].format(msm=target.name),
            on_yes(lambda: _attempt(s, lambda: s.chassis.reboot_msm(target.name))),
        )
    elif s.msm.running.unsaved:
        s.ask(QUESTIONS["reboot_unsaved"].format(file=s.msm.config_selected), lambda text: _reboot_unsaved(s, text))
    else:
        s.ask(QUESTIONS["reboot_switch"], on_yes(s.chassis.reboot_chassis))


def _reboot_unsaved(s: Session, text: str) -> None:
    if yes(text):
        _save(s, None)
    if yes(text) or no(text):
        s.chassis.reboot_chassis()


# --- replication ----------------------------------------------------------------------------


def failover(s: Session, c: Command) -> None:
    _attempt(s, lambda: s.chassis.failover(s.msm.name, force="force" in c.keywords))


def synchronize(s: Session, c: Command) -> None:
    if s.chassis.backup() is None:
        s.error(NO_BACKUP)
        return
    refusal = s.chassis.sync_refusal()
    if refusal:  # answered at once, as a command the software does not support
        s.error(refusal)
        return
    if not s.msm.running.unsaved:
        _synchronize(s)
        return

    def answer(text: str) -> None:
        if yes(text):
            _synchronize(s)

    s.ask(QUESTIONS["sync_save"].format(file=s.msm.config_selected), answer)


def _synchronize(s: Session) -> None:
    name = s.msm.name
    _save(s, None, quiet=True)
    s.say([SAVING, SYNCING])
    try:
        backup = s.chassis.synchronize(name)
    except Refusal as refusal:
        s.error(str(refusal))
        return
    s.say([f"Synchronizing {backup.name} with {name} ..."])


# --- configuration files --------------------------------------------------------------------


def save_configuration(s: Session, c: Command) -> None:
    word = c.keywords[2] if len(c.keywords) > 2 else None
    name = config_file(word, s.msm.config_selected)
    if name not in s.msm.flash:
        _save(s, word)
        return
    s.ask(QUESTIONS["overwrite"].format(file=name), on_yes(lambda: _save(s, word)))


def _save(s: Session, word: str | None, quiet: bool = False) -> None:
    try:
        name, replicated = s.chassis.save_config(s.msm.name, word)
    except Refusal as refusal:
        s.error(str(refusal))
        return
    if not quiet:
        s.say([SAVING, *([SYNCING] if replicated else []), f"Configuration saved to {name} successfully."])


def use_configuration(s: Session, c: Command) -> None:
    _attempt(s, lambda: s.chassis.use_config(s.msm.name, c.keywords[2]))


# --- running configuration ------------------------------------------------------------------


def _configure(s: Session, change, process: str | None = None) -> None:
    _attempt(s, lambda: s.chassis.configure(s.msm.name, change, process))


def create_vlan(s: Session, c: Command) -> None:
    _configure(s, lambda cfg: cfg.create_vlan(c.args["vlan"]), "vlan")


def configure_vlan_tag(s: Session, c: Command) -> None:
    _configure(s, lambda cfg: cfg.set_vlan_tag(c.args["vlan"], int(c.args["tag"])), "vlan")


def delete_vlan(s: Session, c: Command) -> None:
    _configure(s, lambda cfg: cfg.delete_vlan(c.args["vlan"]), "vlan")


def configure_sysname(s: Session, c: Command) -> None:
    _configure(s, lambda cfg: cfg.set_sysname(c.args["sysname"]))


def configure_node_priority(s: Session, c: Command) -> None:
    _configure(s, lambda cfg: cfg.set_priority(c.args["slot"].upper(), int(c.args["priority"])))


def check_access(s: Session, c: Command) -> str | None:
    """The refusal text when this session may not run the command, else None."""
    if c.access in ("show", "session", "exit"):
        return None
    if s.privilege != "admin":
        return PERMISSION
    if c.access == "config" and not s.is_master:
        return MASTER_ONLY
    return None


HANDLERS: dict[str, Callable[[Session, Command], None]] = {
    name: globals()[name]
    for name in (
        "show_switch",
        "show_node",
        "show_node_detail",
        "show_version",
        "show_checkpoint_data",
        "show_vlan",
        "show_configuration",
        "disable_clipaging",
        "enable_clipaging",
        "disable_cli_prompting",
        "enable_cli_prompting",
        "clear_sys_recovery_level",
        "exit",
        "reboot",
        "failover",
        "synchronize",
        "save_configuration",
        "use_configuration",
        "create_vlan",
        "configure_vlan_tag",
        "delete_vlan",
        "configure_sysname",
        "configure_node_priority",
    )
}
