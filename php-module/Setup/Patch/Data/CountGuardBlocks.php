<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Setup\Patch\Data;

use Magento\Framework\App\ResourceConnection;
use Magento\Framework\Setup\Patch\DataPatchInterface;
use MagentoIr\IncidentResponse\Model\Guard\GuardStore;

/**
 * Counts the refusals logged before the counter table existed, so an upgraded store's counters agree
 * with its refusal log (the rule list read them from that log until then).
 */
final class CountGuardBlocks implements DataPatchInterface
{
    public function __construct(private readonly ResourceConnection $resource)
    {
    }

    public function apply(): self
    {
        $connection = $this->resource->getConnection();
        $connection->query(
            'INSERT INTO ' . $this->resource->getTableName(GuardStore::COUNTER_TABLE)
            . ' (rule_id, rule_type, blocked, first_blocked_at, last_blocked_at)'
            . ' SELECT rule_id, MAX(rule_type), COUNT(*), MIN(created_at), MAX(created_at) FROM '
            . $this->resource->getTableName(GuardStore::BLOCK_TABLE) . ' GROUP BY rule_id'
            . ' ON DUPLICATE KEY UPDATE blocked = VALUES(blocked), first_blocked_at = VALUES(first_blocked_at),'
            . ' last_blocked_at = VALUES(last_blocked_at)'
        );
        return $this;
    }

    /**
     * @return list<class-string>
     */
    public static function getDependencies(): array
    {
        return [];
    }

    /**
     * @return list<string>
     */
    public function getAliases(): array
    {
        return [];
    }
}
