"""Breach exercises: scenarios as code, run end to end on the sandbox, scored against targets,
legal deadlines and the team's previous runs, and kept as evidence (docs/exercises.md).

```python
from magento_ir.exercise import ExerciseOptions, run_exercise

run = run_exercise("hr_data_breach", ExerciseOptions(out=Path("exercises")))
print(run.scores.percent, run.seconds("contain"))
```

Running needs the `sandbox` extra; the scenario and scoring modules do not.
"""

from __future__ import annotations

from magento_ir.exercise._run import ExerciseOptions, load_history, run_exercise
from magento_ir.exercise.outputs import WRITERS, write_outputs
from magento_ir.exercise.pack import write_run_pack
from magento_ir.exercise.report import write_report
from magento_ir.exercise.result import (
    RUN_FILE,
    DeadlineRef,
    DecisionMade,
    ExerciseRun,
    Participant,
    TimelineEvent,
    load_run,
)
from magento_ir.exercise.scenario import (
    OBJECTIVES,
    PROCEDURE_STEPS,
    Scenario,
    ScenarioError,
    load_scenario,
    scenario_json,
    shipped_scenarios,
)
from magento_ir.exercise.scoring import Scores, score_run

# Every run leaves its after-action report, then its evidence pack (which zips the report).
WRITERS.extend((write_report, write_run_pack))

__all__ = [
    "OBJECTIVES",
    "PROCEDURE_STEPS",
    "RUN_FILE",
    "WRITERS",
    "DeadlineRef",
    "DecisionMade",
    "ExerciseOptions",
    "ExerciseRun",
    "Participant",
    "Scenario",
    "ScenarioError",
    "Scores",
    "TimelineEvent",
    "load_history",
    "load_run",
    "load_scenario",
    "run_exercise",
    "scenario_json",
    "score_run",
    "shipped_scenarios",
    "write_outputs",
]
