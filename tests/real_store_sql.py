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


def delete_admin(root: Path, username: str) -> None:
    """Delete an admin user a test made, with its role row: Magento has no command or route for
    it, and `authorization_role` has no foreign key that would take the row with the user."""
    rows = sql(root, "SELECT user_id FROM admin_user WHERE username = ?", username)
    for row in rows:
        sql(
            root,
            "DELETE FROM authorization_role WHERE user_id = ? AND user_type = '2'",
            str(row["user_id"]),
        )
    sql(root, "DELETE FROM admin_user WHERE username = ?", username)
