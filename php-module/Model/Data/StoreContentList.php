<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\StoreContentListInterface;

/**
 * A page of one type of store content.
 */
final class StoreContentList implements StoreContentListInterface
{
    /**
     * @param StoreContent[] $items
     */
    public function __construct(private readonly array $items, private readonly int $lastEntityId)
    {
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\StoreContentInterface[]
     */
    public function getItems(): array
    {
        return $this->items;
    }

    /**
     * @inheritdoc
     */
    public function getLastEntityId(): int
    {
        return $this->lastEntityId;
    }
}
