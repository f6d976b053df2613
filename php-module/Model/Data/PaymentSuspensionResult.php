<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\PaymentSuspensionResultInterface;

/**
 * Outcome of suspending or resuming payment methods.
 */
final class PaymentSuspensionResult implements PaymentSuspensionResultInterface
{
    /**
     * @param PaymentMethodResult[] $items
     */
    public function __construct(
        private readonly int $actionId,
        private readonly bool $replayed,
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
     * @return \MagentoIr\IncidentResponse\Api\Data\PaymentMethodResultInterface[]
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
            items: array_map([PaymentMethodResult::class, 'fromArray'], $data[self::KEY_ITEMS])
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
            self::KEY_ITEMS => array_map(
                static fn (PaymentMethodResult $item): array => $item->toArray(),
                $this->items
            ),
        ];
        return $data;
    }
}
