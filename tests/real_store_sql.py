"""SQL and bin/magento against a real test store's own database (MAGENTO_IR_TEST_MAGENTO_ROOT):
for what an attacker writes where no REST route reaches (core_config_data, widgets, templates)."""

from __future__ import annotations

import json
import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# Runs one SQL statement with the store's own database settings (app/etc/env.php);
# argv: the statement, then its parameters. Prints the rows of a SELECT as JSON.
_SQL = """
$db = (include 'app/etc/env.php')['db']['connection']['default'];
$pdo = new PDO('mysql:host=' . $db['host'] . ';dbname=' . $db['dbname'], $db['username'],
    $db['password']);
$statement = $pdo->prepare($argv[1]);
$statement->execute(array_slice($argv, 2));
echo json_encode($statement->columnCount() ? $statement->fetchAll(PDO::FETCH_ASSOC) : []);
"""


def php(root: Path, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - fixed programs, the test store's own files
        ["php", *args],  # noqa: S607 - php from PATH, as up.sh runs it
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
        timeout=180,
    )
    return done.stdout


def sql(root: Path, statement: str, *params: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = json.loads(php(root, "-r", _SQL, statement, *params))
    return rows
