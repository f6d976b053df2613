<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Admin;

use Magento\Framework\App\ResourceConnection;

/**
 * Records of admin lockdowns and the prior state of every admin user and integration they changed.
 */
final class LockdownStore
{
    public const LOCKDOWN_TABLE = 'magento_ir_admin_lockdown';
    public const ITEM_TABLE = 'magento_ir_admin_lockdown_item';
    public const SUBJECT_ADMIN = 'admin';
    public const SUBJECT_INTEGRATION = 'integration';

    public function __construct(private readonly ResourceConnection $resource)
    {
    }

    /**
     * @param array<int, array<string, mixed>> $admins admin user id => prior state
     * @param array<int, array<string, mixed>> $integrations integration id => prior state
     */
    public function record(string $mode, string $createdAt, array $admins, array $integrations): int
    {
        $connection = $this->resource->getConnection();
        $connection->insert($this->resource->getTableName(self::LOCKDOWN_TABLE), [
            'mode' => $mode,
            'created_at' => $createdAt,
        ]);
        $lockdownId = (int) $connection->fetchOne('SELECT LAST_INSERT_ID()');
        $rows = [];
        foreach ([self::SUBJECT_ADMIN => $admins, self::SUBJECT_INTEGRATION => $integrations] as $type => $subjects) {
            foreach ($subjects as $id => $prior) {
                $rows[] = [
                    'lockdown_id' => $lockdownId,
                    'subject_type' => $type,
                    'subject_id' => $id,
                    'prior_state' => json_encode($prior, JSON_THROW_ON_ERROR),
                ];
            }
        }
        if ($rows !== []) {
            $connection->insertMultiple($this->resource->getTableName(self::ITEM_TABLE), $rows);
        }
        return $lockdownId;
    }

    /**
     * @return array{mode: string, restored_at: string|null}|null
     */
    public function find(int $lockdownId): ?array
    {
        $row = $this->resource->getConnection()->fetchRow(
            'SELECT mode, restored_at FROM ' . $this->resource->getTableName(self::LOCKDOWN_TABLE)
            . ' WHERE lockdown_id = ?',
            [$lockdownId]
        );
        if (!is_array($row)) {
            return null;
        }
        return [
            'mode' => (string) $row['mode'],
            'restored_at' => $row['restored_at'] === null ? null : (string) $row['restored_at'],
        ];
    }

    /**
     * @return array{admin: array<int, array<string, mixed>>, integration: array<int, array<string, mixed>>}
     */
    public function items(int $lockdownId): array
    {
        $rows = $this->resource->getConnection()->fetchAll(
            'SELECT subject_type, subject_id, prior_state FROM ' . $this->resource->getTableName(self::ITEM_TABLE)
            . ' WHERE lockdown_id = ? ORDER BY item_id',
            [$lockdownId]
        );
        $items = [self::SUBJECT_ADMIN => [], self::SUBJECT_INTEGRATION => []];
        foreach ($rows as $row) {
            $prior = json_decode((string) $row['prior_state'], true, 512, JSON_THROW_ON_ERROR);
            $items[$row['subject_type'] === self::SUBJECT_ADMIN ? self::SUBJECT_ADMIN : self::SUBJECT_INTEGRATION]
                [(int) $row['subject_id']] = is_array($prior) ? $prior : [];
        }
        return $items;
    }

    public function markRestored(int $lockdownId, string $restoredAt): void
    {
        $this->resource->getConnection()->update(
            $this->resource->getTableName(self::LOCKDOWN_TABLE),
            ['restored_at' => $restoredAt],
            ['lockdown_id = ?' => $lockdownId]
        );
    }
}
