<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\QuarantineListInterface;

/**
 * Products in active quarantines.
 */
final class QuarantineList implements QuarantineListInterface
{
    /**
     * @param QuarantinedProduct[] $items
     */
    public function __construct(
        private readonly array $items,
        private readonly int $totalCount
    ) {
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\QuarantinedProductInterface[]
     */
    public function getItems(): array
    {
        return $this->items;
    }

    /**
     * @return int
     */
    public function getTotalCount(): int
    {
        return $this->totalCount;
    }

    /**
     * Rebuilds the object from toArray() output (stored idempotent responses).
     *
     * @param array<string, mixed> $data
     */
    public static function fromArray(array $data): self
    {
        return new self(
            items: array_map([QuarantinedProduct::class, 'fromArray'], $data[self::KEY_ITEMS]),
            totalCount: (int) $data[self::KEY_TOTAL_COUNT]
        );
    }

    /**
     * The REST wire shape: snake_case keys, null values omitted.
     *
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        $data = [
            self::KEY_ITEMS => array_map(static fn (QuarantinedProduct $item): array => $item->toArray(), $this->items),
            self::KEY_TOTAL_COUNT => $this->totalCount,
        ];
        return $data;
    }
}
