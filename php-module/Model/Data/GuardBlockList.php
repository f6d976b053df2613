<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\GuardBlockListInterface;

/**
 * A page of refused order attempts.
 */
final class GuardBlockList implements GuardBlockListInterface
{
    /**
     * @param GuardBlock[] $items
     */
    public function __construct(private readonly array $items, private readonly int $lastBlockId)
    {
    }

    /**
     * @param array<string, mixed> $data the wire shape
     */
    public static function fromArray(array $data): self
    {
        return new self(
            array_map(static fn (array $row): GuardBlock => new GuardBlock($row), $data[self::KEY_ITEMS]),
            (int) $data[self::KEY_LAST_BLOCK_ID]
        );
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\GuardBlockInterface[]
     */
    public function getItems(): array
    {
        return $this->items;
    }

    /**
     * @return int
     */
    public function getLastBlockId(): int
    {
        return $this->lastBlockId;
    }
}
