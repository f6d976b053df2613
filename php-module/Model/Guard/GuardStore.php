<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Guard;

use Magento\Framework\App\ResourceConnection;
use MagentoIr\IncidentResponse\Model\Data\GuardRule;

/**
 * The payment guard's tables: rules, order-placement events (for velocity), refused attempts and the
 * per-rule refusal counters (one row per rule, bumped in the same transaction as the refusal).
 *
 * Events keep no card data and are purged after EVENT_RETENTION seconds (the longest window is a day).
 */
final class GuardStore
{
    public const RULE_TABLE = 'magento_ir_guard_rule';
    public const EVENT_TABLE = 'magento_ir_guard_event';
    public const BLOCK_TABLE = 'magento_ir_guard_block';
    public const COUNTER_TABLE = 'magento_ir_guard_counter';
    public const EVENT_RETENTION = 172800;
    private const EVENT_COLUMNS = [
        'ip' => 'ip',
        'email' => 'email',
        'customer' => 'customer_id',
        'quote' => 'quote_id',
    ];

    public function __construct(private readonly ResourceConnection $resource)
    {
    }

    /**
     * @param array{type: string, values: list<string>, subject: ?string, metric: ?string, limit: ?int,
     *     window: ?int} $rule
     */
    public function addRule(array $rule, string $now, ?string $expiresAt, string $reason, ?string $incidentId): int
    {
        $connection = $this->resource->getConnection();
        $connection->insert($this->resource->getTableName(self::RULE_TABLE), [
            'type' => $rule['type'],
            'rule_values' => json_encode($rule['values'], JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES),
            'subject' => $rule['subject'],
            'metric' => $rule['metric'],
            'max_count' => $rule['limit'],
            'window_seconds' => $rule['window'],
            'created_at' => $now,
            'expires_at' => $expiresAt,
            'incident_id' => $incidentId,
            'reason' => $reason,
        ]);
        return (int) $connection->fetchOne('SELECT LAST_INSERT_ID()');
    }

    /**
     * Rules in force at $now (not removed, not lapsed), oldest first; every rule when $all.
     *
     * @return list<array<string, mixed>> rows
     */
    public function rules(string $now, bool $all = false): array
    {
        $connection = $this->resource->getConnection();
        $sql = 'SELECT * FROM ' . $this->resource->getTableName(self::RULE_TABLE);
        $bind = [];
        if (!$all) {
            $sql .= ' WHERE removed_at IS NULL AND (expires_at IS NULL OR expires_at > :now)';
            $bind['now'] = $now;
        }
        return array_values($connection->fetchAll($sql . ' ORDER BY rule_id', $bind));
    }

    /**
     * Marks the rules removed (kept for the record); returns the ids that were in force.
     *
     * @param list<int> $ruleIds
     * @return list<int>
     */
    public function removeRules(array $ruleIds, string $now): array
    {
        $live = array_values(array_filter(
            $this->rules($now),
            static fn (array $row): bool => in_array((int) $row['rule_id'], $ruleIds, true)
        ));
        $ids = array_map(static fn (array $row): int => (int) $row['rule_id'], $live);
        if ($ids !== []) {
            $connection = $this->resource->getConnection();
            $connection->update(
                $this->resource->getTableName(self::RULE_TABLE),
                ['removed_at' => $now],
                ['rule_id IN (?)' => $ids]
            );
        }
        return $ids;
    }

    /**
     * The rule's wire shape, with how often it blocked.
     *
     * @param array<string, mixed> $row
     * @param array<int, array{0: int, 1: string, 2: string}> $stats rule id => [blocks, first, last block time]
     */
    public static function wire(array $row, array $stats = []): GuardRule
    {
        $id = (int) $row['rule_id'];
        return GuardRule::fromArray([
            'rule_id' => $id,
            'type' => $row['type'],
            'values' => json_decode((string) $row['rule_values'], true, 4, JSON_THROW_ON_ERROR),
            'subject' => $row['subject'] ?? null,
            'metric' => $row['metric'] ?? null,
            'limit' => $row['max_count'] ?? null,
            'window' => $row['window_seconds'] ?? null,
            'created_at' => $row['created_at'],
            'expires_at' => $row['expires_at'] ?? null,
            'removed_at' => $row['removed_at'] ?? null,
            'incident_id' => $row['incident_id'] ?? null,
            'reason' => $row['reason'],
            'blocked' => $stats[$id][0] ?? 0,
            'first_blocked_at' => $stats[$id][1] ?? null,
            'last_blocked_at' => $stats[$id][2] ?? null,
        ]);
    }

