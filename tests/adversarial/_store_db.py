"""The real test store's database, as an attacker holding `app/etc/env.php` reaches it.

Python has no MySQL driver here, so SQL runs through PHP's PDO (PHP runs the store anyway) with
the credentials in `<MAGENTO_IR_TEST_MAGENTO_ROOT>/app/etc/env.php`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pathlib import Path

_CONNECT = r"""
$env = include $argv[1] . '/app/etc/env.php';
$db = $env['db']['connection']['default'];
[$host, $port] = array_pad(explode(':', $db['host'], 2), 2, '3306');
$pdo = new PDO(
    "mysql:host=$host;port=$port;dbname={$db['dbname']};charset=utf8mb4",
    $db['username'], $db['password'],
    [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_EMULATE_PREPARES => false]
);
"""

_RUN = (
    _CONNECT
    + r"""
$job = json_decode(stream_get_contents(STDIN), true);
$out = [];
foreach ($job as [$sql, $params]) {
    $statement = $pdo->prepare($sql);
    $statement->execute($params);
    $out[] = $statement->columnCount() > 0
        ? $statement->fetchAll(PDO::FETCH_ASSOC)
        : $statement->rowCount();
}
echo json_encode($out);
"""
)

# Holds the action log's last row locked, so a module write blocks right before its commit with
# its idempotency key reserved; then reports whether the reservation is visible to another
# connection, kills the blocked connection (what a PHP fatal error does to its transaction), and
# lets go. Lines: "locked", then after "go <key>" on stdin: "visible <n>", "killed <id>".
_HOLD_AND_KILL = (
    _CONNECT  # noqa: S608 - PHP source, not SQL built from input
    + r"""
$pdo->beginTransaction();
$pdo->query(
    'SELECT hash FROM magento_ir_action_log ORDER BY action_id DESC LIMIT 1 FOR UPDATE'
)->fetchAll();
$own = (int) $pdo->query('SELECT CONNECTION_ID()')->fetchColumn();
echo "locked\n";
$key = trim(substr((string) fgets(STDIN), 3));
$peer = new PDO(
    "mysql:host=$host;port=$port;dbname={$db['dbname']}", $db['username'], $db['password']
);
$peer->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
$blocked = null;
for ($i = 0; $i < 600 && $blocked === null; $i++) {
    $row = $peer->query(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> $own"
        . " AND INFO LIKE 'SELECT hash FROM %magento_ir_action_log%FOR UPDATE%'"
    )->fetch(PDO::FETCH_ASSOC);
    if ($row === false) { usleep(50000); continue; }
    $blocked = (int) $row['ID'];
}
$visible = $peer->prepare(
    'SELECT COUNT(*) FROM magento_ir_idempotency_key WHERE idempotency_key = ?'
);
$visible->execute([$key]);
echo 'visible ' . (int) $visible->fetchColumn() . "\n";
if ($blocked !== null) { $peer->exec("KILL $blocked"); }
echo 'killed ' . (int) $blocked . "\n";
$pdo->rollBack();
"""
)


class StoreDatabase:
    """SQL against the store's own database (the test store's, never anyone else's)."""

    def __init__(self, magento_root: Path) -> None:
        if shutil.which("php") is None:
            pytest.fail("php is needed to reach the real store's database")
        self.root = magento_root

    def run(self, *statements: tuple[str, list[Any]]) -> list[Any]:
        """Each statement's rows (a SELECT) or affected-row count, in one connection."""
        done = subprocess.run(  # noqa: S603 - our own script, our own store
            ["php", "-r", _RUN, "--", str(self.root)],  # noqa: S607 - php from PATH, as up.sh
            input=json.dumps([[sql, params] for sql, params in statements]),
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        result: list[Any] = json.loads(done.stdout)
        return result

    def hold_and_kill(self) -> subprocess.Popen[str]:
        """Start the lock holder (see `_HOLD_AND_KILL`); it prints "locked" once it holds."""
        holder = subprocess.Popen(  # noqa: S603 - our own script, our own store
            ["php", "-r", _HOLD_AND_KILL, "--", str(self.root)],  # noqa: S607
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        return holder
