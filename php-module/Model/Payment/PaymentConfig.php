<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Payment;

use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\App\DeploymentConfig;
use Magento\Framework\App\ResourceConnection;

/**
 * Where payment/<code>/active is on, where it is locked, and what was recorded when it was switched off.
 */
final class PaymentConfig
{
    public const SUSPENSION_TABLE = 'magento_ir_payment_suspension';

    public function __construct(
        private readonly ResourceConnection $resource,
        private readonly ScopeConfigInterface $scopeConfig,
        private readonly DeploymentConfig $deploymentConfig
    ) {
    }

    public static function activePath(string $method): string
    {
        return 'payment/' . $method . '/active';
    }

    /**
     * Payment method codes Magento knows (the payment config section).
     *
     * @return list<string>
     */
    public function knownMethods(): array
    {
        $section = $this->scopeConfig->getValue('payment', ScopeConfigInterface::SCOPE_TYPE_DEFAULT);
        return is_array($section) ? array_map('strval', array_keys($section)) : [];
    }

    /**
     * Scopes where the method is on and the database value decides: [scope, scope id, prior row value or null].
     *
     * @return list<array{scope: string, scope_id: int, value: string|null}>
     */
    public function activeScopes(string $method): array
    {
        $path = self::activePath($method);
        $rows = $this->resource->getConnection()->fetchAll(
            'SELECT scope, scope_id, value FROM ' . $this->resource->getTableName('core_config_data')
            . ' WHERE path = ? ORDER BY scope, scope_id',
            [$path]
        );
        $scopes = [];
        $defaultRow = null;
        foreach ($rows as $row) {
            if ($row['scope'] === ScopeConfigInterface::SCOPE_TYPE_DEFAULT) {
                $defaultRow = $row['value'] === null ? null : (string) $row['value'];
                continue;
            }
            if ((string) $row['value'] === '1') {
                $scopes[] = ['scope' => (string) $row['scope'], 'scope_id' => (int) $row['scope_id'], 'value' => '1'];
            }
        }
        // The effective default also covers config.xml defaults, which have no row.
        if ((bool) $this->scopeConfig->getValue($path, ScopeConfigInterface::SCOPE_TYPE_DEFAULT)) {
            array_unshift(
                $scopes,
                ['scope' => ScopeConfigInterface::SCOPE_TYPE_DEFAULT, 'scope_id' => 0, 'value' => $defaultRow]
            );
        }
        return $scopes;
    }

    /**
     * Scopes where app/etc/env.php or config.php locks the value (config:set --lock-env / --lock-config).
     *
     * @return list<array{scope: string, scope_id: int, value: string}>
     */
    public function lockedScopes(string $method): array
    {
        $path = self::activePath($method);
        $connection = $this->resource->getConnection();
        $candidates = [[ScopeConfigInterface::SCOPE_TYPE_DEFAULT, 0, 'system/default/' . $path]];
        $websites = $connection->fetchPairs(
            'SELECT website_id, code FROM ' . $this->resource->getTableName('store_website') . ' WHERE website_id > 0'
        );
        foreach ($websites as $id => $code) {
            $candidates[] = ['websites', (int) $id, 'system/websites/' . $code . '/' . $path];
        }
        $stores = $connection->fetchPairs(
            'SELECT store_id, code FROM ' . $this->resource->getTableName('store') . ' WHERE store_id > 0'
        );
        foreach ($stores as $id => $code) {
            $candidates[] = ['stores', (int) $id, 'system/stores/' . $code . '/' . $path];
        }
        $locked = [];
        foreach ($candidates as [$scope, $scopeId, $key]) {
            $value = $this->deploymentConfig->get($key);
            if ($value !== null && is_scalar($value)) {
                $locked[] = ['scope' => $scope, 'scope_id' => $scopeId, 'value' => (string) $value];
            }
        }
        return $locked;
    }

    /**
     * @param list<array{scope: string, scope_id: int, value: string|null}> $scopes
     */
    public function recordSuspension(string $method, array $scopes, string $createdAt): void
    {
        $rows = [];
        foreach ($scopes as $scope) {
            $rows[] = [
                'method' => $method,
                'scope' => $scope['scope'],
                'scope_id' => $scope['scope_id'],
                'prior_value' => $scope['value'],
                'created_at' => $createdAt,
            ];
        }
        if ($rows !== []) {
            $this->resource->getConnection()->insertMultiple(
                $this->resource->getTableName(self::SUSPENSION_TABLE),
                $rows
            );
        }
    }

    /**
     * Recorded, not yet resumed scopes, newest first so the oldest prior value is written last.
     *
     * @return list<array{suspension_id: int, scope: string, scope_id: int, value: string|null}>
     */
    public function openSuspensions(string $method): array
    {
        $rows = $this->resource->getConnection()->fetchAll(
            'SELECT suspension_id, scope, scope_id, prior_value FROM '
            . $this->resource->getTableName(self::SUSPENSION_TABLE)
            . ' WHERE method = ? AND resumed_at IS NULL ORDER BY suspension_id DESC',
            [$method]
        );
        return array_map(static fn (array $row): array => [
            'suspension_id' => (int) $row['suspension_id'],
            'scope' => (string) $row['scope'],
            'scope_id' => (int) $row['scope_id'],
            'value' => $row['prior_value'] === null ? null : (string) $row['prior_value'],
        ], $rows);
    }

    /**
     * @return list<string>
     */
    public function suspendedMethods(): array
    {
        return array_map('strval', $this->resource->getConnection()->fetchCol(
            'SELECT DISTINCT method FROM ' . $this->resource->getTableName(self::SUSPENSION_TABLE)
            . ' WHERE resumed_at IS NULL ORDER BY method'
        ));
    }

    public function markResumed(string $method, string $resumedAt): void
    {
        $this->resource->getConnection()->update(
            $this->resource->getTableName(self::SUSPENSION_TABLE),
            ['resumed_at' => $resumedAt],
            ['method = ?' => $method, 'resumed_at IS NULL']
        );
    }
}