    /**
     * @return array<int, array{0: int, 1: string, 2: string}> rule id => [blocks, first, last block time]
     */
    public function blockStats(): array
    {
        $stats = [];
        foreach ($this->counters() as $row) {
            $stats[(int) $row['rule_id']] = [
                (int) $row['blocked'],
                (string) $row['first_blocked_at'],
                (string) $row['last_blocked_at'],
            ];
        }
        return $stats;
    }

    /**
     * Every rule's refusal counter (rules that never refused have none), by rule id.
     *
     * @return list<array<string, mixed>> rows of the counter table
     */
    public function counters(): array
    {
        return array_values($this->resource->getConnection()->fetchAll(
            'SELECT * FROM ' . $this->resource->getTableName(self::COUNTER_TABLE) . ' ORDER BY rule_id'
        ));
    }

    /**
     * The newest refusal's id (0 when none): a reader's cursor equal to it has nothing new to read.
     */
    public function lastBlockId(): int
    {
        return (int) $this->resource->getConnection()->fetchOne(
            'SELECT MAX(block_id) FROM ' . $this->resource->getTableName(self::BLOCK_TABLE)
        );
    }

    /**
     * One order placement's outcome: "order" or "failure" (what velocity rules count).
     */
    public function recordEvent(string $outcome, Attempt $attempt, string $now): void
    {
        $this->resource->getConnection()->insert($this->resource->getTableName(self::EVENT_TABLE), [
            'created_at' => $now,
            'outcome' => $outcome,
            'ip' => $attempt->ip,
            'email' => $attempt->email,
            'customer_id' => $attempt->customerId,
            'quote_id' => $attempt->quoteId,
        ]);
    }

    /**
     * Events of $outcome for one subject value since $since.
     */
    public function countEvents(string $subject, string|int $value, string $outcome, string $since): int
    {
        $connection = $this->resource->getConnection();
        $column = self::EVENT_COLUMNS[$subject];
        return (int) $connection->fetchOne(
            'SELECT COUNT(*) FROM ' . $this->resource->getTableName(self::EVENT_TABLE)
            . ' WHERE ' . $column . ' = :value AND outcome = :outcome AND created_at >= :since',
            ['value' => $value, 'outcome' => $outcome, 'since' => $since]
        );
    }

    /**
     * Logs one refusal and bumps its rule's counter, together (one transaction, an atomic upsert: two
     * refusals at once both count).
     */
    public function recordBlock(int $ruleId, string $ruleType, Attempt $attempt, string $now): void
    {
        $connection = $this->resource->getConnection();
        $connection->beginTransaction();
        try {
            $connection->insert($this->resource->getTableName(self::BLOCK_TABLE), [
                'created_at' => $now,
                'rule_id' => $ruleId,
                'rule_type' => $ruleType,
                'channel' => substr($attempt->channel, 0, 32),
                'ip' => $attempt->ip,
                'email' => $attempt->email,
                'customer_id' => $attempt->customerId,
                'quote_id' => $attempt->quoteId,
                'method' => $attempt->method,
            ]);
            $connection->query(
                'INSERT INTO ' . $this->resource->getTableName(self::COUNTER_TABLE)
                . ' (rule_id, rule_type, blocked, first_blocked_at, last_blocked_at)'
                . ' VALUES (:rule_id, :rule_type, 1, :first, :last)'
                . ' ON DUPLICATE KEY UPDATE blocked = blocked + 1,'
                . ' last_blocked_at = GREATEST(last_blocked_at, VALUES(last_blocked_at))',
                ['rule_id' => $ruleId, 'rule_type' => $ruleType, 'first' => $now, 'last' => $now]
            );
            $connection->commit();
        } catch (\Throwable $exception) {
            $connection->rollBack();
            throw $exception;
        }
    }

    /**
     * @return list<array<string, mixed>>
     */
    public function blocks(int $afterId, int $pageSize): array
    {
        $connection = $this->resource->getConnection();
        return array_values($connection->fetchAll(
            'SELECT * FROM ' . $this->resource->getTableName(self::BLOCK_TABLE)
            . ' WHERE block_id > :after ORDER BY block_id LIMIT ' . $pageSize,
            ['after' => $afterId]
        ));
    }

    public function purgeEvents(string $before): int
    {
        return (int) $this->resource->getConnection()->delete(
            $this->resource->getTableName(self::EVENT_TABLE),
            ['created_at < ?' => $before]
        );
    }
}
