<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\ReleaseResultInterface;

/**
 * Outcome of releasing quarantined products.
 */
final class ReleaseResult implements ReleaseResultInterface
{
    /**
     * @param ProductResult[] $items
     */
    public function __construct(
        private readonly int $actionId,
        private readonly bool $replayed,
        private readonly int $quarantineId,
        private readonly int $released,
        private readonly array $items
    ) {
    }

    /**
     * @return int
     */
    public function getActionId(): int
    {
        return $this->actionId;
    }

    /**
     * @return bool
     */
    public function isReplayed(): bool
    {
        return $this->replayed;
    }

    /**
     * @return int
     */
    public function getQuarantineId(): int
    {
        return $this->quarantineId;
    }

    /**
     * @return int
     */
    public function getReleased(): int
    {
        return $this->released;
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\ProductResultInterface[]
     */
    public function getItems(): array
    {
        return $this->items;
    }

    /**
     * Rebuilds the object from toArray() output (stored idempotent responses).
     *
     * @param array<string, mixed> $data
     */
    public static function fromArray(array $data): self
    {
        return new self(
            actionId: (int) $data[self::KEY_ACTION_ID],
            replayed: (bool) $data[self::KEY_REPLAYED],
            quarantineId: (int) $data[self::KEY_QUARANTINE_ID],
            released: (int) $data[self::KEY_RELEASED],
            items: array_map([ProductResult::class, 'fromArray'], $data[self::KEY_ITEMS])
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
            self::KEY_ACTION_ID => $this->actionId,
            self::KEY_REPLAYED => $this->replayed,
            self::KEY_QUARANTINE_ID => $this->quarantineId,
            self::KEY_RELEASED => $this->released,
            self::KEY_ITEMS => array_map(static fn (ProductResult $item): array => $item->toArray(), $this->items),
        ];
        return $data;
    }
}
