"""Benchmarks of the harness against the raw floor (asyncssh, pyserial) and Netmiko, on the
virtual chassis. They print figures as a table and assert nothing: ``python -m bench``."""
