<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Sales;

use Magento\Framework\App\ResourceConnection;
use MagentoIr\IncidentResponse\Model\Sql\IdCondition;

/**
 * Selects orders and records bulk holds with set-based SQL; the holds themselves go through Magento's
 * OrderManagementInterface.
 */
final class OrderHoldStore
{
    public const HOLD_TABLE = 'magento_ir_order_hold';
    public const ITEM_TABLE = 'magento_ir_order_hold_item';
    /** Magento\Sales\Model\Order::STATE_HOLDED */
    public const STATE_HOLDED = 'holded';

    public function __construct(private readonly ResourceConnection $resource)
    {
    }

    /**
     * The first $limit orders matching the selection, by entity id, and how many match in all.
     *
     * @param list<int> $orderIds empty: any order
     * @param list<string> $statuses
     * @return array{0: list<array{order_id: int, increment_id: string|null, state: string, status: string}>, 1: int}
     */
    public function matching(array $orderIds, array $statuses, ?string $from, ?string $to, int $limit): array
    {
        $connection = $this->resource->getConnection();
        $where = [$connection->quoteInto('status IN (?)', $statuses)];
        if ($orderIds !== []) {
            $where[] = IdCondition::sql('entity_id', $orderIds);
        }
        if ($from !== null) {
            $where[] = $connection->quoteInto('created_at >= ?', $from);
        }
        if ($to !== null) {
            $where[] = $connection->quoteInto('created_at <= ?', $to);
        }
        $condition = implode(' AND ', $where);
        $table = $this->resource->getTableName('sales_order');
        $rows = array_map(
            [self::class, 'orderRow'],
            $connection->fetchAll(
                'SELECT entity_id, increment_id, state, status FROM ' . $table . ' WHERE ' . $condition
                . ' ORDER BY entity_id LIMIT ' . $limit
            )
        );
        $total = count($rows) < $limit
            ? count($rows)
            : (int) $connection->fetchOne('SELECT COUNT(*) FROM ' . $table . ' WHERE ' . $condition);
        return [$rows, $total];
    }

    /**
     * The given orders as they are now, keyed by id (unknown ids absent).
     *
     * @param list<int> $orderIds
     * @return array<int, array{order_id: int, increment_id: string|null, state: string, status: string}>
     */
    public function orders(array $orderIds): array
    {
        if ($orderIds === []) {
            return [];
        }
        $rows = $this->resource->getConnection()->fetchAll(
            'SELECT entity_id, increment_id, state, status FROM ' . $this->resource->getTableName('sales_order')
            . ' WHERE ' . IdCondition::sql('entity_id', $orderIds)
        );
        $byId = [];
        foreach ($rows as $row) {
            $order = self::orderRow($row);
            $byId[$order['order_id']] = $order;
        }
        return $byId;
    }

    /**
     * Records a hold and the prior state and status of the orders it held; returns the hold id.
     *
     * @param list<array{order_id: int, increment_id: string|null, state: string, status: string}> $held
     */
    public function recordHold(string $createdAt, string $reason, ?string $incidentId, array $held): int
    {
        $connection = $this->resource->getConnection();
        $connection->insert($this->resource->getTableName(self::HOLD_TABLE), [
            'created_at' => $createdAt,
            'reason' => $reason,
            'incident_id' => $incidentId,
        ]);
        $holdId = (int) $connection->fetchOne('SELECT LAST_INSERT_ID()');
        $items = array_map(static fn (array $order): array => [
            'hold_id' => $holdId,
            'order_id' => $order['order_id'],
            'increment_id' => $order['increment_id'],
            'prior_state' => $order['state'],
            'prior_status' => $order['status'],
        ], $held);
        foreach (array_chunk($items, 1000) as $chunk) {
            $connection->insertMultiple($this->resource->getTableName(self::ITEM_TABLE), $chunk);
        }
        return $holdId;
    }

    public function holdExists(int $holdId): bool
    {
        return (bool) $this->resource->getConnection()->fetchOne(
            'SELECT 1 FROM ' . $this->resource->getTableName(self::HOLD_TABLE) . ' WHERE hold_id = ?',
            [$holdId]
        );
    }

    /**
     * Orders of a hold not released yet (optionally only some), by order id.
     *
     * @param list<int> $orderIds empty: all
     * @return list<array{order_id: int, increment_id: string|null, prior_state: string, prior_status: string}>
     */
    public function activeItems(int $holdId, array $orderIds): array
    {
        $rows = $this->resource->getConnection()->fetchAll(
            'SELECT order_id, increment_id, prior_state, prior_status FROM '
            . $this->resource->getTableName(self::ITEM_TABLE)
            . ' WHERE hold_id = ? AND released_at IS NULL AND ' . IdCondition::sql('order_id', $orderIds)
            . ' ORDER BY order_id',
            [$holdId]
        );
        return array_map(static fn (array $row): array => [
            'order_id' => (int) $row['order_id'],
            'increment_id' => $row['increment_id'] === null ? null : (string) $row['increment_id'],
            'prior_state' => (string) $row['prior_state'],
            'prior_status' => (string) $row['prior_status'],
        ], $rows);
    }

    /**
     * Marks orders of a hold released; the hold itself once none is left.
     *
     * @param list<int> $orderIds
     */
    public function markReleased(int $holdId, array $orderIds, string $releasedAt): void
    {
        if ($orderIds === []) {
            return;
        }
        $connection = $this->resource->getConnection();
        $connection->update(
            $this->resource->getTableName(self::ITEM_TABLE),
            ['released_at' => $releasedAt],
            ['hold_id = ?' => $holdId, IdCondition::sql('order_id', $orderIds), 'released_at IS NULL']
        );
        $open = $connection->fetchOne(
            'SELECT COUNT(*) FROM ' . $this->resource->getTableName(self::ITEM_TABLE)
            . ' WHERE hold_id = ? AND released_at IS NULL',
            [$holdId]
        );
        if ((int) $open === 0) {
            $connection->update(
                $this->resource->getTableName(self::HOLD_TABLE),
                ['released_at' => $releasedAt],
                ['hold_id = ?' => $holdId]
            );
        }
    }

    /**
     * @param array<string, mixed> $row
     * @return array{order_id: int, increment_id: string|null, state: string, status: string}
     */
    private static function orderRow(array $row): array
    {
        return [
            'order_id' => (int) $row['entity_id'],
            'increment_id' => $row['increment_id'] === null ? null : (string) $row['increment_id'],
            'state' => (string) $row['state'],
            'status' => (string) $row['status'],
        ];
    }
}
