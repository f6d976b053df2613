<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Evidence;

use Magento\Framework\App\DeploymentConfig;
use Magento\Framework\App\ResourceConnection;
use MagentoIr\IncidentResponse\Api\Data\ConfigValueListInterface;
use MagentoIr\IncidentResponse\Api\GetConfigValuesInterface;
use MagentoIr\IncidentResponse\Model\Data\ConfigValue;
use MagentoIr\IncidentResponse\Model\Data\ConfigValueList;

/**
 * core_config_data rows for allow-listed evidence paths, encrypted values masked, locked scopes flagged.
 */
final class GetConfigValues implements GetConfigValuesInterface
{
    public const ENCRYPTED = '[encrypted]';

    public function __construct(
        private readonly ResourceConnection $resource,
        private readonly DeploymentConfig $deploymentConfig,
        private readonly EncryptedConfigPaths $encryptedPaths
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(array $paths): ConfigValueListInterface
    {
        $patterns = ConfigPathPatterns::fromRequest($paths);
        $connection = $this->resource->getConnection();
        $likes = $patterns->likePrefixes();
        $rows = $connection->fetchAll(
            'SELECT path, scope, scope_id, value, updated_at FROM '
            . $this->resource->getTableName('core_config_data')
            . ' WHERE ' . implode(' OR ', array_fill(0, count($likes), 'path LIKE ?'))
            . ' ORDER BY path, scope, scope_id',
            $likes
        );
        $scopeCodes = [
            'websites' => $connection->fetchPairs(
                'SELECT website_id, code FROM ' . $this->resource->getTableName('store_website')
            ),
            'stores' => $connection->fetchPairs(
                'SELECT store_id, code FROM ' . $this->resource->getTableName('store')
            ),
        ];
        $items = [];
        foreach ($rows as $row) {
            $path = (string) $row['path'];
            if (!$patterns->matches($path)) {
                continue;
            }
            $scope = (string) $row['scope'];
            $scopeId = (int) $row['scope_id'];
            $value = Rows::nullableString($row['value']);
            if ($value !== null && $this->encryptedPaths->isEncrypted($path)) {
                $value = self::ENCRYPTED;
            }
            $items[] = new ConfigValue(
                path: $path,
                scope: $scope,
                scopeId: $scopeId,
                value: $value,
                updatedAt: (string) $row['updated_at'],
                locked: $this->isLocked($path, $scope, $scopeId, $scopeCodes)
            );
        }
        return new ConfigValueList($items, count($items));
    }

    /**
     * Whether app/etc/env.php or config.php sets the path at this scope (config:set --lock-env/--lock-config).
     *
     * @param array<string, array<int|string, string>> $scopeCodes
     */
    private function isLocked(string $path, string $scope, int $scopeId, array $scopeCodes): bool
    {
        if ($scope === 'default') {
            $key = 'system/default/' . $path;
        } elseif (isset($scopeCodes[$scope][$scopeId])) {
            $key = 'system/' . $scope . '/' . $scopeCodes[$scope][$scopeId] . '/' . $path;
        } else {
            return false;
        }
        return $this->deploymentConfig->get($key) !== null;
    }
}
