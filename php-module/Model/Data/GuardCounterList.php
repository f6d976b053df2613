<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\GuardCounterListInterface;

/**
 * The payment guard's refusal counters.
 */
final class GuardCounterList implements GuardCounterListInterface
{
    /**
     * @param GuardCounter[] $items
     */
    public function __construct(private readonly array $items, private readonly int $lastBlockId)
    {
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\GuardCounterInterface[]
     */
    public function getItems(): array
    {
        return $this->items;
    }

    /**
     * @return int
     */
    public function getBlocked(): int
    {
        return array_sum(array_map(static fn (GuardCounter $item): int => $item->getBlocked(), $this->items));
    }

    /**
     * @return int
     */
    public function getLastBlockId(): int
    {
        return $this->lastBlockId;
    }
}
