<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Catalog;

use Magento\Framework\App\ResourceConnection;
use MagentoIr\IncidentResponse\Model\Sql\IdCondition;

/**
 * Reads and writes product status values and quarantine records with set-based SQL.
 *
 * Products are addressed by entity_id, the link field of Magento Open Source.
 */
final class ProductStatusStore
{
    public const QUARANTINE_TABLE = 'magento_ir_quarantine';
    public const ITEM_TABLE = 'magento_ir_quarantine_item';

    private ?int $statusAttributeId = null;

    public function __construct(private readonly ResourceConnection $resource)
    {
    }

    /**
     * Product ids of the given SKUs, keyed by the requested SKU (SKU matching is case-insensitive, like MySQL's).
     *
     * @param list<string> $skus
     * @return array<string, int>
     */
    public function productIdsBySku(array $skus): array
    {
        $connection = $this->resource->getConnection();
        $found = [];
        foreach (array_chunk($skus, 1000) as $chunk) {
            $rows = $connection->fetchPairs(
                'SELECT sku, entity_id FROM ' . $this->resource->getTableName('catalog_product_entity')
                . ' WHERE ' . $connection->quoteInto('sku IN (?)', $chunk)
            );
            foreach ($rows as $sku => $id) {
                $found[mb_strtolower((string) $sku)] = (int) $id;
            }
        }
        $bySku = [];
        foreach ($skus as $sku) {
            $id = $found[mb_strtolower($sku)] ?? null;
            if ($id !== null) {
                $bySku[$sku] = $id;
            }
        }
        return $bySku;
    }

    /**
     * Current status rows per product: product id => [store id => value].
     *
     * @param list<int> $productIds
     * @return array<int, array<int, int>>
     */
    public function statusRows(array $productIds): array
    {
        if ($productIds === []) {
            return [];
        }
        $rows = $this->resource->getConnection()->fetchAll(
            'SELECT entity_id, store_id, value FROM ' . $this->resource->getTableName('catalog_product_entity_int')
            . ' WHERE attribute_id = ? AND ' . IdCondition::sql('entity_id', $productIds)
            . ' ORDER BY entity_id, store_id',
            [$this->statusAttributeId()]
        );
        $byProduct = [];
        foreach ($rows as $row) {
            $byProduct[(int) $row['entity_id']][(int) $row['store_id']] = (int) $row['value'];
        }
        return $byProduct;
    }

    /**
     * Of the given products, those already in an active (not released) quarantine.
     *
     * @param list<int> $productIds
     * @return list<int>
     */
    public function activelyQuarantined(array $productIds): array
    {
        if ($productIds === []) {
            return [];
        }
        return array_map('intval', $this->resource->getConnection()->fetchCol(
            'SELECT DISTINCT product_id FROM ' . $this->resource->getTableName(self::ITEM_TABLE)
            . ' WHERE released_at IS NULL AND ' . IdCondition::sql('product_id', $productIds)
        ));
    }

    /**
     * Records a quarantine and the prior status rows of its products; returns the quarantine id.
     *
     * @param array<string, int> $productIdsBySku
     * @param array<int, array<int, int>> $priorRows product id => [store id => value]
     */
    public function recordQuarantine(
        string $createdAt,
        string $reason,
        ?string $incidentId,
        array $productIdsBySku,
        array $priorRows
    ): int {
        $connection = $this->resource->getConnection();
        $connection->insert($this->resource->getTableName(self::QUARANTINE_TABLE), [
            'created_at' => $createdAt,
            'reason' => $reason,
            'incident_id' => $incidentId,
        ]);
        $quarantineId = (int) $connection->fetchOne('SELECT LAST_INSERT_ID()');
        $items = [];
        foreach ($productIdsBySku as $sku => $productId) {
            // A product without a default-scope row gets a NULL one, so release knows to remove ours.
            $rows = $priorRows[$productId] ?? [];
            if (!array_key_exists(0, $rows)) {
                $rows = [0 => null] + $rows;
            }
            foreach ($rows as $storeId => $value) {
                $items[] = [
                    'quarantine_id' => $quarantineId,
                    'product_id' => $productId,
                    'sku' => (string) $sku,
                    'store_id' => $storeId,
                    'prior_status' => $value,
                ];
            }
        }
        foreach (array_chunk($items, 1000) as $chunk) {
            $connection->insertMultiple($this->resource->getTableName(self::ITEM_TABLE), $chunk);
        }
        return $quarantineId;
    }

