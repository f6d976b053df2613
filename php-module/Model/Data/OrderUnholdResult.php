<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\OrderUnholdResultInterface;

/**
 * Outcome of releasing the orders of one bulk hold.
 */
final class OrderUnholdResult implements OrderUnholdResultInterface
{
    /**
     * @param OrderHoldItem[] $items
     */
    public function __construct(
        private readonly int $actionId,
        private readonly bool $replayed,
        private readonly int $holdId,
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
    public function getHoldId(): int
    {
        return $this->holdId;
    }

    /**
     * @return int
     */
    public function getReleased(): int
    {
        return $this->released;
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\OrderHoldItemInterface[]
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
            holdId: (int) $data[self::KEY_HOLD_ID],
            released: (int) $data[self::KEY_RELEASED],
            items: array_map([OrderHoldItem::class, 'fromArray'], $data[self::KEY_ITEMS])
        );
    }

    /**
     * The REST wire shape: snake_case keys.
     *
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        return [
            self::KEY_ACTION_ID => $this->actionId,
            self::KEY_REPLAYED => $this->replayed,
            self::KEY_HOLD_ID => $this->holdId,
            self::KEY_RELEASED => $this->released,
            self::KEY_ITEMS => array_map(static fn (OrderHoldItem $item): array => $item->toArray(), $this->items),
        ];
    }
}
