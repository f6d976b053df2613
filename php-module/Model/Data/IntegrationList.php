<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\IntegrationListInterface;

/**
 * Every integration, ordered by integration_id.
 */
final class IntegrationList implements IntegrationListInterface
{
    /**
     * @param Integration[] $items
     */
    public function __construct(
        private readonly array $items,
        private readonly int $totalCount
    ) {
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\IntegrationInterface[]
     */
    public function getItems(): array
    {
        return $this->items;
    }

    /**
     * @inheritdoc
     */
    public function getTotalCount(): int
    {
        return $this->totalCount;
    }
}
