"""bhyt-xl: review of BHYT card issuance (duplicate cards, CV 493/BHXH-CST; continuity, CV 1006/BHXH-CST)."""

__version__ = "0.1.0"