    /**
     * Active item rows, optionally of one quarantine and some SKUs, ordered by quarantine, product, store.
     *
     * @param list<string> $skus empty: all
     * @return list<array{quarantine_id: int, product_id: int, sku: string, store_id: int,
     *     prior_status: int|null, created_at: string}>
     */
    public function activeItems(int $quarantineId = 0, array $skus = []): array
    {
        $connection = $this->resource->getConnection();
        $where = ['i.released_at IS NULL'];
        $bind = [];
        if ($quarantineId > 0) {
            $where[] = 'i.quarantine_id = ?';
            $bind[] = $quarantineId;
        }
        if ($skus !== []) {
            $where[] = $connection->quoteInto('i.sku IN (?)', $skus);
        }
        $rows = $connection->fetchAll(
            'SELECT i.quarantine_id, i.product_id, i.sku, i.store_id, i.prior_status, q.created_at'
            . ' FROM ' . $this->resource->getTableName(self::ITEM_TABLE) . ' AS i'
            . ' INNER JOIN ' . $this->resource->getTableName(self::QUARANTINE_TABLE)
            . ' AS q ON q.quarantine_id = i.quarantine_id'
            . ' WHERE ' . implode(' AND ', $where)
            . ' ORDER BY i.quarantine_id, i.product_id, i.store_id',
            $bind
        );
        return array_map(static fn (array $row): array => [
            'quarantine_id' => (int) $row['quarantine_id'],
            'product_id' => (int) $row['product_id'],
            'sku' => (string) $row['sku'],
            'store_id' => (int) $row['store_id'],
            'prior_status' => $row['prior_status'] === null ? null : (int) $row['prior_status'],
            'created_at' => (string) $row['created_at'],
        ], $rows);
    }

    public function quarantineExists(int $quarantineId): bool
    {
        return (bool) $this->resource->getConnection()->fetchOne(
            'SELECT 1 FROM ' . $this->resource->getTableName(self::QUARANTINE_TABLE) . ' WHERE quarantine_id = ?',
            [$quarantineId]
        );
    }

    /**
     * Puts back exactly the recorded status rows of these products: recorded values rewritten, rows that did
     * not exist before the quarantine removed.
     *
     * @param array<int, array<int, int|null>> $recorded product id => [store id => prior value or null]
     */
    public function restoreStatusRows(array $recorded): void
    {
        if ($recorded === []) {
            return;
        }
        $connection = $this->resource->getConnection();
        $table = $this->resource->getTableName('catalog_product_entity_int');
        $attributeId = $this->statusAttributeId();
        $upserts = [];
        foreach ($recorded as $productId => $stores) {
            $keep = [];
            foreach ($stores as $storeId => $value) {
                if ($value !== null) {
                    $keep[] = $storeId;
                    $upserts[] = [
                        'attribute_id' => $attributeId,
                        'store_id' => $storeId,
                        'entity_id' => $productId,
                        'value' => $value,
                    ];
                }
            }
            $connection->delete($table, [
                'attribute_id = ?' => $attributeId,
                'entity_id = ?' => $productId,
                IdCondition::sql('store_id', [], $keep),
            ]);
        }
        foreach (array_chunk($upserts, 1000) as $chunk) {
            $connection->insertOnDuplicate($table, $chunk, ['value']);
        }
    }

    /**
     * @param list<int> $productIds
     */
    public function markReleased(int $quarantineId, array $productIds, string $releasedAt): void
    {
        $connection = $this->resource->getConnection();
        $connection->update(
            $this->resource->getTableName(self::ITEM_TABLE),
            ['released_at' => $releasedAt],
            ['quarantine_id = ?' => $quarantineId, IdCondition::sql('product_id', $productIds), 'released_at IS NULL']
        );
        $open = $connection->fetchOne(
            'SELECT COUNT(*) FROM ' . $this->resource->getTableName(self::ITEM_TABLE)
            . ' WHERE quarantine_id = ? AND released_at IS NULL',
            [$quarantineId]
        );
        if ((int) $open === 0) {
            $connection->update(
                $this->resource->getTableName(self::QUARANTINE_TABLE),
                ['released_at' => $releasedAt],
                ['quarantine_id = ?' => $quarantineId]
            );
        }
    }

    public function statusAttributeId(): int
    {
        if ($this->statusAttributeId === null) {
            $this->statusAttributeId = (int) $this->resource->getConnection()->fetchOne(
                'SELECT a.attribute_id FROM ' . $this->resource->getTableName('eav_attribute') . ' AS a'
                . ' INNER JOIN ' . $this->resource->getTableName('eav_entity_type') . ' AS t'
                . ' ON t.entity_type_id = a.entity_type_id'
                . " WHERE t.entity_type_code = 'catalog_product' AND a.attribute_code = 'status'"
            );
        }
        return $this->statusAttributeId;
    }
}
