<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\App\ResourceConnection, used only when Magento is not installed.

namespace Magento\Framework\App;

use Magento\Framework\DB\Adapter\AdapterInterface;

class ResourceConnection
{
    public const DEFAULT_CONNECTION = 'default';

    public function getConnection($resourceName = self::DEFAULT_CONNECTION): AdapterInterface
    {
        throw new \LogicException('Mock ResourceConnection in unit tests.');
    }

    public function getTableName($modelEntity, $connectionName = self::DEFAULT_CONNECTION)
    {
        return (string) $modelEntity;
    }
}
