"""The testbed file: which chassis a lab has, how to reach each, what to fall back to.

``schema`` the records and their validation, ``reader`` the YAML file, ``firmware`` the
``firmware:`` entry of a chassis.
"""

from harness.testbed.schema import (
    ChassisSpec,
    Credentials,
    SshAddress,
    Testbed,
    VirtualOptions,
    console_endpoint,
    default_testbed,
    load_testbed,
    virtual_spec,
)

__all__ = [
    "ChassisSpec",
    "Credentials",
    "SshAddress",
    "Testbed",
    "VirtualOptions",
    "console_endpoint",
    "default_testbed",
    "load_testbed",
    "virtual_spec",
]
