"""What a run leaves for people and machines: the event timeline (``timeline``), the parts of the
HTML report (``report``) and JUnit XML written outside pytest (``junit``)."""
