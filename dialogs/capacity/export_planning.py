"""`export planning`: people x weeks as XLSX (available, planned per project, free) for the general planning; the
CLI's `projectbot export planning` uses it too."""

from __future__ import annotations
