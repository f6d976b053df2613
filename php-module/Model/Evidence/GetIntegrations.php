<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Evidence;

use Magento\Framework\App\ResourceConnection;
use MagentoIr\IncidentResponse\Api\Data\IntegrationListInterface;
use MagentoIr\IncidentResponse\Api\GetIntegrationsInterface;
use MagentoIr\IncidentResponse\Model\Data\Integration;
use MagentoIr\IncidentResponse\Model\Data\IntegrationList;

/**
 * Every integration row with its OAuth consumer's created_at; keys, secrets and tokens are never selected.
 */
final class GetIntegrations implements GetIntegrationsInterface
{
    public function __construct(private readonly ResourceConnection $resource)
    {
    }

    /**
     * @inheritdoc
     */
    public function execute(): IntegrationListInterface
    {
        $rows = $this->resource->getConnection()->fetchAll(
            'SELECT i.integration_id, i.name, i.email, i.endpoint, i.status, i.setup_type, i.created_at,'
            . ' i.updated_at, c.created_at AS consumer_created_at'
            . ' FROM ' . $this->resource->getTableName('integration') . ' i'
            . ' LEFT JOIN ' . $this->resource->getTableName('oauth_consumer') . ' c ON c.entity_id = i.consumer_id'
            . ' ORDER BY i.integration_id'
        );
        $items = array_map(static fn (array $row): Integration => new Integration(
            integrationId: (int) $row['integration_id'],
            name: (string) $row['name'],
            email: Rows::nullableString($row['email']),
            endpoint: Rows::nullableString($row['endpoint']),
            status: (int) $row['status'],
            setupType: (int) $row['setup_type'],
            createdAt: (string) $row['created_at'],
            updatedAt: (string) $row['updated_at'],
            consumerCreatedAt: Rows::nullableString($row['consumer_created_at'])
        ), $rows);
        return new IntegrationList($items, count($items));
    }
}
