<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\OrderHoldResultInterface;

/**
 * Outcome of a bulk order hold.
 */
final class OrderHoldResult implements OrderHoldResultInterface
{
    /**
     * @param OrderHoldItem[] $items
     */
    public function __construct(
        private readonly int $actionId,
        private readonly bool $replayed,
        private readonly int $matched,
        private readonly int $held,
        private readonly int $remaining,
        private readonly array $items,
        private readonly ?int $holdId = null
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
     * @return int|null
     */
    public function getHoldId(): ?int
    {
        return $this->holdId;
    }

    /**
     * @return int
     */
    public function getMatched(): int
    {
        return $this->matched;
    }

    /**
     * @return int
     */
    public function getHeld(): int
    {
        return $this->held;
    }

    /**
     * @return int
     */
    public function getRemaining(): int
    {
        return $this->remaining;
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
            matched: (int) $data[self::KEY_MATCHED],
            held: (int) $data[self::KEY_HELD],
            remaining: (int) $data[self::KEY_REMAINING],
            items: array_map([OrderHoldItem::class, 'fromArray'], $data[self::KEY_ITEMS]),
            holdId: isset($data[self::KEY_HOLD_ID]) ? (int) $data[self::KEY_HOLD_ID] : null
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
            self::KEY_MATCHED => $this->matched,
            self::KEY_HELD => $this->held,
            self::KEY_REMAINING => $this->remaining,
            self::KEY_ITEMS => array_map(static fn (OrderHoldItem $item): array => $item->toArray(), $this->items),
        ];
        if ($this->holdId !== null) {
            $data[self::KEY_HOLD_ID] = $this->holdId;
        }
        return $data;
    }
}
