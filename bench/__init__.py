"""Benchmarks of Meeting Scribe's Wyoming server, side by side with wyoming-faster-whisper.

Run with ``script/bench`` (quick mode) or ``script/bench --full``; see docs/benchmarks.md.
"""
