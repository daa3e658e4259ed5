"""Reproducible studies: ``dsegym study list`` and ``dsegym study run NAME``."""
