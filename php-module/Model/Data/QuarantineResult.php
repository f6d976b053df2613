<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\QuarantineResultInterface;

/**
 * Outcome of a product quarantine.
 */
final class QuarantineResult implements QuarantineResultInterface
{
    /**
     * @param ProductResult[] $items
     */
    public function __construct(
        private readonly int $actionId,
        private readonly bool $replayed,
        private readonly int $requested,
        private readonly int $quarantined,
        private readonly array $items,
        private readonly ?int $quarantineId = null
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
    public function getQuarantineId(): ?int
    {
        return $this->quarantineId;
    }

    /**
     * @return int
     */
    public function getRequested(): int
    {
        return $this->requested;
    }

    /**
     * @return int
     */
    public function getQuarantined(): int
    {
        return $this->quarantined;
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
            requested: (int) $data[self::KEY_REQUESTED],
            quarantined: (int) $data[self::KEY_QUARANTINED],
            items: array_map([ProductResult::class, 'fromArray'], $data[self::KEY_ITEMS]),
            quarantineId: isset($data[self::KEY_QUARANTINE_ID]) ? (int) $data[self::KEY_QUARANTINE_ID] : null
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
            self::KEY_REQUESTED => $this->requested,
            self::KEY_QUARANTINED => $this->quarantined,
            self::KEY_ITEMS => array_map(static fn (ProductResult $item): array => $item->toArray(), $this->items),
        ];
        if ($this->quarantineId !== null) {
            $data[self::KEY_QUARANTINE_ID] = $this->quarantineId;
        }
        return $data;
    }
}
