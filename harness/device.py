"""What the harness knows of the NETGEAR 8800 family as data, in one place, from the device's
documents (shared reference file, tags as there): the models, their management modules.

This is the harness's own knowledge: the emulator keeps its own (``virtual_chassis/hardware.py``),
as two independent implementations of the device must.
"""

from __future__ import annotations

#: The two management modules of every model [NG], in slot order (MSM-A wins a tie [EX]).
MSMS = ("MSM-A", "MSM-B")
#: The chassis models: XCM8806 (BD-8806: 6 slots, MSMs in 3 and 4) and XCM8810 (BD-8810: 10
#: slots, MSMs in 5 and 6) [NG names; EX slot layout, presumed identical].
MODELS = ("XCM8806", "XCM8810")
DEFAULT_MODEL = "XCM8810"
