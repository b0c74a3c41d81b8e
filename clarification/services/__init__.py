"""Writes of the clarification phase, one module per subject.

steps: opening and closing the four steps, and the gate (`require_open`) every write of
a step passes through.
"""
