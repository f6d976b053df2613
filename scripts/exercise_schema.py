"""Rewrite docs/schemas/exercise-run.json from the ExerciseRun model (a test checks they agree)."""

from __future__ import annotations

import json
from pathlib import Path

from magento_ir.exercise.result import run_schema

TARGET = Path(__file__).resolve().parent.parent / "docs" / "schemas" / "exercise-run.json"

if __name__ == "__main__":
    TARGET.write_text(json.dumps(run_schema(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {TARGET}")
