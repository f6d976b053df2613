<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\ConfigValueListInterface;

/**
 * Matching core_config_data rows, ordered by path, scope, scope_id.
 */
final class ConfigValueList implements ConfigValueListInterface
{
    /**
     * @param ConfigValue[] $items
     */
    public function __construct(
        private readonly array $items,
        private readonly int $totalCount
    ) {
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\ConfigValueInterface[]
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
